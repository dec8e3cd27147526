/**
 * The robustness suite's backend share on the default backend: generated bad calls of every `Ops` method, tensor
 * creation, readback, memory and autodiff (`opsRobustnessCases`), and of `createCpuBackend`'s options, each
 * classified by core's rule (clear error / silent / crash / leak) and required to be a clear error that leaves no
 * tensor behind.
 */
import { opsFixtures, opsRobustnessCases } from '@seqmodel/backend-tfjs/testing';
import {
  classifyCase,
  type RobustnessCase,
  type RobustnessResult,
  tallyOutcomes,
} from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
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
const results: RobustnessResult[] = [];
for (const c of cases) results.push(await classifyCase(c, () => backend.memory().numTensors));
fixtures.dispose();

describe('cpu backend robustness: every bad call is a clear error and leaks nothing', () => {
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
