/**
 * `classWeight` in `fit` and `trainOnBatch` (Keras semantics): each target weighs its class's weight, times its sample
 * weight. Checked against the mean squared error worked out by hand for fixed weights, and against the same training
 * with the equivalent `sampleWeight` (sparse, one-hot and per-step sequence targets, datasets); validation is not
 * weighted; classes without a weight and bad weights are errors.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from '../../engine/symbolic.js';
import { dense } from '../../layers/dense.js';
import { lstm } from '../../layers/rnn.js';
import { timeDistributed } from '../../layers/time-distributed.js';
import { model } from '../../models/functional.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { sgd } from '../optimizers/sgd.js';
import { cpuBackend, seeded } from '../test-helpers.js';

type T = tf.Tensor;
const backend = cpuBackend();

/** y = x0 exactly: kernel [[1], [0]], bias 0; trained with plain SGD. */
function identity(learningRate = 0.1): Model<T> {
  const m = sequential<T>([dense({ units: 1, inputShape: [2] })], { backend, seed: 1 });
  m.setWeights([[1, 0], [0]]);
  m.compile({ optimizer: sgd({ learningRate }), loss: 'mse' });
  return m;
}

const X = [
  [0.5, 1],
  [2, -1],
  [1, 0],
  [-1, 2],
];
const labels = [[0], [1], [1], [0]];

