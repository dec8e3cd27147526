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
  initParams,
  paramSpecs,
  registerCell,
  resolveCellOptions,
  runSequence,
  unregisterCell,
} from '@seqmodel/core';
import { cellConformanceChecks } from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
import { peepholeLstm } from './peephole-lstm.js';

// Two inputs, two units; gates stacked i, f, c, o (two columns each), as core's lstm worked case.
const kernel = [
  [0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0.15, -0.25],
  [0.2, 0.1, -0.3, 0.25, 0.3, -0.05, 0.1, 0.2],
];
const recurrentKernel = [
  [0.05, 0.1, -0.1, 0.2, 0.15, -0.2, 0.1, 0.05],
  [-0.15, 0.2, 0.05, -0.1, 0.1, 0.25, -0.05, 0.3],
];
const bias = [0, 0.1, 1, 1, 0.2, -0.1, 0.05, 0];
const peep = { i: [0.5, -0.4], f: [0.3, 0.2], o: [-0.6, 0.7] };
const inputs = [
  [1, -1],
  [0.5, 2],
];

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** The equations of the module comment, one scalar at a time, in float64: the test's independent reference. */
function scalarPeephole(): { h: number[][]; c: number[] } {
  let h = [0, 0];
  let c = [0, 0];
  const hs: number[][] = [];
  for (const x of inputs) {
    const z = Array.from({ length: 8 }, (_, k) => {
      let s = bias[k]!;
      for (let a = 0; a < 2; a++) s += x[a]! * kernel[a]![k]! + h[a]! * recurrentKernel[a]![k]!;
      return s;
    });
    const next = [0, 1].map((j) => {
      const i = sigmoid(z[j]! + peep.i[j]! * c[j]!);
      const f = sigmoid(z[2 + j]! + peep.f[j]! * c[j]!);
      const cell = f * c[j]! + i * Math.tanh(z[4 + j]!);
      const o = sigmoid(z[6 + j]! + peep.o[j]! * cell);
      return { h: o * Math.tanh(cell), c: cell };
    });
    h = next.map((n) => n.h);
    c = next.map((n) => n.c);
    hs.push(h);
  }
  return { h: hs, c };
}

