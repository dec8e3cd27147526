import { createWasmBackend } from '@seqmodel/backend-wasm';
import type { RefTensor } from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import {
  copyWeightsToTfjs,
  expectClose,
  newBackend,
  tfjsChain,
  tfjsPredict,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { sgd } from '../training/optimizers/sgd.js';
import { cpuBackend } from '../training/test-helpers.js';
import { dense } from './dense.js';
import { Embedding, embedding } from './embedding.js';
import { lstm } from './rnn.js';
import { timeDistributed } from './time-distributed.js';

beforeAll(useTfjsCpu);

describe('Embedding', () => {
  it('looks up rows by id (float or int32 ids)', () => {
    const ref = newBackend();
    const layer = embedding({ inputDim: 3, outputDim: 2 }).build(ref, [null, null], { seed: 1 });
    layer.weights[0]!.assign(
      ref.tensor([
        [0, 0],
        [1, 2],
        [3, 4],
      ]),
    );
    expect(layer.weights[0]!.name).toBe('embedding/embeddings');
    expect(ref.toArray(layer.apply(ref.tensor([[2, 1, 0]])) as RefTensor)).toEqual([
      [
        [3, 4],
        [1, 2],
        [0, 0],
      ],
    ]);
    expect(ref.toArray(layer.apply(ref.tensor([[1]], undefined, 'int32')) as RefTensor)).toEqual([[[1, 2]]]);
  });

  it('draws uniform values in [-0.05, 0.05] by default', () => {
    const ref = newBackend();
    const layer = embedding({ inputDim: 50, outputDim: 4 }).build(ref, [null, null], { seed: 1 });
    const v = values(ref, layer.weights[0]!.read<RefTensor>());
    expect(v.every((x) => x >= -0.05 && x < 0.05)).toBe(true);
    expect(new Set(v).size).toBe(200);
  });

  it('draws from a given initializer', () => {
    const ref = newBackend();
    const layer = embedding({ inputDim: 3, outputDim: 2, embeddingsInitializer: 'ones' }).build(ref, [
      null,
      null,
    ]);
    expect(ref.toArray(layer.weights[0]!.read<RefTensor>())).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it('masks id 0 with maskZero, and the mask reaches the recurrent layer (matches tfjs-layers, atol 1e-5)', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        embedding({ inputDim: 7, outputDim: 3, maskZero: true }),
        lstm({ units: 4, returnSequences: true, recurrentActivation: 'hardSigmoid' }),
        timeDistributed(dense({ units: 5, activation: 'softmax' })),
      ],
      { backend: ref, seed: 12, inputShape: [null] },
    );
    const theirs = tfjsChain(
      [null],
      [
        tfl.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true }),
        tfl.layers.lstm({
          units: 4,
          returnSequences: true,
          kernelInitializer: 'zeros',
          recurrentInitializer: 'zeros',
        }),
        tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 5, activation: 'softmax' }) }),
      ],
    );
    copyWeightsToTfjs(ours, theirs);
    const ids = Float32Array.from([3, 1, 4, 1, 5, 6, 2, 0, 0, 0, 5, 0, 0, 0, 0]);
    const y = ours.predict(ref.tensor(ids, [3, 5])) as RefTensor;
    expectClose(
      'embedding -> lstm -> softmax',
      values(ref, y),
      tfjsPredict(theirs, [{ values: ids, shape: [3, 5] }])[0]!,
    );
    const { outputs, masks } = ours.applyWithMasks(ref.tensor(ids, [3, 5]));
    expect(ref.toArray(masks[0]!)).toEqual([
      [1, 1, 1, 1, 1],
      [1, 1, 0, 0, 0],
      [1, 0, 0, 0, 0],
    ]);
    ref.dispose([...outputs, masks[0]!]);
    theirs.dispose();
  });

  it('accepts sequences of any length after a build from the first batch, and round-trips its config', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([embedding({ inputDim: 5, outputDim: 2 })], {
      backend: ref,
      seed: 1,
    });
    expect(ref.shape(model.predict(ref.tensor([[1, 2, 3]])) as RefTensor)).toEqual([1, 3, 2]);
    expect(ref.shape(model.predict(ref.tensor([[1, 2, 3, 4, 0]])) as RefTensor)).toEqual([1, 5, 2]);
    const layer = model.layers[0]!;
    expect(Embedding.fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
    expect(() => embedding({ inputDim: 0, outputDim: 2 })).toThrow(
      'embedding inputDim: expected a positive integer, received 0',
    );
  });

  it('has a zero gradient with respect to float ids (conformance kit finding)', () => {
    // Differentiating through float ids (a saliency map, an id-producing layer upstream) used to hit tfjs's
    // "gradient of input indices must have 'float32' dtype" error: tfjs's Cast passed the gradient on to the ids.
    const backend = cpuBackend();
    const layer = embedding({ inputDim: 4, outputDim: 2 }).build(backend, [null, null], { seed: 1 });
    const ids = backend.tensor([[1, 3, 0]]);
    const before = backend.memory().numTensors;
    const { value, grads } = backend.valueAndGrads!((x) => backend.sum(layer.apply(x) as tf.Tensor), [ids]);
    expect(Array.from(backend.dataSync(grads[0]!))).toEqual([0, 0, 0]);
    backend.dispose([value, ...grads]);
    expect(backend.memory().numTensors).toBe(before);
  });

  it('trains on backend-wasm (no UnsortedSegmentSum there: gather is differentiated on the host) as on backend-cpu', async () => {
    // Same seed, same data, 3 SGD steps on each backend: embedding rows move the same way on both. The two tfjs
    // backends differ only in float32 rounding order (XNNPACK's products), so weights agree to 1e-5.
    const ids = [
      [3, 1, 4, 1],
      [5, 9, 2, 6],
      [5, 3, 5, 0],
    ];
    const targets = [[1], [0], [1]];
    const trained: number[][][] = [];
    const onCpu = cpuBackend();
    for (const backend of [onCpu, await createWasmBackend()]) {
      const m = sequential<tf.Tensor>(
        [embedding({ inputDim: 10, outputDim: 4, maskZero: true }), lstm({ units: 3 }), dense({ units: 1 })],
        { backend, seed: 7, inputShape: [null] },
      );
      m.compile({ optimizer: sgd({ learningRate: 0.5 }), loss: 'mse' });
      const before = m.getWeightData().map((w) => Array.from(w.values));
      const tensors = backend.memory().numTensors;
      await m.fit(ids, targets, { epochs: 3, batchSize: 3, verbose: 0, shuffle: false });
      expect(backend.memory().numTensors).toBe(tensors);
      const after = m.getWeightData().map((w) => Array.from(w.values));
      // Rows 1, 3, 5 (used) moved; rows 7 and 8 (never used) did not.
      const row = (w: number[], r: number) => w.slice(r * 4, r * 4 + 4);
      for (const r of [1, 3, 5]) expect(row(after[0]!, r)).not.toEqual(row(before[0]!, r));
      for (const r of [7, 8]) expect(row(after[0]!, r)).toEqual(row(before[0]!, r));
      trained.push(after);
    }
    const gap = Math.max(
      ...trained[0]!.flatMap((w, i) => w.map((v, j) => Math.abs(v - trained[1]![i]![j]!))),
    );
    expect(gap).toBeLessThan(1e-5);
  });
});
