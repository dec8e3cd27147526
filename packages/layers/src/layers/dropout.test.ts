import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { newBackend, values } from '../test-helpers.js';
import { Dropout, dropout } from './dropout.js';
import { SpatialDropout1D, spatialDropout1d } from './spatial-dropout-1d.js';

describe('Dropout', () => {
  it('passes inputs through at inference, as a new tensor', () => {
    const ref = newBackend();
    const layer = dropout({ rate: 0.5 }).build(ref, [null, 4]);
    const x = ref.fill([2, 4], 3);
    const y = layer.apply(x) as RefTensor;
    expect(y).not.toBe(x);
    expect(ref.toArray(y)).toEqual(ref.toArray(x));
  });

  it('drops entries with inverted scaling in training, reproducibly from the rng', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([dropout({ rate: 0.25 })], {
      backend: ref,
      seed: 1,
      inputShape: [1000],
    });
    const x = ref.fill([1, 1000], 1);
    const y = values(ref, model.apply(x, { training: true, rng: 7 }) as RefTensor);
    expect(new Set(y)).toEqual(new Set([0, Math.fround(1 / 0.75)])); // masks are float32, as Keras
    const dropped = y.filter((v) => v === 0).length;
    expect(dropped).toBeGreaterThan(200);
    expect(dropped).toBeLessThan(300);
    expect(values(ref, model.apply(x, { training: true, rng: 7 }) as RefTensor)).toEqual(y);
    // Without an rng, each call draws a fresh stream from the model's seed: different masks, same sequence per seed.
    const a = values(ref, model.apply(x, { training: true }) as RefTensor);
    const b = values(ref, model.apply(x, { training: true }) as RefTensor);
    expect(a).not.toEqual(b);
    const again = sequential<RefTensor>([dropout({ rate: 0.25 })], {
      backend: ref,
      seed: 1,
      inputShape: [1000],
    });
    expect(values(ref, again.apply(x, { training: true }) as RefTensor)).toEqual(a);
  });

  it('shares the mask along axes of size 1 in noiseShape, and uses its own seed when given', () => {
    const ref = newBackend();
    const layer = dropout({ rate: 0.5, noiseShape: [null, 1, null], seed: 3 }).build(ref, [null, null, 4]);
    const x = ref.fill([2, 6, 4], 1);
    const y = ref.toArray(layer.apply(x, { training: true }) as RefTensor) as number[][][];
    for (const seq of y) for (const step of seq) expect(step).toEqual(seq[0]);
    const z = ref.toArray(layer.apply(x, { training: true }) as RefTensor);
    expect(z).not.toEqual(y);
    const fresh = dropout({ rate: 0.5, noiseShape: [null, 1, null], seed: 3 }).build(ref, [null, null, 4]);
    expect(ref.toArray(fresh.apply(x, { training: true }) as RefTensor)).toEqual(y);
    expect(() =>
      dropout({ rate: 0.5, noiseShape: [null, 1] })
        .build(ref, [null, null, 4])
        .apply(x, { training: true }),
    ).toThrow('dropout (Dropout) noiseShape: has rank 2, the input has rank 3');
    expect(() => dropout({ rate: 1 })).toThrow('dropout rate: expected a rate in [0, 1), received 1');
    expect(Dropout.fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
  });
});

describe('SpatialDropout1D', () => {
  it('drops whole feature channels: one draw per sequence and feature, shared by every step', () => {
    const ref = newBackend();
    const layer = spatialDropout1d({ rate: 0.5, seed: 4 }).build(ref, [null, null, 50]);
    const x = ref.fill([3, 6, 50], 1);
    const y = ref.toArray(layer.apply(x, { training: true }) as RefTensor) as number[][][];
    for (const seq of y) for (const step of seq) expect(step).toEqual(seq[0]);
    const kept = y.flatMap((seq) => seq[0]!);
    expect(new Set(kept)).toEqual(new Set([0, 2]));
    // Different sequences draw differently (150 channels at rate 0.5: equal rows would be a bug, not chance).
    expect(y[0]![0]).not.toEqual(y[1]![0]);
    expect(ref.toArray(layer.apply(x) as RefTensor)).toEqual(ref.toArray(x));
  });

  it('keeps its config without a noise shape, and checks its options under its own name', () => {
    const layer = spatialDropout1d({ rate: 0.3, seed: 2, name: 'channels' });
    expect(layer.getConfig()).toEqual({ name: 'channels', trainable: true, rate: 0.3, seed: 2 });
    expect(SpatialDropout1D.fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
    expect(() => spatialDropout1d({ rate: 1 })).toThrow(
      'spatialDropout1d rate: expected a rate in [0, 1), received 1',
    );
    expect(() => spatialDropout1d({ rate: 0.1, noiseShape: [null, 1, null] } as never)).toThrow('noiseShape');
    const ref = newBackend();
    expect(() => spatialDropout1d({ rate: 0.1 }).build(ref, [null, 4])).toThrow(
      'spatial_dropout1d (SpatialDropout1D) inputs: expected rank 3 [batch, steps, features]',
    );
  });
});
