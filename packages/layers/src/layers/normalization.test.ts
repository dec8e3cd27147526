/**
 * Normalization: statistics adapted from arrays, host tensors, backend tensors and streams of batches (against the
 * mean and population variance written out in float64), given statistics, `invert`, kept axes, training leaving the
 * statistics alone, saving, the Keras mapping, and errors. Masks, leaks and the config round trip: the layer
 * conformance kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { saveKerasModel } from '../saving/keras/save.js';
import { loadModel, saveModel } from '../saving/native/save-load.js';
import { expectClose, newBackend, values } from '../test-helpers.js';
import { cpuBackend, seeded } from '../training/test-helpers.js';
import { dense } from './dense.js';
import { normalization } from './normalization.js';

/** [samples 4, steps 3, features 2], features on different scales. */
const data = Array.from({ length: 4 }, (_, i) =>
  Array.from({ length: 3 }, (_, t) => [
    10 + 3 * seeded(1, `a${i}${t}`)[0]!,
    -2 + 0.5 * seeded(1, `b${i}${t}`)[0]!,
  ]),
);
const flat = data.flat(2);
/** Per feature: the mean and population variance over samples and steps, in float64. */
const moments = (f: number) => {
  const v = flat.filter((_, i) => i % 2 === f);
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { m, s2: v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length };
};
const FLOAT32 = { atol: 0, rtol: 2 ** -23 };

