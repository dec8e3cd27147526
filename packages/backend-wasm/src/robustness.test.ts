/**
 * The robustness suite's backend share on wasm: generated bad calls of every `Ops` method, tensor creation,
 * readback, memory and autodiff (`opsRobustnessCases`), and of `createWasmBackend`'s options, each classified by
 * core's rule (clear error / silent / unclear error / crash / leak / changed) and required to be a clear error that leaves no tensor behind.
 */
import { opsFixtures, opsRobustnessCases } from '@seqmodel/backend-tfjs/testing';
import { type RobustnessCase, robustnessChecks } from '@seqmodel/core/testing';
import { describe, it } from 'vitest';
import { createWasmBackend } from './wasm-backend.js';

const backend = await createWasmBackend();
const fixtures = opsFixtures(backend);
const factory = (options: unknown) => () => createWasmBackend(options as never);
const badValues = (key: string, argument: string, values: unknown[]): RobustnessCase[] =>
  values.map((value) => ({
    entry: 'createWasmBackend',
    argument,
    received: `${key}: ${JSON.stringify(value) ?? String(value)}`,
    call: factory({ [key]: value }),
  }));
const factoryCases: RobustnessCase[] = [
  {
    entry: 'createWasmBackend',
    argument: 'unknown option "numThread"',
    received: 'a misspelt option',
    call: factory({ numThread: 1 }),
  },
  {
    entry: 'createWasmBackend',
    argument: 'unknown option "wasmPath"',
    received: 'a misspelt option',
    call: factory({ wasmPath: '/x/' }),
  },
  ...[5, 'fast', null, [1]].map((value) => ({
    entry: 'createWasmBackend',
    argument: 'createWasmBackend(options)',
    received: String(value),
    call: factory(value),
  })),
  ...badValues('wasmPaths', 'createWasmBackend(options.wasmPaths)', [
    5,
    '',
    { 'tfjs-backend-wasm.wasm': '/x' },
    true,
  ]),
  ...badValues('numThreads', 'createWasmBackend(options.numThreads)', [0, -1, 1.5, '2']),
  ...badValues('simd', 'createWasmBackend(options.simd)', ['yes', 1]),
  ...badValues('usePlatformFetch', 'createWasmBackend(options.usePlatformFetch)', ['yes', 1]),
  ...badValues('checkNumerics', 'createWasmBackend(options.checkNumerics)', ['yes', {}]),
  ...badValues('kernels', 'createWasmBackend(options.kernels)', ['all', {}, 3]),
];
const cases = [...opsRobustnessCases(backend, fixtures), ...factoryCases];
const checks = await robustnessChecks(cases, {
  suite: '@seqmodel/backend-wasm',
  liveTensors: () => backend.memory().numTensors,
  minimum: 150,
});
fixtures.dispose();

describe('wasm backend robustness: every bad call is a clear error and leaks nothing', () => {
  for (const check of checks) it(check.name, check.run);
});
