/**
 * The robustness suite's backend share on the default backend: generated bad calls of every `Ops` method, tensor
 * creation, readback, memory and autodiff (`opsRobustnessCases`), and of `createCpuBackend`'s options, each
 * classified by core's rule (clear error / silent / unclear error / crash / leak / changed) and required to be a clear error that leaves no
 * tensor behind.
 */
import { opsFixtures, opsRobustnessCases } from '@seqmodel/backend-tfjs/testing';
import { type RobustnessCase, robustnessChecks } from '@seqmodel/core/testing';
import { describe, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

const backend = createCpuBackend();
const fixtures = opsFixtures(backend);
const factory = (options: unknown) => () => createCpuBackend(options as never);
const factoryCases: RobustnessCase[] = [
  {
    entry: 'createCpuBackend',
    argument: 'unknown option "checkNumeric"',
    received: 'a misspelt option',
    call: factory({ checkNumeric: true }),
  },
  {
    entry: 'createCpuBackend',
    argument: 'unknown option "kernel"',
    received: 'a misspelt option',
    call: factory({ kernel: false }),
  },
  ...[5, 'fast', null, [1]].map((value) => ({
    entry: 'createCpuBackend',
    argument: 'createCpuBackend(options)',
    received: String(value),
    call: factory(value),
  })),
  ...['yes', 1, {}].map((value) => ({
    entry: 'createCpuBackend',
    argument: 'createCpuBackend(options.checkNumerics)',
    received: String(value),
    call: factory({ checkNumerics: value }),
  })),
  ...['all', {}, 3, true].map((value) => ({
    entry: 'createCpuBackend',
    argument: 'createCpuBackend(options.kernels)',
    received: String(value),
    call: factory({ kernels: value }),
  })),
  ...[[{ kind: 'sequence' }], [5]].map((value) => ({
    entry: 'createCpuBackend',
    argument: 'kernels[0]',
    received: JSON.stringify(value),
    call: factory({ kernels: value }),
  })),
];
const cases = [...opsRobustnessCases(backend, fixtures), ...factoryCases];
const checks = await robustnessChecks(cases, {
  suite: '@seqmodel/backend-cpu',
  liveTensors: () => backend.memory().numTensors,
  minimum: 150,
});
fixtures.dispose();

describe('cpu backend robustness: every bad call is a clear error and leaks nothing', () => {
  for (const check of checks) it(check.name, check.run);
});