describe('Normalization', () => {
  it('adapts one mean and variance per feature and normalizes with them (the weights float32)', () => {
    const ref = newBackend();
    const norm = normalization();
    norm.adapt(data);
    const m = sequential<RefTensor>([norm], { backend: ref, inputShape: [null, 2] });
    const [mean, variance, count] = m.getWeightData();
    expectClose('mean', mean!.values, [moments(0).m, moments(1).m], FLOAT32);
    expectClose('variance', variance!.values, [moments(0).s2, moments(1).s2], FLOAT32);
    expect(Array.from(count!.values)).toEqual([0]);
    expect(m.trainableWeights).toHaveLength(0);
    const y = values(ref, m.predict(data) as RefTensor);
    const expected = flat.map((v, i) => (v - mean!.values[i % 2]!) / Math.sqrt(variance!.values[i % 2]!));
    expectClose('output', y, expected, { atol: 1e-12, rtol: 1e-12 });
  });

  it('accumulates a stream of batches to the statistics of the whole, and adapts a built layer in place', async () => {
    const whole = normalization();
    whole.adapt({ data: Float32Array.from(flat), shape: [4, 3, 2] });
    const ref = newBackend();
    const streamed = normalization();
    const m = sequential<RefTensor>([streamed], { backend: ref, inputShape: [null, 2] });
    function* batches() {
      yield data.slice(0, 1);
      yield ref.tensor(data.slice(1, 3));
      yield { data: Float32Array.from(data.slice(3).flat(2)), shape: [1, 3, 2] };
    }
    await streamed.adapt(batches());
    const w = sequential<RefTensor>([whole], { backend: ref, inputShape: [null, 2] }).getWeightData();
    m.getWeightData()
      .slice(0, 2)
      .forEach((got, i) => {
        expectClose(`streamed ${got.name}`, got.values, w[i]!.values, { atol: 1e-6, rtol: 1e-6 });
      });
  });

  it('takes given statistics, inverts, keeps several axes or none', () => {
    const ref = newBackend();
    const given = sequential<RefTensor>([normalization({ mean: [1, 2], variance: 4 })], {
      backend: ref,
      inputShape: [2],
    });
    expect(given.weights).toHaveLength(0);
    expect(Array.from(values(ref, given.predict([[3, 2]]) as RefTensor))).toEqual([1, 0]);
    const inverted = sequential<RefTensor>([normalization({ mean: [1, 2], variance: 4, invert: true })], {
      backend: ref,
      inputShape: [2],
    });
    expect(Array.from(values(ref, inverted.predict([[1, 0]]) as RefTensor))).toEqual([3, 2]);
    // One pair per step and feature: [3, 2] statistics.
    const perStep = normalization({ axis: [1, 2] });
    perStep.adapt(data);
    const p = sequential<RefTensor>([perStep], { backend: ref, inputShape: [3, 2] });
    expect(p.getWeightData()[0]!.shape).toEqual([3, 2]);
    const column = data.map((s) => s[1]![0]!);
    const cm = column.reduce((a, b) => a + b, 0) / 4;
    expectClose('mean of step 1, feature 0', [p.getWeightData()[0]!.values[2]!], [cm], FLOAT32);
    // One pair for every entry.
    const all = normalization({ axis: null });
    all.adapt(data);
    const a = sequential<RefTensor>([all], { backend: ref, inputShape: [null, 2] });
    const mean = flat.reduce((x, y) => x + y, 0) / flat.length;
    expectClose('scalar mean', a.getWeightData()[0]!.values, [mean], FLOAT32);
  });

  it('is left alone by training, and keeps its statistics through saveModel', async () => {
    const backend = cpuBackend();
    const norm = normalization();
    norm.adapt(data);
    const m = sequential([norm, dense({ units: 1 })], { backend, seed: 2, inputShape: [null, 2] });
    const before = m.getWeightData().slice(0, 3);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await m.fit(
      data,
      data.map((s) => s.map(() => [1])),
      { epochs: 2, verbose: 0 },
    );
    expect(m.getWeightData().slice(0, 3)).toEqual(before);
    const loaded = await loadModel(await saveModel(m), { backend });
    expect(loaded.getWeightData()).toEqual(m.getWeightData());
    await expect(saveKerasModel(m)).rejects.toThrow(
      'saveKerasModel: layer normalization (Normalization): tfjs-layers 4.22 has no Normalization layer; save with saveModel',
    );
    loaded.dispose();
    m.dispose();
  });

  it('names the argument, what it received and what it expects', () => {
    expect(() => normalization({ mean: 1 })).toThrow(
      'normalization variance: expected to be given with the other (mean and variance both, or neither to adapt them), received undefined',
    );
    expect(() => normalization({ mean: 0, variance: -1 })).toThrow(
      'normalization variance: expected values of 0 or more',
    );
    expect(() => normalization({ axis: 0 })).toThrow('normalization axis');
    expect(() => normalization({ mean: 0, variance: 1 }).adapt(data)).toThrow(
      'normalization (Normalization) adapt: the layer was given its mean and variance; adapt learns them instead',
    );
    const ref = newBackend();
    const wrongSize = normalization();
    wrongSize.adapt([[[1, 2, 3]]]);
    expect(() => sequential<RefTensor>([wrongSize], { backend: ref, inputShape: [null, 2] })).toThrow(
      "normalization (Normalization): the data given to adapt has kept axes of sizes [3], the layer's input [2]",
    );
    expect(() =>
      sequential<RefTensor>([normalization({ axis: 1 })], { backend: ref, inputShape: [null, 2] }),
    ).toThrow(
      'normalization (Normalization): axis 1 of the input [null, null, 2] keeps its own statistics, so its size must be known',
    );
    expect(() => normalization().adapt([[1, 2], [3]] as never)).toThrow(
      'normalization (Normalization) adapt(data): expected nested arrays with rows of one length each',
    );
    expect(() => normalization().adapt(42 as never)).toThrow(
      "normalization (Normalization) adapt(data): expected nested arrays of numbers, { data, shape }, a tensor of the layer's backend, or an iterable of such batches",
    );
    expect(() => normalization().adapt({ data: [1, 2, 3], shape: [2, 2] })).toThrow(
      'normalization (Normalization) adapt(data): expected data of 4 values for shape [2, 2] (it has 3)',
    );
  });

  it('checks batches against each other, given statistics before making tensors, and a disposed layer', async () => {
    function* mixed() {
      yield [[1, 2]];
      yield [[1, 2, 3]];
    }
    await expect(normalization().adapt(mixed())).rejects.toThrow(
      'normalization (Normalization): a batch given to adapt has kept axes of sizes [3], the batches before it [2]',
    );
    const ref = newBackend();
    const before = ref.memory().numTensors;
    expect(() =>
      sequential<RefTensor>([normalization({ mean: [1, 2], variance: [1, 2, 3] })], {
        backend: ref,
        inputShape: [2],
      }),
    ).toThrow('normalization (Normalization) variance: 3 values, the kept axes [2] have 2 entries');
    expect(ref.memory().numTensors).toBe(before);
    const m = sequential<RefTensor>([normalization({ mean: 0, variance: 1 })], {
      backend: ref,
      inputShape: [2],
    });
    const layer = m.layers[0]!;
    m.dispose();
    expect(ref.memory().numTensors).toBe(before);
    expect(() => layer.apply(ref.tensor([[1, 2]]))).toThrow('normalization (Normalization): it was disposed');
  });
});
