/**
 * GaussianNoise (its draws' mean and spread, reproducibility, inference pass-through) and LeakyReLU (by hand and
 * against tfjs-layers 4.22's leakyReLU, atol 1e-5). Gradients, masks, leaks and the config round trip: the layer
 * conformance kit (`conformance.test.ts`).
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
import { GaussianNoise, gaussianNoise } from './gaussian-noise.js';
import { leakyReLU } from './leaky-relu.js';

beforeAll(useTfjsCpu);

describe('GaussianNoise', () => {
  it('adds zero-mean noise of the given spread in training, reproducibly; passes inputs through at inference', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([gaussianNoise({ stddev: 0.5 })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 100],
    });
    const x = ref.fill([4, 50, 100], 2);
    const y = values(ref, model.apply(x, { training: true, rng: 9 }) as RefTensor);
    const noise = y.map((v) => v - 2);
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const std = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / noise.length);
    // 20,000 draws: the mean's standard error is 0.5 / √20000 ≈ 0.0035, the spread's ≈ 0.0025.
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(std - 0.5)).toBeLessThan(0.02);
    expect(values(ref, model.apply(x, { training: true, rng: 9 }) as RefTensor)).toEqual(y);
    expect(values(ref, model.apply(x, { training: true, rng: 10 }) as RefTensor)).not.toEqual(y);
    expect(values(ref, model.apply(x) as RefTensor)).toEqual(values(ref, x));
  });

  it('uses its own seed when given, and checks its options', () => {
    const ref = newBackend();
    const make = () => gaussianNoise({ stddev: 1, seed: 3 }).build(ref, [null, 4]);
    const x = ref.fill([2, 4], 0);
    const a = make();
    const first = ref.toArray(a.apply(x, { training: true }) as RefTensor);
    expect(ref.toArray(a.apply(x, { training: true }) as RefTensor)).not.toEqual(first);
    expect(ref.toArray(make().apply(x, { training: true }) as RefTensor)).toEqual(first);
    expect(GaussianNoise.fromConfig(a.getConfig()).getConfig()).toEqual(a.getConfig());
    expect(() => gaussianNoise({ stddev: -1 })).toThrow('gaussianNoise stddev');
    expect(() => gaussianNoise({ stddev: 0.1, seed: 1.5 })).toThrow(
      'gaussianNoise seed: expected a safe integer, received 1.5',
    );
  });
});

describe('LeakyReLU', () => {
  it('keeps positives and scales negatives by the slope, as tfjs-layers (atol 1e-5)', () => {
    const ref = newBackend();
    const layer = leakyReLU({ negativeSlope: 0.2 }).build(ref, [null, 4]);
    expect(Array.from(values(ref, layer.apply(ref.tensor([-2, -0.5, 0, 3], [1, 4])) as RefTensor))).toEqual([
      -0.4, -0.1, 0, 3,
    ]);
    expect(leakyReLU().negativeSlope).toBe(0.3);
    const ours = sequential<RefTensor>([dense({ units: 5 }), leakyReLU({ negativeSlope: 0.1 })], {
      backend: ref,
      seed: 2,
      inputShape: [null, 3],
    });
    const theirs = tfjsChain(
      [null, 3],
      [tfl.layers.dense({ units: 5 }), tfl.layers.leakyReLU({ alpha: 0.1 })],
    );
    copyWeightsToTfjs(ours, theirs);
    const x = randomValues(2 * 4 * 3, 'leaky');
    expectClose(
      'leakyReLU',
      values(ref, ours.predict(ref.tensor(x, [2, 4, 3])) as RefTensor),
      tfjsPredict(theirs, [{ values: x, shape: [2, 4, 3] }])[0]!,
    );
    theirs.dispose();
    expect(() => leakyReLU({ negativeSlope: -1 })).toThrow('leakyReLU negativeSlope');
    expect(() => leakyReLU({ alpha: 0.1 } as never)).toThrow('alpha');
  });
});
