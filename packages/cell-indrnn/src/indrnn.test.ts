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
  unregisterCell,
} from '@seqmodel/core';
import { cellConformanceChecks } from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
import { indRnn } from './indrnn.js';

const params = {
  kernel: [
    [0.5, -0.3],
    [0.2, 0.4],
  ],
  recurrentKernel: [0.9, -0.5],
  bias: [0.1, -0.2],
};
const inputs = [
  [
    [1, -1],
    [0.5, 2],
  ],
];

function run(options: Record<string, unknown>): number[][][] {
  const ref = createReferenceBackend();
  const result = runSequence(ref, {
    cell: indRnn,
    options: resolveCellOptions(indRnn, options),
    units: 2,
    inputs: ref.tensor(inputs),
    params: {
      kernel: ref.tensor(params.kernel),
      recurrentKernel: ref.tensor(params.recurrentKernel),
      bias: ref.tensor(params.bias),
    },
    returnSequences: true,
  });
  return ref.toArray(result.output) as number[][][];
}

describe('indRnn', () => {
  it('computes a case worked by hand (2 inputs, 2 units, 2 steps, relu)', () => {
    // Step 1 (h = 0), x = [1, −1]: x·W + b = [0.5 − 0.2 + 0.1, −0.3 − 0.4 − 0.2] = [0.4, −0.9]; h1 = relu = [0.4, 0].
    // Step 2, x = [0.5, 2]: x·W + b = [0.25 + 0.4 + 0.1, −0.15 + 0.8 − 0.2] = [0.75, 0.45];
    // + u * h1 = [0.9 · 0.4, −0.5 · 0] = [0.36, 0]; h2 = relu([1.11, 0.45]) = [1.11, 0.45].
    const out = run({});
    expect(out[0]![0]![0]).toBeCloseTo(0.4, 14);
    expect(out[0]![0]![1]).toBe(0);
    expect(out[0]![1]![0]).toBeCloseTo(1.11, 14);
    expect(out[0]![1]![1]).toBeCloseTo(0.45, 14);
  });

  it('uses the activation it is given', () => {
    // tanh: h1 = tanh([0.4, −0.9]), h2 = tanh([0.75, 0.45] + u * h1).
    const h1 = [Math.tanh(0.4), Math.tanh(-0.9)];
    const h2 = [Math.tanh(0.75 + 0.9 * h1[0]!), Math.tanh(0.45 - 0.5 * h1[1]!)];
    const out = run({ activation: 'tanh' });
    expect(out[0]![0]![0]).toBeCloseTo(h1[0]!, 14);
    expect(out[0]![1]![0]).toBeCloseTo(h2[0]!, 14);
    expect(out[0]![1]![1]).toBeCloseTo(h2[1]!, 14);
  });

  it('counts its parameters: one recurrent weight per unit', () => {
    expect(countParams(indRnn, { inputSize: 45, units: 64 })).toBe(45 * 64 + 64 + 64);
    expect(explainParamCount(indRnn, { inputSize: 45, units: 64 }).formula).toBe('45*64 + 64 + 64 = 3008');
  });

  it('rejects bad options by name', () => {
    expect(() => countParams(indRnn, { inputSize: 2, units: 2, activation: 'swoosh' })).toThrow(
      /indRnn\.activation: unknown activation "swoosh"/,
    );
  });

  it('declares the CellPlugin contract it implements and is registered by the code that uses it', () => {
    expect(cellSpecificationVersions).toContain(indRnn.specificationVersion);
    registerCell(indRnn);
    expect(getCell('indRnn')).toBe(indRnn);
    unregisterCell('indRnn');
  });
});

const configs = [
  { inputSize: 3, units: 4 },
  { inputSize: 2, units: 5, options: { activation: 'tanh', useBias: false } },
];

describe('indRnn conformance on the reference ops', () => {
  for (const check of cellConformanceChecks(indRnn, createReferenceBackend(), { configs })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});

// interpretedGpuBackend: the compiled kernel webgl and webgpu run for it, its programs interpreted in Node.
for (const backend of [createCpuBackend(), await createWasmBackend(), interpretedGpuBackend()]) {
  describe(`indRnn compiled on ${backend.name}`, () => {
    for (const check of compiledCellChecks(indRnn, backend, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

// On webgl and webgpu, the compiled GPU kernel runs a step in one launch per elementwise pass of its plan (the
// products inside them), counted here with its programs interpreted in Node (the browser suites count them on the GPU).
describe('indRnn on webgl and webgpu: programs launched per time step', () => {
  const cases = [
    [{}, { forward: 1, backward: 1 }],
    [{ mask: true }, { forward: 1, backward: 1 }],
    [{ recurrentDropout: true }, { forward: 1, backward: 1 }],
    [
      { mask: true, recurrentDropout: true },
      { forward: 1, backward: 1 },
    ],
  ] as const;
  for (const [options, counts] of cases) {
    it(`${JSON.stringify(options)}: ${counts.forward} forward, ${counts.backward} backward`, () => {
      expect(interpretedLaunchesPerStep(indRnn, options)).toEqual(counts);
    });
  }
});
