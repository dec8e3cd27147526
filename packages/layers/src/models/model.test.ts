import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { dense } from '../layers/dense.js';
import { dropout } from '../layers/dropout.js';
import { embedding } from '../layers/embedding.js';
import { gru, lstm } from '../layers/rnn.js';
import { expectClose, newBackend, randomTensor, values } from '../test-helpers.js';
import { model } from './functional.js';
import { sequential } from './sequential.js';

function small(seed = 1) {
  const ref = newBackend();
  const model = sequential<RefTensor>([lstm({ units: 3, inputShape: [null, 2] }), dense({ units: 2 })], {
    backend: ref,
    seed,
  });
  return { ref, model };
}

describe('building', () => {
  it('builds from the first layer’s inputShape, from build(backend, shape), or from the first batch', () => {
    const ref = newBackend();
    const declared = sequential<RefTensor>([gru({ units: 2, inputShape: [null, 3] })], {
      backend: ref,
      seed: 1,
    });
    expect(declared.built).toBe(true);
    expect(declared.inputs[0]!.shape).toEqual([null, null, 3]);
    const later = sequential([gru({ units: 2 })], { seed: 1 }).build(ref, [null, 5, 3]);
    expect(later.outputs[0]!.shape).toEqual([null, 2]);
    expect(() => later.build(ref, [null, 6, 3])).toThrow(
      'sequential (Sequential) build: already built for input shape [null, 5, 3], received [null, 6, 3]',
    );
    const deferred = sequential<RefTensor>([gru({ units: 2 })], { backend: ref, seed: 1 });
    expect(deferred.built).toBe(false);
    expect(() => deferred.summary({ print: false })).toThrow(
      'sequential (Sequential): not built; give the first layer an inputShape and the model a backend, or call build(backend, inputShape)',
    );
    const y = deferred.predict(randomTensor(ref, [2, 4, 3], 1)) as RefTensor;
    expect(ref.shape(y)).toEqual([2, 2]);
    // The time axis stays open: other lengths work.
    expect(ref.shape(deferred.predict(randomTensor(ref, [1, 7, 3], 1)) as RefTensor)).toEqual([1, 2]);
    expect(deferred.inputs[0]!.shape).toEqual([null, null, 3]);
    expect(declared.getWeightData().map((w) => Array.from(w.values))).toEqual(
      deferred.getWeightData().map((w) => Array.from(w.values)),
    );
    expect(() => deferred.add(dense({ units: 1 }))).toThrow(
      'sequential (Sequential) add: the model is already built',
    );
    expect(() => sequential([]).build(ref, [null, 2])).toThrow(
      'sequential (Sequential): the model has no layers',
    );
    expect(() =>
      sequential([lstm({ units: 2, returnState: true }), dense({ units: 1 })]).build(ref, [null, null, 2]),
    ).toThrow(
      'sequential (Sequential): lstm (LSTM) returns 3 outputs (returnState, or Bidirectional without mergeMode); only the last layer of a Sequential model may',
    );
    expect(() => sequential([gru({ units: 2 })], { inputShape: [null, 3], batchSize: 0 })).toThrow(
      'sequential batchSize: expected a positive integer, received 0',
    );
    const noBackend = sequential([gru({ units: 2, inputShape: [null, 3] })]);
    expect(() => noBackend.backend).toThrow(
      'sequential (Sequential): no backend; pass { backend } when creating it or call build(backend)',
    );
  });

  it("Keras' habits: add() layer by layer; positional arguments and options first get the object form shown", () => {
    const ref = newBackend();
    const added = sequential<RefTensor>([], { backend: ref, seed: 4 })
      .add(lstm({ units: 2, inputShape: [null, 3] }))
      .add(dense({ units: 1 }));
    const listed = sequential<RefTensor>([lstm({ units: 2, inputShape: [null, 3] }), dense({ units: 1 })], {
      backend: ref,
      seed: 4,
    });
    const x = randomTensor(ref, [2, 4, 3], 1);
    expect(values(ref, added.predict(x) as RefTensor)).toEqual(values(ref, listed.predict(x) as RefTensor));
    expect(() => sequential({ backend: ref } as never)).toThrow(
      'sequential(layers): expected an array of layers first, then the options (sequential(layers, options)); to add layers one by one: sequential([], { backend }), then model.add(layer), received',
    );
    expect(() => lstm(32 as never)).toThrow(
      "lstm(options): expected an options object (Keras' positional arguments go in it by name, e.g. { units: 32 }), received 32",
    );
    expect(() => dense(1 as never)).toThrow('dense(options): expected an options object (Keras');
  });

  it('names unnamed layers uniquely within the model, keeping given names', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        lstm({ units: 2, returnSequences: true, inputShape: [null, 2] }),
        lstm({ units: 2, returnSequences: true, name: 'lstm_1' }),
        lstm({ units: 2, returnSequences: true }),
        dense({ units: 1 }),
      ],
      { backend: ref, seed: 1 },
    );
    expect(model.layers.map((l) => l.name)).toEqual(['lstm', 'lstm_1', 'lstm_2', 'dense']);
    expect(model.getLayer('lstm_2')).toBe(model.layers[2]);
    expect(() => model.getLayer('nope')).toThrow(
      'sequential (Sequential) getLayer: no layer named "nope"; expected one of lstm, lstm_1, lstm_2, dense',
    );
  });

  it('draws the same weights from the same seed and different ones from another or no seed', () => {
    const weights = (seed?: number) => {
      const ref = newBackend();
      const model = sequential<RefTensor>(
        [embedding({ inputDim: 5, outputDim: 3 }), lstm({ units: 2 }), dense({ units: 2 })],
        {
          backend: ref,
          inputShape: [null],
          ...(seed === undefined ? {} : { seed }),
        },
      );
      return { seed: model.seed, values: model.getWeightData().map((w) => Array.from(w.values)) };
    };
    expect(weights(3)).toEqual(weights(3));
    expect(weights(3).values).not.toEqual(weights(4).values);
    const a = weights();
    const b = weights();
    expect(typeof a.seed).toBe('number');
    expect(a.values).not.toEqual(b.values);
  });
});

