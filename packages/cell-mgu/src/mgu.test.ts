import { createCpuBackend } from '@seqmodel/backend-cpu';
import {
  compiledCellChecks,
  interpretedGpuBackend,
  interpretedLaunchesPerStep,
} from '@seqmodel/backend-tfjs/testing';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import {
  cellSpecificationVersions,
  countParams,
  createReferenceBackend,
  explainParamCount,
  getCell,
  registerCell,
  resolveCellOptions,
  runSequence,
  traceSequence,
  unregisterCell,
} from '@seqmodel/core';
import { cellConformanceChecks } from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
import { mgu } from './mgu.js';

describe('mgu', () => {
  it('computes a case worked by hand (2 inputs, 2 units, 2 steps)', () => {
    // Step 1 (h = 0), x = [1, −1]: x·W + b = f: [0.1 − 0.2 + 0.1, −0.2 − 0.1 − 0.1] = [0, −0.4],
    // h: [0.3 + 0.3 + 0.05, 0.05 − 0.25 + 0.25] = [0.65, 0.05]. With h = 0 the recurrent terms vanish:
    // h1 = f·tanh(ĥ) = [σ(0)·tanh(0.65), σ(−0.4)·tanh(0.05)].
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const h1 = [0.5 * Math.tanh(0.65), sigmoid(-0.4) * Math.tanh(0.05)];
    const ref = createReferenceBackend();
    const result = runSequence(ref, {
      cell: mgu,
      options: resolveCellOptions(mgu, {}),
      units: 2,
      inputs: ref.tensor([
        [
          [1, -1],
          [0.5, 2],
        ],
      ]),
      params: {
        kernel: ref.tensor([
          [0.1, -0.2, 0.3, 0.05],
          [0.2, 0.1, -0.3, 0.25],
        ]),
        recurrentKernel: ref.tensor([
          [0.05, 0.1, -0.1, 0.2],
          [-0.15, 0.2, 0.05, -0.1],
        ]),
        bias: ref.tensor([0.1, -0.1, 0.05, 0.25]),
      },
      returnSequences: true,
    });
    const out = ref.toArray(result.output) as number[][][];
    expect(out[0]![0]![0]).toBeCloseTo(h1[0]!, 14);
    expect(out[0]![0]![1]).toBeCloseTo(h1[1]!, 14);
    // Second step from an independent scalar float64 implementation (Python).
    expect(out[0]![1]![0]).toBeCloseTo(-0.14767600604026024, 14);
    expect(out[0]![1]![1]).toBeCloseTo(0.3502189229681016, 14);
  });

  it('reports its forget gate and candidate per step (traceSequence), as worked by hand at step 1', () => {
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const ref = createReferenceBackend();
    const trace = traceSequence(ref, {
      cell: mgu,
      options: resolveCellOptions(mgu, {}),
      units: 2,
      inputs: ref.tensor([[[1, -1]]]),
      params: {
        kernel: ref.tensor([
          [0.1, -0.2, 0.3, 0.05],
          [0.2, 0.1, -0.3, 0.25],
        ]),
        recurrentKernel: ref.fill([2, 4], 0.5),
        bias: ref.tensor([0.1, -0.1, 0.05, 0.25]),
      },
    });
    // With h = 0 (see the case above): f = σ([0, −0.4]), ĥ = tanh([0.65, 0.05]).
    const f = (ref.toArray(trace.gates.forget!) as number[][][])[0]![0]!;
    const candidate = (ref.toArray(trace.gates.candidate!) as number[][][])[0]![0]!;
    expect(f[0]).toBeCloseTo(0.5, 14);
    expect(f[1]).toBeCloseTo(sigmoid(-0.4), 14);
    expect(candidate[0]).toBeCloseTo(Math.tanh(0.65), 14);
    expect(candidate[1]).toBeCloseTo(Math.tanh(0.05), 14);
  });

  it('counts its parameters', () => {
    expect(countParams(mgu, { inputSize: 45, units: 64 })).toBe(2 * (45 * 64 + 64 * 64 + 64));
    expect(explainParamCount(mgu, { inputSize: 45, units: 64 }).formula).toBe(
      '(45*64)*2 + (64*64)*2 + 64*2 = 14080',
    );
  });

  it('rejects bad options by name', () => {
    expect(() => countParams(mgu, { inputSize: 2, units: 2, recurrentActivation: 'hard_sigmoid' })).toThrow(
      /mgu\.recurrentActivation: unknown activation "hard_sigmoid"/,
    );
    expect(() => countParams(mgu, { inputSize: 2, units: 2, useBias: 'no' })).toThrow(
      'mgu.useBias: expected a boolean, received "no"',
    );
  });

  it('declares the CellPlugin contract it implements, one this core accepts', () => {
    expect(mgu.specificationVersion).toBe('v1');
    expect(cellSpecificationVersions).toContain(mgu.specificationVersion);
  });

  it('is registered by the code that uses it', () => {
    registerCell(mgu);
    expect(getCell('mgu')).toBe(mgu);
    expect(countParams('mgu', { inputSize: 2, units: 3 })).toBe(2 * (6 + 9 + 3));
    unregisterCell('mgu');
  });
});

describe('mgu conformance on the reference ops', () => {
  const configs = [
    { inputSize: 3, units: 4 },
    { inputSize: 2, units: 3, options: { recurrentActivation: 'hardSigmoid', useBias: false } },
  ];
  for (const check of cellConformanceChecks(mgu, createReferenceBackend(), { configs })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});

// Registered with one line and nothing else, it runs on a kernel compiled from its step on both backends.
// interpretedGpuBackend: the compiled kernel webgl and webgpu run for it, its programs interpreted in Node.
for (const backend of [createCpuBackend(), await createWasmBackend(), interpretedGpuBackend()]) {
  describe(`mgu compiled on ${backend.name}`, () => {
    const configs = [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 5, options: { recurrentActivation: 'hardSigmoid', activation: 'relu' } },
      { inputSize: 2, units: 3, options: { useBias: false } },
    ];
    for (const check of compiledCellChecks(mgu, backend, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

// On webgl and webgpu, the compiled GPU kernel runs a step in one launch per elementwise pass of its plan (the
// products inside them), counted here with its programs interpreted in Node (the browser suites count them on the GPU).
describe('mgu on webgl and webgpu: programs launched per time step', () => {
  const cases = [
    [{}, { forward: 2, backward: 2 }],
    [{ mask: true }, { forward: 2, backward: 2 }],
  ] as const;
  for (const [options, counts] of cases) {
    it(`${JSON.stringify(options)}: ${counts.forward} forward, ${counts.backward} backward`, () => {
      expect(interpretedLaunchesPerStep(mgu, options)).toEqual(counts);
    });
  }
});
