/**
 * The robustness suite's backend share on wasm: generated bad calls of every `Ops` method, tensor creation,
 * readback, memory and autodiff (`opsRobustnessCases`), and of `createWasmBackend`'s options, each classified by
 * core's rule (clear error / silent / crash / leak) and required to be a clear error that leaves no tensor behind.
 */
import { opsFixtures, opsRobustnessCases } from '@seqmodel/backend-tfjs/testing';
import {
  classifyCase,
  type RobustnessCase,
  type RobustnessResult,
  tallyOutcomes,
} from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
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
const results: RobustnessResult[] = [];
for (const c of cases) results.push(await classifyCase(c, () => backend.memory().numTensors));
fixtures.dispose();

describe('wasm backend robustness: every bad call is a clear error and leaks nothing', () => {
  it.each(cases.map((c, i) => [`${c.entry}: ${c.received}`, i] as const))('%s', (_, i) => {
    expect(results[i]!.outcome, `${cases[i]!.entry} (${cases[i]!.received}): ${results[i]!.detail}`).toBe(
      'clear error',
    );
  });

  it('has at least 150 cases, all clear errors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(tallyOutcomes(results)).toEqual({ 'clear error': cases.length, silent: 0, crash: 0, leak: 0 });
  });
});
