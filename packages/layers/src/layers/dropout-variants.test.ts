/**
 * GaussianDropout and AlphaDropout: what their training draws do (the noise's mean and spread; the two values an
 * alpha-dropped entry can take, the share dropped, and the mean and variance they keep), reproducibility, noise shared
 * along `noiseShape`'s axes of size 1, inference as tfjs-layers 4.22 (pass-through), their Keras configs, and errors.
 * Gradients, masks, leaks and the config round trip: the layer conformance kit (`conformance.test.ts`).
 */
import { createRng, type RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { expectTfjsReloadAgrees } from '../saving/keras/keras-test-helpers.js';
import { loadKerasModel } from '../saving/keras/load.js';
import { newBackend, randomValues, useTfjsCpu, values } from '../test-helpers.js';
import { AlphaDropout, alphaDropout } from './alpha-dropout.js';
import { dense } from './dense.js';
import { GaussianDropout, gaussianDropout } from './gaussian-dropout.js';

beforeAll(useTfjsCpu);

const meanOf = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
const varianceOf = (v: ArrayLike<number>) => {
  const m = meanOf(v);
  return Array.from(v).reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
};

/** SELU's negative saturation value −λα, written out. */
const SATURATED = -1.0507009873554805 * 1.6732632423543772;

describe('GaussianDropout', () => {
  it('multiplies by noise of mean 1 and spread √(rate / (1 − rate)) in training, reproducibly; passes through at inference', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([gaussianDropout({ rate: 0.2 })], {
      backend: ref,
      inputShape: [null, 100],
    });
    const x = ref.fill([4, 50, 100], 3);
    const y = values(ref, model.apply(x, { training: true, rng: 4 }) as RefTensor);
    const noise = y.map((v) => v / 3);
    // 20,000 draws of spread 0.5: the mean's standard error is 0.0035, the spread's 0.0025.
    expect(Math.abs(meanOf(noise) - 1)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(varianceOf(noise)) - 0.5)).toBeLessThan(0.02);
    expect(values(ref, model.apply(x, { training: true, rng: 4 }) as RefTensor)).toEqual(y);
    expect(values(ref, model.apply(x, { training: true, rng: 5 }) as RefTensor)).not.toEqual(y);
    expect(values(ref, model.apply(x) as RefTensor)).toEqual(values(ref, x));
    const own = gaussianDropout({ rate: 0.5, seed: 8 }).build(ref, [null, 4]);
    const first = ref.toArray(own.apply(ref.fill([2, 4], 1), { training: true }) as RefTensor);
    expect(ref.toArray(own.apply(ref.fill([2, 4], 1), { training: true }) as RefTensor)).not.toEqual(first);
    expect(GaussianDropout.fromConfig(own.getConfig()).getConfig()).toEqual(own.getConfig());
  });
});

describe('AlphaDropout', () => {
  it("drops entries to SELU's saturation, then keeps inputs of mean 0 and variance 1 so (as Keras' formula)", () => {
    const ref = newBackend();
    const rate = 0.2;
    const model = sequential<RefTensor>([alphaDropout({ rate })], { backend: ref, inputShape: [null, 100] });
    const rng = createRng('standard normal');
    const xs = Float64Array.from({ length: 4 * 100 * 100 }, () => rng.normal());
    const x = ref.tensor(xs, [4, 100, 100]);
    const y = values(ref, model.apply(x, { training: true, rng: 3 }) as RefTensor);
    const a = ((1 - rate) * (1 + rate * SATURATED ** 2)) ** -0.5;
    const b = -a * SATURATED * rate;
    // Each entry is either a·x + b (kept) or a·(−λα) + b (dropped).
    let dropped = 0;
    y.forEach((v, i) => {
      if (Math.abs(v - (a * SATURATED + b)) < 1e-12) dropped++;
      else expect(v).toBeCloseTo(a * xs[i]! + b, 12);
    });
    // 40,000 draws: the share dropped has standard error 0.002; the mean's 0.005 and the variance's ~0.01.
    expect(Math.abs(dropped / y.length - rate)).toBeLessThan(0.01);
    expect(Math.abs(meanOf(y))).toBeLessThan(0.03);
    expect(Math.abs(varianceOf(y) - 1)).toBeLessThan(0.05);
    expect(Math.abs(varianceOf(xs) - 1)).toBeLessThan(0.05);
    expect(values(ref, model.apply(x, { training: true, rng: 3 }) as RefTensor)).toEqual(y);
    expect(values(ref, model.apply(x) as RefTensor)).toEqual(xs);
  });

  it('shares one draw along the axes of size 1 in noiseShape', () => {
    const ref = newBackend();
    const layer = alphaDropout({ rate: 0.5, noiseShape: [null, 1, null] }).build(ref, [null, 6, 8]);
    const y = ref.toArray(
      layer.apply(ref.fill([3, 6, 8], 0), { training: true, rng: 2 }) as RefTensor,
    ) as number[][][];
    // Zero input: a kept entry is b, a dropped one a·(−λα) + b; every step of a sequence drops the same features.
    for (const sequence of y) for (const step of sequence) expect(step).toEqual(sequence[0]);
    expect(new Set(y.flat(2)).size).toBe(2);
    expect(() =>
      alphaDropout({ rate: 0.5, noiseShape: [null, 1] })
        .build(ref, [null, 6, 8])
        .apply(ref.fill([1, 6, 8], 0), { training: true }),
    ).toThrow('alpha_dropout (AlphaDropout) noiseShape: has rank 2, the input has rank 3');
    expect(AlphaDropout.fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
  });

  it('name the argument, what it received and what it expects', () => {
    expect(() => alphaDropout({ rate: 1 })).toThrow(
      'alphaDropout rate: expected a rate in [0, 1), received 1',
    );
    expect(() => alphaDropout({ rate: 0.1, seed: 0.5 })).toThrow(
      'alphaDropout seed: expected a safe integer',
    );
    expect(() => alphaDropout({ rate: 0.1, noise: [1] } as never)).toThrow('alphaDropout');
    expect(() => gaussianDropout({ rate: -0.1 })).toThrow('gaussianDropout rate');
    expect(() => gaussianDropout({ rate: 0.1, noiseShape: [1] } as never)).toThrow(
      'gaussianDropout options: unknown option "noiseShape"',
    );
  });

  it('both save for tfjs-layers, which predicts the same, and load from Keras configs', async () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        dense({ units: 4, activation: 'selu' }),
        alphaDropout({ rate: 0.1, seed: 2 }),
        gaussianDropout({ rate: 0.3 }),
        dense({ units: 2 }),
      ],
      { backend: ref, seed: 6, inputShape: [null, 3] },
    );
    const { artifacts, layers: configs } = await expectTfjsReloadAgrees('dropouts', ours, [
      { values: randomValues(2 * 5 * 3, 'dropouts'), shape: [2, 5, 3] },
    ]);
    expect(configs.map((l) => l.class_name)).toEqual(['Dense', 'AlphaDropout', 'GaussianDropout', 'Dense']);
    expect(configs[1]!.config).toMatchObject({ rate: 0.1, seed: 2, noise_shape: null });
    expect(configs[2]!.config).toMatchObject({ rate: 0.3, seed: null });
    const back = await loadKerasModel<RefTensor>(artifacts, { backend: ref });
    expect(back.layers.slice(1, 3).map((l) => l.getConfig())).toEqual(
      ours.layers.slice(1, 3).map((l) => l.getConfig()),
    );
  });
});
