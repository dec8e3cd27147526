/**
 * ReLU (cap, threshold, slope), ELU, Softmax and PReLU, by hand and against tfjs-layers 4.22's reLU, elu, softmax and
 * prelu on the same weights (atol 1e-5). Gradients, masks, leaks and the config round trip: the layer conformance
 * kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import {
  copyWeightsToTfjs,
  expectClose,
  newBackend,
  randomValues,
  tfjsChain,
  tfjsPredict,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { dense } from './dense.js';
import { elu } from './elu.js';
import { prelu } from './prelu.js';
import { reLU } from './relu.js';
import { softmax } from './softmax.js';

beforeAll(useTfjsCpu);

const ref = newBackend();
const run = (
  layer: { build: (b: typeof ref, s: (number | null)[]) => { apply(x: RefTensor): unknown } },
  v: number[],
) => Array.from(values(ref, layer.build(ref, [null, v.length]).apply(ref.tensor([v])) as RefTensor));

describe('ReLU, ELU, Softmax, PReLU', () => {
  it('compute their formulas, by hand', () => {
    const v = [-2, -0.5, 0.25, 1, 3];
    expect(run(reLU(), v)).toEqual([0, 0, 0.25, 1, 3]);
    expect(run(reLU({ maxValue: 1.5 }), v)).toEqual([0, 0, 0.25, 1, 1.5]);
    // Below the threshold: slope · (x − threshold); above it: x, capped.
    const keras = (x: number) => (x > 0.5 ? Math.min(x, 2) : 0.1 * (x - 0.5));
    expectClose(
      'relu threshold, slope, cap',
      run(reLU({ threshold: 0.5, negativeSlope: 0.1, maxValue: 2 }), v),
      v.map(keras),
      {
        atol: 1e-15,
        rtol: 0,
      },
    );
    expectClose(
      'relu slope only',
      run(reLU({ negativeSlope: 0.2 }), v),
      v.map((x) => (x > 0 ? x : 0.2 * x)),
      {
        atol: 1e-15,
        rtol: 0,
      },
    );
    expectClose(
      'elu',
      run(elu({ alpha: 0.5 }), v),
      v.map((x) => (x > 0 ? x : 0.5 * Math.expm1(x))),
      {
        atol: 1e-12,
        rtol: 0,
      },
    );
    const e = v.map(Math.exp);
    const total = e.reduce((a, b) => a + b, 0);
    expectClose(
      'softmax',
      run(softmax(), v),
      e.map((x) => x / total),
      { atol: 1e-15, rtol: 1e-12 },
    );
    expect(() => softmax({ axis: 0 })).toThrow(
      'softmax axis: expected a nonzero integer (axis 0 is the batch), received 0',
    );
    expect(() => reLU({ negativeSlope: -1 })).toThrow('reLU negativeSlope');
    expectClose(
      'elu with a negative alpha',
      run(elu({ alpha: -0.5 }), v),
      v.map((x) => (x > 0 ? x : -0.5 * Math.expm1(x))),
      {
        atol: 1e-12,
        rtol: 0,
      },
    );
    expect(() =>
      sequential<RefTensor>([softmax({ axis: 3 })], { backend: ref, inputShape: [null, 2] }),
    ).toThrow(
      'softmax (Softmax) axis: 3 is not an axis of the rank-3 input [null, null, 2] other than the batch (1 to 2, or -1 to -2)',
    );
  });

  it('match tfjs-layers on the same weights (atol 1e-5)', () => {
    const ours = sequential<RefTensor>(
      [
        dense({ units: 4 }),
        reLU({ maxValue: 0.8 }),
        dense({ units: 4 }),
        // tfjs-layers 4.22's ELU takes only alpha 1 (it throws otherwise).
        elu(),
        dense({ units: 4 }),
        prelu({ sharedAxes: [1], alphaInitializer: { name: 'uniform', minval: 0, maxval: 0.5 } }),
        softmax(),
      ],
      { backend: ref, seed: 3, inputShape: [5, 3] },
    );
    const theirs = tfjsChain(
      [5, 3],
      [
        tfl.layers.dense({ units: 4 }),
        tfl.layers.reLU({ maxValue: 0.8 }),
        tfl.layers.dense({ units: 4 }),
        tfl.layers.elu(),
        tfl.layers.dense({ units: 4 }),
        tfl.layers.prelu({ sharedAxes: [1] }),
        tfl.layers.softmax({ axis: -1 }), // tfjs-layers' default axis is 1, Keras' -1
      ],
    );
    copyWeightsToTfjs(ours, theirs);
    expect(ours.getWeightData().at(-1)!.shape).toEqual([1, 4]);
    const x = randomValues(2 * 5 * 3, 'advanced activations');
    expectClose(
      'activations',
      values(ref, ours.predict(ref.tensor(x, [2, 5, 3])) as RefTensor),
      tfjsPredict(theirs, [{ values: x, shape: [2, 5, 3] }])[0]!,
    );
    theirs.dispose();
  });

  it('PReLU learns a slope per entry, or shares it; it names an unknown axis that is not shared', () => {
    const layer = prelu({ alphaInitializer: { name: 'constant', value: 0.25 } }).build(ref, [null, 3]);
    expect(Array.from(values(ref, layer.apply(ref.tensor([[-4, 0, 2]])) as RefTensor))).toEqual([-1, 0, 2]);
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([['p_re_lu/alpha', [3]]]);
    expect(() => sequential<RefTensor>([prelu()], { backend: ref, inputShape: [null, 3] })).toThrow(
      'p_re_lu (PReLU): axis 1 of the input [null, null, 3] is unknown, so it cannot have a slope per entry; share it (sharedAxes: [1])',
    );
    expect(() =>
      sequential<RefTensor>([prelu({ sharedAxes: [3] })], { backend: ref, inputShape: [null, 3] }),
    ).toThrow('p_re_lu (PReLU) sharedAxes: axes 3 are not axes of the input [null, null, 3] (1 to 2)');
    expect(() => prelu({ sharedAxes: [0] })).toThrow(
      'prelu sharedAxes: expected a list of axes from 1 (the batch, 0, left out), received [0]',
    );
  });
});
