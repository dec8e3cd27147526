import { describe, expect, it } from 'vitest';
import { countParams, explainParamCount, initParams, paramSpecs } from '../params.js';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { closeTo, runOnReference } from '../test-helpers.js';
import { cellConformanceChecks } from '../testing/cell-conformance.js';
import { lstm } from './lstm.js';

// Two inputs, two units, two steps; gates stacked i, f, c, o (two columns each).
const inputs = [
  [
    [1, -1],
    [0.5, 2],
  ],
];
const params = {
  kernel: [
    [0.1, -0.2, 0.3, 0.05, -0.1, 0.2, 0.15, -0.25],
    [0.2, 0.1, -0.3, 0.25, 0.3, -0.05, 0.1, 0.2],
  ],
  recurrentKernel: [
    [0.05, 0.1, -0.1, 0.2, 0.15, -0.2, 0.1, 0.05],
    [-0.15, 0.2, 0.05, -0.1, 0.1, 0.25, -0.05, 0.3],
  ],
  bias: [0, 0.1, 1, 1, 0.2, -0.1, 0.05, 0],
};

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('lstm', () => {
  it('computes a case worked by hand', () => {
    // Step 1 (h = c = 0): z = x·W + b, with x = [1, −1]:
    //   i: [0.1−0.2+0, −0.2−0.1+0.1] = [−0.1, −0.2]      f: [0.3+0.3+1, 0.05−0.25+1] = [1.6, 0.8]
    //   g: [−0.1−0.3+0.2, 0.2+0.05−0.1] = [−0.2, 0.15]   o: [0.15−0.1+0.05, −0.25−0.2+0] = [0.1, −0.45]
    //   c1 = σ(i)·tanh(g) (f·c0 = 0), h1 = σ(o)·tanh(c1)
    const c1 = [sigmoid(-0.1) * Math.tanh(-0.2), sigmoid(-0.2) * Math.tanh(0.15)];
    const h1 = [sigmoid(0.1) * Math.tanh(c1[0]!), sigmoid(-0.45) * Math.tanh(c1[1]!)];
    const { output, state } = runOnReference(lstm, {}, 2, inputs, params);
    closeTo(output[0]![0], h1, 1e-12);
    // Both steps, from an independent scalar float64 implementation (Python):
    closeTo(
      output,
      [
        [
          [-0.049076957190781006, 0.02605711380987292],
          [0.18212058335330578, 0.005136550522377576],
        ],
      ],
      1e-12,
    );
    closeTo(
      state,
      [[[0.18212058335330578, 0.005136550522377576]], [[0.32556204479894885, 0.009017506241871427]]],
      1e-12,
    );
  });

  it('uses the tfjs-layers hard sigmoid when asked', () => {
    const { output, state } = runOnReference(lstm, { recurrentActivation: 'hardSigmoid' }, 2, inputs, params);
    closeTo(
      output,
      [
        [
          [-0.04911801166313989, 0.0280358970573517],
          [0.1716073685486701, 0.005639849805030151],
        ],
      ],
      1e-12,
    );
    closeTo(state[1], [[0.31437305315025055, 0.010140479411405452]], 1e-12);
  });

  it('reproduces the worked parameter count', () => {
    expect(countParams(lstm, { inputSize: 45, units: 64 })).toBe(28160);
    expect(explainParamCount(lstm, { inputSize: 45, units: 64 }).formula).toBe(
      '(45*64)*4 + (64*64)*4 + 64*4 = 28160',
    );
    expect(countParams(lstm, { inputSize: 1, units: 1 })).toBe(12);
    expect(countParams(lstm, { inputSize: 128, units: 256 })).toBe(4 * (128 * 256 + 256 * 256 + 256));
  });

  it('starts the forget bias at 1 with unitForgetBias (the default) and not without', () => {
    expect(paramSpecs(lstm, { inputSize: 3, units: 2 }).map((p) => p.shape)).toEqual([[3, 8], [2, 8], [8]]);
    const withForget = initParams(lstm, { inputSize: 3, units: 2 }, 1).bias!.values;
    expect(Array.from(withForget)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const plain = initParams(lstm, { inputSize: 3, units: 2, unitForgetBias: false }, 1).bias!.values;
    expect(Array.from(plain)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const custom = initParams(
      lstm,
      { inputSize: 3, units: 2, biasInitializer: { name: 'constant', value: 0.5 } },
      1,
    );
    expect(Array.from(custom.bias!.values)).toEqual([0.5, 0.5, 1, 1, 0.5, 0.5, 0.5, 0.5]);
  });

  it('rejects bad options by name', () => {
    expect(() => countParams(lstm, { inputSize: 2, units: 2, unitForgetBias: 'yes' })).toThrow(
      'lstm.unitForgetBias: expected a boolean, received "yes"',
    );
    expect(() => countParams(lstm, { inputSize: 2, units: 2, recurrentActivation: 'hard_sigmoid' })).toThrow(
      /lstm\.recurrentActivation: unknown activation "hard_sigmoid"/,
    );
    expect(() => countParams(lstm, { inputSize: 2, units: 2, forgetBias: 1 })).toThrow(
      /lstm: unknown option "forgetBias"; options of lstm: activation, useBias/,
    );
  });
});

describe('lstm conformance on the reference ops', () => {
  const configs = [
    { inputSize: 3, units: 4 },
    { inputSize: 2, units: 3, options: { recurrentActivation: 'hardSigmoid', unitForgetBias: false } },
    { inputSize: 4, units: 2, options: { useBias: false, activation: 'relu' } },
  ];
  for (const check of cellConformanceChecks(lstm, createReferenceBackend(), { configs })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});
