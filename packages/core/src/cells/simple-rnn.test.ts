import { describe, expect, it } from 'vitest';
import { countParams, explainParamCount, paramSpecs } from '../params.js';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { closeTo, runOnReference } from '../test-helpers.js';
import { cellConformanceChecks } from '../testing/cell-conformance.js';
import { simpleRNN } from './simple-rnn.js';

// Two inputs, two units, two steps; batch 1.
const inputs = [
  [
    [1, -1],
    [0.5, 2],
  ],
];
const params = {
  kernel: [
    [0.1, 0.2],
    [0.3, -0.4],
  ],
  recurrentKernel: [
    [0.5, -0.1],
    [0.2, 0.3],
  ],
  bias: [0.05, -0.05],
};

describe('simpleRNN', () => {
  it('computes a relu case worked by hand', () => {
    // step 1: x·W + b = [1·0.1 − 1·0.3 + 0.05, 1·0.2 + 1·0.4 − 0.05] = [−0.15, 0.55] → relu → [0, 0.55]
    // step 2: x·W + b = [0.05 + 0.6 + 0.05, 0.1 − 0.8 − 0.05] = [0.7, −0.75]
    //         h·U = [0.55·0.2, 0.55·0.3] = [0.11, 0.165] → [0.81, −0.585] → relu → [0.81, 0]
    const { output, state } = runOnReference(simpleRNN, { activation: 'relu' }, 2, inputs, params);
    closeTo(
      output,
      [
        [
          [0, 0.55],
          [0.81, 0],
        ],
      ],
      1e-12,
    );
    closeTo(state, [[[0.81, 0]]], 1e-12);
  });

  it('computes the tanh case (default activation)', () => {
    // Same sums as above through tanh: h1 = tanh([−0.15, 0.55]); h2 = tanh([0.7, −0.75] + h1·U).
    const h1 = [Math.tanh(-0.15), Math.tanh(0.55)];
    const h2 = [
      Math.tanh(0.7 + h1[0]! * 0.5 + h1[1]! * 0.2),
      Math.tanh(-0.75 + h1[0]! * -0.1 + h1[1]! * 0.3),
    ];
    const { output } = runOnReference(simpleRNN, {}, 2, inputs, params);
    closeTo(output, [[h1, h2]], 1e-12);
    // Independent float64 computation (scalar Python) of the same case.
    closeTo(
      output,
      [
        [
          [-0.14888503362331793, 0.5005202111902353],
          [0.6204039385742093, -0.5262578081218267],
        ],
      ],
      1e-12,
    );
  });

  it('has Keras weight layout and count', () => {
    expect(paramSpecs(simpleRNN, { inputSize: 45, units: 64 }).map((p) => [p.name, p.shape])).toEqual([
      ['kernel', [45, 64]],
      ['recurrentKernel', [64, 64]],
      ['bias', [64]],
    ]);
    expect(countParams(simpleRNN, { inputSize: 45, units: 64 })).toBe(7040);
    expect(explainParamCount(simpleRNN, { inputSize: 45, units: 64 }).formula).toBe(
      '45*64 + 64*64 + 64 = 7040',
    );
    expect(countParams(simpleRNN, { inputSize: 45, units: 64, useBias: false })).toBe(6976);
  });

  it('rejects an unknown activation, naming the option and the known ones', () => {
    expect(() => countParams(simpleRNN, { inputSize: 2, units: 2, activation: 'swoosh' })).toThrow(
      /simpleRNN\.activation: unknown activation "swoosh"; known activations: linear, tanh/,
    );
  });
});

describe('simpleRNN conformance on the reference ops', () => {
  const ref = createReferenceBackend();
  const configs = [
    { inputSize: 3, units: 4 },
    { inputSize: 2, units: 5, options: { activation: 'relu' } },
    { inputSize: 3, units: 2, options: { useBias: false } },
  ];
  for (const check of cellConformanceChecks(simpleRNN, ref, { configs })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});