describe('weights', () => {
  it('lists weights in Keras order with trainable flags, and freezes whole layers', () => {
    const { model } = small();
    expect(model.weights.map((w) => w.name)).toEqual([
      'lstm/kernel',
      'lstm/recurrent_kernel',
      'lstm/bias',
      'dense/kernel',
      'dense/bias',
    ]);
    expect(model.trainableWeights).toHaveLength(5);
    model.layers[0]!.trainable = false;
    expect(model.trainableWeights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias']);
    expect(model.nonTrainableWeights.map((w) => w.name)).toEqual([
      'lstm/kernel',
      'lstm/recurrent_kernel',
      'lstm/bias',
    ]);
    expect(model.getWeightData().map((w) => w.trainable)).toEqual([false, false, false, true, true]);
    expect(model.countParams()).toBe(4 * (2 * 3 + 3 * 3 + 3) + 3 * 2 + 2);
  });

  it('gets copies and sets from tensors, arrays or { values }, checking counts, sizes and shapes first', () => {
    const { ref, model } = small();
    const copies = model.getWeights();
    expect(copies[0]).not.toBe(model.weights[0]!.read());
    const data = model.getWeightData();
    const other = small(2).model;
    other.setWeights(
      data.map((d, i) => (i % 3 === 0 ? d : i % 3 === 1 ? d.values : ref.tensor(d.values, d.shape))),
    );
    expect(other.getWeightData().map((w) => Array.from(w.values))).toEqual(
      data.map((w) => Array.from(w.values)),
    );
    expect(() => other.setWeights(data.slice(1))).toThrow(
      'sequential (Sequential) setWeights: expected an array of 5 values (lstm/kernel, lstm/recurrent_kernel, lstm/bias, dense/kernel, dense/bias), received 4 values',
    );
    const before = Array.from(other.getWeightData()[0]!.values);
    expect(() => other.setWeights([...data.slice(0, 4), [1, 2, 3]])).toThrow(
      'sequential (Sequential) setWeights[4] (dense/bias): expected 2 values (shape [2]), received 3',
    );
    expect(() => other.setWeights([ref.fill([3, 2], 0), ...data.slice(1)])).toThrow(
      'sequential (Sequential) setWeights[0] (lstm/kernel): expected shape [2, 12], received shape [3, 2]',
    );
    expect(Array.from(other.getWeightData()[0]!.values)).toEqual(before);
    ref.dispose(copies);
  });

  it('sets from nested arrays in each weight’s shape, as Keras’ set_weights takes them', () => {
    const { model } = small();
    const data = model.getWeightData();
    const other = small(2).model;
    const nested = data.map((d) => {
      if (d.shape.length === 1) return Array.from(d.values);
      const [rows, cols] = d.shape as [number, number];
      return Array.from({ length: rows }, (_, r) => Array.from(d.values.subarray(r * cols, (r + 1) * cols)));
    });
    const before = other.backend.memory().numTensors;
    other.setWeights(nested);
    expect(other.backend.memory().numTensors).toBe(before);
    expect(other.getWeightData().map((w) => Array.from(w.values))).toEqual(
      data.map((w) => Array.from(w.values)),
    );
    expect(() => other.setWeights([nested[1]!, ...nested.slice(1)])).toThrow(
      'sequential (Sequential) setWeights[0] (lstm/kernel): expected shape [2, 12], received shape [3, 12]',
    );
    expect(other.backend.memory().numTensors).toBe(before);
  });
});

describe('layer weights', () => {
  it('a layer gets copies of its weights and sets them in Keras order, from tensors or host values', () => {
    const { ref, model } = small();
    const layer = model.layers[0]!;
    const copies = layer.getWeights<RefTensor>();
    expect(copies.map((t) => ref.shape(t))).toEqual(layer.weights.map((w) => [...w.shape]));
    expect(copies[0]).not.toBe(layer.weights[0]!.read());
    const other = small(2).model;
    const target = other.layers[0]!;
    const data = layer.getWeightData();
    expect(data.map((d) => d.name)).toEqual(['lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias']);
    target.setWeights([
      copies[0]!,
      { data: data[1]!.values, shape: data[1]!.shape },
      Array.from(data[2]!.values),
    ]);
    expect(target.getWeightData().map((d) => Array.from(d.values))).toEqual(
      data.map((d) => Array.from(d.values)),
    );
    const x = randomTensor(ref, [2, 4, 2], 3);
    // The second model's other layer still differs; copying it too makes the models predict alike.
    const head = model.layers[1]!.getWeights<RefTensor>();
    other.layers[1]!.setWeights(head);
    ref.dispose(head);
    expect(values(ref, other.predict(x) as RefTensor)).toEqual(values(ref, model.predict(x) as RefTensor));
    ref.dispose(copies);
    expect(dense({ units: 1 }).getWeights()).toEqual([]);
  });
});

describe('apply: the forward pass training builds on', () => {
  it('substitutes weights given as an array aligned with trainableWeights, leaving stored weights alone', () => {
    const { ref, model } = small();
    const x = randomTensor(ref, [2, 3, 2], 1);
    const other = small(9).model;
    const substitutes = other.trainableWeights.map((w) => w.read<RefTensor>());
    const overridden = values(ref, model.apply(x, { weights: substitutes }) as RefTensor);
    expectClose('override', overridden, values(ref, other.apply(x) as RefTensor), { atol: 0, rtol: 0 });
    expect(values(ref, model.apply(x) as RefTensor)).not.toEqual(overridden);
    // With a frozen layer, the array covers the trainable weights only.
    model.layers[0]!.trainable = false;
    const dense2 = other.trainableWeights.slice(3).map((w) => w.read<RefTensor>());
    const partial = values(ref, model.apply(x, { weights: dense2 }) as RefTensor);
    const byName = values(
      ref,
      model.apply(x, { weights: { 'dense/kernel': dense2[0]!, 'dense/bias': dense2[1]! } }) as RefTensor,
    );
    expect(partial).toEqual(byName);
    const asMap = values(
      ref,
      model.apply(x, { weights: new Map([['dense/kernel', dense2[0]!]]) }) as RefTensor,
    );
    // Both models' dense biases start at zero, so substituting the kernel alone gives the same result.
    expect(asMap).toEqual(partial);
    expect(asMap).not.toEqual(values(ref, model.apply(x) as RefTensor));
    expect(() => model.apply(x, { weights: substitutes })).toThrow(
      'sequential (Sequential) apply weights: expected 2 tensors (one per trainable weight: dense/kernel, dense/bias), received 5',
    );
    expect(() => model.apply(x, { weights: { 'dense/kernal': dense2[0]! } })).toThrow(
      'sequential (Sequential) apply weights: unknown weight "dense/kernal"; the model has lstm/kernel',
    );
    expect(() => model.apply(x, { weights: [dense2[1]!, dense2[0]!] })).toThrow(
      'sequential (Sequential) apply weights[0] (dense/kernel): expected shape [3, 2], received shape [2]',
    );
  });

  it('applies dropout only with training, seeded by rng or by the model seed', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([dense({ units: 8, inputShape: [4] }), dropout({ rate: 0.5 })], {
      backend: ref,
      seed: 1,
    });
    const x = randomTensor(ref, [3, 4], 1);
    const inference = values(ref, model.apply(x) as RefTensor);
    expect(values(ref, model.predict(x) as RefTensor)).toEqual(inference);
    const a = values(ref, model.apply(x, { training: true, rng: 'step-1' }) as RefTensor);
    expect(values(ref, model.apply(x, { training: true, rng: 'step-1' }) as RefTensor)).toEqual(a);
    expect(a).not.toEqual(inference);
    expect(() => model.apply(x, { training: 'yes' as never })).toThrow(
      'apply training: expected a boolean, received "yes"',
    );
  });

  it('returns output masks with applyWithMasks, owned by the caller', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([lstm({ units: 2, returnSequences: true, inputShape: [null, 1] })], {
      backend: ref,
      seed: 1,
    });
    const x = randomTensor(ref, [2, 3, 1], 1);
    const mask = ref.tensor([
      [1, 1, 0],
      [1, 0, 0],
    ]);
    const before = ref.memory().numTensors;
    const { outputs, masks } = model.applyWithMasks(x, { mask });
    expect(masks[0]).not.toBe(mask);
    expect(ref.toArray(masks[0]!)).toEqual(ref.toArray(mask));
    expect(ref.memory().numTensors).toBe(before + 2);
    ref.dispose([...outputs, masks[0]!]);
    expect(ref.memory().numTensors).toBe(before);
    expect(() => model.apply(x, { mask, lengths: [1, 1] })).toThrow(
      'sequential (Sequential) mask: expected either a mask or lengths, received both',
    );
    expect(() => model.apply(x, { mask: 'x' as never })).toThrow(
      'sequential (Sequential) mask: expected a tensor [batch, time], received "x"',
    );
  });

  it('predicts in batches with the same result', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [gru({ units: 3, returnSequences: true, inputShape: [null, 2] }), dense({ units: 2 })],
      {
        backend: ref,
        seed: 4,
      },
    );
    const x = randomTensor(ref, [7, 5, 2], 1);
    const lengths = [5, 4, 3, 2, 1, 5, 5];
    const whole = values(ref, model.predict(x, { lengths }) as RefTensor);
    const before = ref.memory().numTensors;
    const batched = model.predict(x, { lengths, batchSize: 3 }) as RefTensor;
    expect(ref.memory().numTensors).toBe(before + 1);
    expectClose('batched', values(ref, batched), whole, { atol: 0, rtol: 0 });
    expect(() => model.predict(x, { batchSize: 0 })).toThrow(
      'predict batchSize: expected a positive integer, received 0',
    );
    // Checked even when it is larger than the batch.
    expect(() => model.predict(x, { batchSize: 7.5 })).toThrow(
      'predict batchSize: expected a positive integer, received 7.5',
    );
  });

  it('predicts from nested arrays as from tensors, freeing the tensors it makes', () => {
    const ref = newBackend();
    const tokens = sequential<RefTensor>(
      [embedding({ inputDim: 6, outputDim: 3, maskZero: true }), lstm({ units: 2 })],
      { backend: ref, seed: 2, inputShape: [null] },
    );
    const ids = [
      [1, 2, 0],
      [3, 0, 0],
    ];
    const expected = values(ref, tokens.predict(ref.tensor(ids)) as RefTensor);
    const before = ref.memory().numTensors;
    const y = tokens.predict(ids) as RefTensor;
    expect(ref.memory().numTensors).toBe(before + 1);
    expect(values(ref, y)).toEqual(expected);
    // Several inputs: one tensor or nested array per input.
    const a = input({ shape: [2] });
    const b = input({ shape: [2] });
    const layer = dense({ units: 1 });
    const two = model<RefTensor>({
      inputs: [a, b],
      outputs: [layer.apply(a) as SymbolicTensor, layer.apply(b) as SymbolicTensor],
      backend: ref,
      seed: 1,
    });
    const [ya, yb] = two.predict([[[1, 2]], ref.tensor([[3, 4]])]) as RefTensor[];
    expect(values(ref, ya!)).toEqual(
      values(ref, (two.predict([ref.tensor([[1, 2]]), ref.tensor([[3, 4]])]) as RefTensor[])[0]!),
    );
    expect(ref.shape(yb!)).toEqual([1, 1]);
    const count = ref.memory().numTensors;
    expect(() => two.predict([[[1, 2]], 'x' as never])).toThrow(
      'model (Functional) predict x[1]: expected a tensor of backend reference, { data, shape } host values, or nested arrays of numbers, received "x"',
    );
    expect(ref.memory().numTensors).toBe(count);
  });

  it('leaks nothing across repeated calls, training calls, and calls that throw', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        embedding({ inputDim: 6, outputDim: 3, maskZero: true }),
        lstm({ units: 2, dropout: 0.3 }),
        dense({ units: 1 }),
      ],
      { backend: ref, seed: 1, inputShape: [null] },
    );
    const ids = ref.tensor([
      [1, 2, 0],
      [3, 0, 0],
    ]);
    const wrongWeight = ref.fill([1], 0);
    const wrongInput = ref.fill([2, 3, 1], 1);
    const before = ref.memory().numTensors;
    for (let i = 0; i < 4; i++) ref.dispose(model.apply(ids, { training: i % 2 === 1 }) as RefTensor);
    expect(ref.memory().numTensors).toBe(before);
    expect(() => model.apply(ids, { weights: [wrongWeight] })).toThrow();
    expect(() => model.apply(wrongInput)).toThrow();
    expect(() => model.apply(ids, { lengths: [3, 4] })).toThrow();
    expect(ref.memory().numTensors).toBe(before);
  });
});
