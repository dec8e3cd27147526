import { describe, expect, it } from 'vitest';
import { countParams, explainParamCount, paramSpecs } from '../params.js';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { closeTo, runOnReference } from '../test-helpers.js';
import { cellConformanceChecks } from '../testing/cell-conformance.js';
import { gru } from './gru.js';

// Two inputs, two units, two steps; gates stacked z, r, h (two columns each).
const inputs = [
  [
    [1, -1],
    [0.5, 2],
  ],
];
const kernel = [
  [0.1, -0.2, 0.3, 0.05, -0.1, 0.2],
  [0.2, 0.1, -0.3, 0.25, 0.3, -0.05],
];
const recurrentKernel = [
  [0.05, 0.1, -0.1, 0.2, 0.15, -0.2],
  [-0.15, 0.2, 0.05, -0.1, 0.1, 0.25],
];
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('gru, resetAfter: false (tfjs-layers equation)', () => {
  const params = { kernel, recurrentKernel, bias: [0.1, -0.1, 0.05, 0.2, 0, -0.05] };

  it('computes a case worked by hand', () => {
    // Step 1 (h = 0), x = [1, −1]: x·W + b = z: [−0.1+0.1, −0.3−0.1] = [0, −0.4], r: [0.6+0.05, −0.2+0.2] = [0.65, 0],
    // h: [−0.4+0, 0.25−0.05] = [−0.4, 0.2]. With h = 0 the recurrent terms vanish:
    // h1 = (1 − σ(z))·tanh(ĥ) = [0.5·tanh(−0.4), (1 − σ(−0.4))·tanh(0.2)]
    const h1 = [0.5 * Math.tanh(-0.4), (1 - sigmoid(-0.4)) * Math.tanh(0.2)];
    const { output } = runOnReference(gru, { resetAfter: false }, 2, inputs, params);
    closeTo(output[0]![0], h1, 1e-12);
    closeTo(
      output,
      [
        [
          [-0.18997448112761245, 0.1181661686293937],
          [0.06597445892967997, 0.05176383251659646],
        ],
      ],
      1e-12,
    );
  });

  it('uses the tfjs-layers hard sigmoid when asked', () => {
    const { output } = runOnReference(
      gru,
      { resetAfter: false, recurrentActivation: 'hardSigmoid' },
      2,
      inputs,
      params,
    );
    closeTo(
      output,
      [
        [
          [-0.18997448112761245, 0.11447768573044434],
          [0.08156445581148022, 0.04950207357177262],
        ],
      ],
      1e-12,
    );
  });

  it('has bias [3*units] and reproduces the worked count', () => {
    expect(paramSpecs(gru, { inputSize: 45, units: 64, resetAfter: false }).map((p) => p.shape)).toEqual([
      [45, 192],
      [64, 192],
      [192],
    ]);
    expect(countParams(gru, { inputSize: 45, units: 64, resetAfter: false })).toBe(21120);
    expect(explainParamCount(gru, { inputSize: 45, units: 64, resetAfter: false }).formula).toBe(
      '(45*64)*3 + (64*64)*3 + 64*3 = 21120',
    );
  });
});

describe('gru, resetAfter: true (Keras 3 / PyTorch equation, the default)', () => {
  const params = {
    kernel,
    recurrentKernel,
    bias: [
      [0.1, -0.1, 0.05, 0.2, 0, -0.05],
      [0.02, 0.03, -0.04, 0.05, -0.06, 0.07],
    ],
  };

  it('computes a case worked by hand', () => {
    // Step 1 (h = 0): input part as above with the input bias; recurrent part = recurrent bias only:
    // z = σ([0, −0.4] + [0.02, 0.03]), r = σ([0.65, 0] + [−0.04, 0.05]), ĥ = tanh([−0.4, 0.2] + r·[−0.06, 0.07])
    const z = [sigmoid(0.02), sigmoid(-0.37)];
    const r = [sigmoid(0.61), sigmoid(0.05)];
    const hh = [Math.tanh(-0.4 + r[0]! * -0.06), Math.tanh(0.2 + r[1]! * 0.07)];
    const h1 = [(1 - z[0]!) * hh[0]!, (1 - z[1]!) * hh[1]!];
    const { output } = runOnReference(gru, {}, 2, inputs, params);
    closeTo(output[0]![0], h1, 1e-12);
    closeTo(
      output,
      [
        [
          [-0.2042928549555511, 0.13697928274435664],
          [0.046745990963211054, 0.09310367516951695],
        ],
      ],
      1e-12,
    );
  });

  it('uses the Keras 3 hard sigmoid when asked', () => {
    const { output } = runOnReference(gru, { recurrentActivation: 'hardSigmoidKeras3' }, 2, inputs, params);
    closeTo(
      output,
      [
        [
          [-0.20383524417155716, 0.1299245688175406],
          [0.0744646773396779, 0.08491482109134445],
        ],
      ],
      1e-12,
    );
  });

  it('has bias [2, 3*units] and reproduces the worked count', () => {
    expect(paramSpecs(gru, { inputSize: 45, units: 64 }).map((p) => p.shape)).toEqual([
      [45, 192],
      [64, 192],
      [2, 192],
    ]);
    expect(countParams(gru, { inputSize: 45, units: 64 })).toBe(21312);
    expect(explainParamCount(gru, { inputSize: 45, units: 64 }).formula).toBe(
      '(45*64)*3 + (64*64)*3 + (2*64)*3 = 21312',
    );
    expect(countParams(gru, { inputSize: 45, units: 64, useBias: false })).toBe(20928);
  });

  it('rejects a non-boolean resetAfter', () => {
    expect(() => countParams(gru, { inputSize: 2, units: 2, resetAfter: 1 })).toThrow(
      'gru.resetAfter: expected a boolean, received 1',
    );
  });
});

describe('gru conformance on the reference ops', () => {
  const configs = [
    { inputSize: 3, units: 4 },
    { inputSize: 3, units: 4, options: { resetAfter: false } },
    {
      inputSize: 2,
      units: 3,
      options: { resetAfter: false, recurrentActivation: 'hardSigmoid', useBias: false },
    },
    { inputSize: 2, units: 3, options: { useBias: false } },
  ];
  for (const check of cellConformanceChecks(gru, createReferenceBackend(), { configs })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});