describe('peepholeLstm', () => {
  it('computes a case worked by hand (2 inputs, 2 units, 2 steps)', () => {
    // Step 1 (h = c = 0): the peepholes of i and f see c = 0, so z = x·W + b as in lstm's worked case:
    //   i: [−0.1, −0.2], f: [1.6, 0.8], c: [−0.2, 0.15], o: [0.1, −0.45];  c1 = σ(i)·tanh(c),
    //   and the output gate sees c1: h1 = σ(o + p_o · c1)·tanh(c1).
    const c1 = [sigmoid(-0.1) * Math.tanh(-0.2), sigmoid(-0.2) * Math.tanh(0.15)];
    const h1 = [
      sigmoid(0.1 - 0.6 * c1[0]!) * Math.tanh(c1[0]!),
      sigmoid(-0.45 + 0.7 * c1[1]!) * Math.tanh(c1[1]!),
    ];
    const ref = createReferenceBackend();
    const result = runSequence(ref, {
      cell: peepholeLstm,
      options: resolveCellOptions(peepholeLstm, {}),
      units: 2,
      inputs: ref.tensor([inputs]),
      params: {
        kernel: ref.tensor(kernel),
        recurrentKernel: ref.tensor(recurrentKernel),
        inputGatePeepholeWeights: ref.tensor(peep.i),
        forgetGatePeepholeWeights: ref.tensor(peep.f),
        outputGatePeepholeWeights: ref.tensor(peep.o),
        bias: ref.tensor(bias),
      },
      returnSequences: true,
    });
    const out = ref.toArray(result.output) as number[][][];
    expect(out[0]![0]![0]).toBeCloseTo(h1[0]!, 14);
    expect(out[0]![0]![1]).toBeCloseTo(h1[1]!, 14);
    const expected = scalarPeephole();
    for (let j = 0; j < 2; j++) {
      expect(out[0]![1]![j]).toBeCloseTo(expected.h[1]![j]!, 14);
      expect((ref.toArray(result.state[1]!) as number[][])[0]![j]).toBeCloseTo(expected.c[j]!, 14);
    }
  });

  it('counts its parameters: an LSTM and three peephole vectors', () => {
    expect(countParams(peepholeLstm, { inputSize: 45, units: 64 })).toBe(
      4 * (45 * 64 + 64 * 64 + 64) + 3 * 64,
    );
    expect(explainParamCount(peepholeLstm, { inputSize: 45, units: 64 }).formula).toBe(
      '(45*64)*4 + (64*64)*4 + 64 + 64 + 64 + 64*4 = 28352',
    );
  });

  it('starts the forget bias at 1 with unitForgetBias (the default)', () => {
    expect(paramSpecs(peepholeLstm, { inputSize: 3, units: 2 }).map((p) => p.name)).toEqual([
      'kernel',
      'recurrentKernel',
      'inputGatePeepholeWeights',
      'forgetGatePeepholeWeights',
      'outputGatePeepholeWeights',
      'bias',
    ]);
    expect(Array.from(initParams(peepholeLstm, { inputSize: 3, units: 2 }, 1).bias!.values)).toEqual([
      0, 0, 1, 1, 0, 0, 0, 0,
    ]);
  });

  it('rejects bad options by name', () => {
    expect(() => countParams(peepholeLstm, { inputSize: 2, units: 2, unitForgetBias: 1 })).toThrow(
      'peepholeLstm.unitForgetBias: expected a boolean, received 1',
    );
    expect(() =>
      countParams(peepholeLstm, { inputSize: 2, units: 2, peepholeInitializer: 'xavier' }),
    ).toThrow(/peepholeLstm\.peepholeInitializer/);
  });

  it('declares the CellPlugin contract it implements and is registered by the code that uses it', () => {
    expect(cellSpecificationVersions).toContain(peepholeLstm.specificationVersion);
    registerCell(peepholeLstm);
    expect(getCell('peepholeLstm')).toBe(peepholeLstm);
    unregisterCell('peepholeLstm');
  });
});

const configs = [
  { inputSize: 3, units: 4 },
  {
    inputSize: 2,
    units: 5,
    options: { recurrentActivation: 'hardSigmoid', activation: 'relu', useBias: false },
  },
];

describe('peepholeLstm conformance on the reference ops', () => {
  for (const check of cellConformanceChecks(peepholeLstm, createReferenceBackend(), { configs })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});

// interpretedGpuBackend: the compiled kernel webgl and webgpu run for it, its programs interpreted in Node.
for (const backend of [createCpuBackend(), await createWasmBackend(), interpretedGpuBackend()]) {
  describe(`peepholeLstm compiled on ${backend.name}`, () => {
    for (const check of compiledCellChecks(peepholeLstm, backend, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

// On webgl and webgpu, the compiled GPU kernel runs a step in one launch per elementwise pass of its plan (the
// products inside them, except the backward pass's two products, which its pass would recompute for 12 x units
// columns: each is a launch of its own), counted here with its programs interpreted in Node (the browser suites count them on the GPU).
describe('peepholeLstm on webgl and webgpu: programs launched per time step', () => {
  const cases = [
    [{}, { forward: 1, backward: 3 }],
    [{ mask: true }, { forward: 1, backward: 3 }],
    [{ recurrentDropout: true }, { forward: 2, backward: 3 }],
    [
      { mask: true, recurrentDropout: true },
      { forward: 2, backward: 3 },
    ],
  ] as const;
  for (const [options, counts] of cases) {
    it(`${JSON.stringify(options)}: ${counts.forward} forward, ${counts.backward} backward`, () => {
      expect(interpretedLaunchesPerStep(peepholeLstm, options)).toEqual(counts);
    });
  }
});