describe('classWeight', () => {
  it('weighs each target by its class (the loss worked out by hand)', () => {
    const m = identity();
    const logs = m.trainOnBatch(X, labels, { classWeight: { 0: 1, 1: 3 } });
    // Errors x0 − y: 0.5, 1, 0, −1; weights 1, 3, 3, 1: (0.25 + 3 + 0 + 1) / 4.
    expect(logs.loss).toBeCloseTo((0.25 + 3 * 1 + 3 * 0 + 1) / 4, 6);
  });

  it('multiplies into sampleWeight', () => {
    const m = identity();
    const logs = m.trainOnBatch(X, labels, { classWeight: { 0: 1, 1: 3 }, sampleWeight: [2, 1, 1, 0.5] });
    expect(logs.loss).toBeCloseTo((2 * 0.25 + 3 * 1 + 0 + 0.5 * 1) / 4, 6);
  });

  it('trains as the equivalent sampleWeight would, and leaves validation unweighted', async () => {
    const weighted = identity();
    const h1 = await weighted.fit(X, labels, {
      epochs: 2,
      batchSize: 2,
      shuffle: false,
      verbose: 0,
      classWeight: new Map([
        [0, 0.5],
        [1, 2],
      ]),
    });
    const plain = identity();
    const h2 = await plain.fit(X, labels, {
      epochs: 2,
      batchSize: 2,
      shuffle: false,
      verbose: 0,
      sampleWeight: [0.5, 2, 2, 0.5],
    });
    expect(h1.history.loss).toEqual(h2.history.loss);
    expect(weighted.getWeightData()).toEqual(plain.getWeightData());
    // A learning rate of 0 keeps the weights: the validation loss is the same with and without classWeight.
    const frozen = await identity(0).fit(X, labels, {
      epochs: 1,
      verbose: 0,
      validationData: [X, labels],
      classWeight: { 0: 1, 1: 3 },
    });
    const unweighted = await identity(0).fit(X, labels, {
      epochs: 1,
      verbose: 0,
      validationData: [X, labels],
    });
    expect(frozen.history.val_loss).toEqual(unweighted.history.val_loss);
    expect(frozen.history.loss![0]).not.toBe(unweighted.history.loss![0]);
  });

  it('takes one-hot targets by their largest entry, and per-step classes of sequences', async () => {
    const x3 = Array.from({ length: 6 }, (_, i) => seeded(2, `c${i}`));
    const classes = [0, 2, 1, 2, 0, 1];
    const oneHot = classes.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
    const classifier = () => {
      const m = sequential<T>([dense({ units: 3, activation: 'softmax', inputShape: [2] })], {
        backend,
        seed: 2,
      });
      m.compile({ optimizer: sgd({ learningRate: 0.5 }), loss: 'categoricalCrossentropy' });
      return m;
    };
    const weights = [1, 2, 4];
    const a = classifier();
    await a.fit(x3, oneHot, { epochs: 2, verbose: 0, seed: 1, classWeight: { 0: 1, 1: 2, 2: 4 } });
    const b = classifier();
    await b.fit(x3, oneHot, {
      epochs: 2,
      verbose: 0,
      seed: 1,
      sampleWeight: classes.map((c) => weights[c]!),
    });
    expect(a.getWeightData()).toEqual(b.getWeightData());

    // A tagger: [batch, time, 3] outputs, [batch, time] sparse labels: a weight per step.
    const tags = [
      [0, 1, 2],
      [2, 2, 0],
    ];
    const seqX = { data: Float32Array.from(seeded(12, 'seq')), shape: [2, 3, 2] };
    const tagger = () => {
      const m = sequential<T>(
        [lstm({ units: 4, returnSequences: true, inputShape: [3, 2] }), timeDistributed(dense({ units: 3 }))],
        { backend, seed: 3 },
      );
      m.compile({ optimizer: sgd({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    const c = tagger();
    await c.fit(seqX, tags, { epochs: 1, verbose: 0, seed: 1, classWeight: { 0: 1, 1: 2, 2: 4 } });
    const d = tagger();
    await d.fit(seqX, tags, {
      epochs: 1,
      verbose: 0,
      seed: 1,
      sampleWeight: tags.map((r) => r.map((k) => weights[k]!)),
    });
    expect(c.getWeightData()).toEqual(d.getWeightData());
  });

  it('applies to dataset batches as to in-memory data', async () => {
    const batches = [
      { inputs: X.slice(0, 2), targets: labels.slice(0, 2) },
      { inputs: X.slice(2), targets: labels.slice(2) },
    ];
    const a = identity();
    await a.fit(batches, { epochs: 1, verbose: 0, classWeight: { 0: 1, 1: 3 } });
    const b = identity();
    await b.fit(X, labels, {
      epochs: 1,
      batchSize: 2,
      shuffle: false,
      verbose: 0,
      classWeight: { 0: 1, 1: 3 },
    });
    expect(a.getWeightData()).toEqual(b.getWeightData());
  });

  it('refuses classes without a weight, bad weights and models with several outputs, leaking nothing', async () => {
    const m = identity();
    const before = backend.memory().numTensors;
    await expect(m.fit(X, labels, { verbose: 0, classWeight: { 0: 1 } })).rejects.toThrow(
      'sequential (Sequential) fit classWeight: expected a weight for every class of the targets, received none for class 1 (target at index [1]); classWeight gives classes 0',
    );
    expect(() => m.trainOnBatch(X, labels, { classWeight: { 0: 1, 1: -2 } })).toThrow(
      'sequential (Sequential) trainOnBatch classWeight[1]: expected a finite number >= 0, received -2',
    );
    expect(() => m.trainOnBatch(X, labels, { classWeight: { a: 1 } as never })).toThrow(
      'sequential (Sequential) trainOnBatch classWeight key: expected a class index (an integer >= 0), received "a"',
    );
    expect(() => m.trainOnBatch(X, labels, { classWeight: [1, 2] as never })).toThrow(
      'trainOnBatch classWeight: expected an object (or Map) of weights by class index, e.g. { 0: 1, 1: 5 }, received [1, 2]',
    );
    expect(backend.memory().numTensors).toBe(before);
    const x = input({ shape: [2] });
    const two = model<T>({
      inputs: x,
      outputs: [
        dense({ units: 1 }).apply(x) as SymbolicTensor,
        dense({ units: 1 }).apply(x) as SymbolicTensor,
      ],
      backend,
      seed: 1,
    });
    two.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(two.fit(X, [labels, labels], { verbose: 0, classWeight: { 0: 1, 1: 1 } })).rejects.toThrow(
      'model (Functional) fit classWeight: only for models with one output (this one has 2)',
    );
  });
});
