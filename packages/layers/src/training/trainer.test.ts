/**
 * `compile`, `fit`, `evaluate`, `trainOnBatch`, `testOnBatch` on the tfjs CPU backend: every option of `fit`, the
 * data forms (tensors, host arrays, datasets sync / async / per epoch / one-shot), validation, masks and sample
 * weights, several outputs, determinism, memory, and the errors for bad input.
 */
import { createReferenceBackend, createRng } from '@seqmodel/core';
import { addingProblem, batches } from '@seqmodel/datasets';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { dense } from '../layers/dense.js';
import { dropout } from '../layers/dropout.js';
import { embedding } from '../layers/embedding.js';
import { lstm } from '../layers/rnn.js';
import { timeDistributed } from '../layers/time-distributed.js';
import { model } from '../models/functional.js';
import type { Model } from '../models/model.js';
import { sequential } from '../models/sequential.js';
import type { Logs } from './callbacks/callback.js';
import { History } from './callbacks/history.js';
import type { DataBatch } from './data/dataset.js';
import { customMetric } from './metrics/index.js';
import { meanSquaredError } from './metrics/regression.js';
import { adam } from './optimizers/adam.js';
import { sgd } from './optimizers/sgd.js';
import { cpuBackend, seeded } from './test-helpers.js';

type T = tf.Tensor;
const backend = cpuBackend();

/** y = 0.5·(x0 + x1 − x2) with 64 samples of 3 features, as host arrays. */
const X = Array.from({ length: 64 }, (_, i) => seeded(3, `x${i}`));
const Y = X.map((r) => [0.5 * (r[0]! + r[1]! - r[2]!)]);

function regressor(seed = 1): Model<T> {
  return sequential<T>([dense({ units: 8, activation: 'tanh', inputShape: [3] }), dense({ units: 1 })], {
    backend,
    seed,
  });
}

function compiled(seed = 1, learningRate = 0.05): Model<T> {
  const m = regressor(seed);
  m.compile({ optimizer: adam({ learningRate }), loss: 'mse', metrics: ['mae'] });
  return m;
}

function weightsOf(m: Model<T>): number[][] {
  return m.getWeightData().map((w) => Array.from(w.values));
}

describe('fit', () => {
  it('trains: the loss falls, History holds every epoch’s logs', async () => {
    const m = compiled();
    const history = await m.fit(X, Y, { epochs: 8, batchSize: 16, verbose: 0 });
    expect(history).toBeInstanceOf(History);
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(history.history)).toEqual(['loss', 'mae']);
    const loss = history.history.loss!;
    expect(loss).toHaveLength(8);
    expect(loss.at(-1)!).toBeLessThan(loss[0]! * 0.5);
    // The epoch's loss is the mean of its batch losses weighted by batch size; the same data evaluated after
    // training gives a lower loss than the first epoch did.
    const logs = await m.evaluate(X, Y);
    expect(Object.keys(logs)).toEqual(['loss', 'mae']);
    expect(logs.loss!).toBeLessThan(loss[0]!);
  });

  it('accepts tensors and { data, shape } host arrays as well as nested arrays, with the same result', async () => {
    const a = compiled();
    const b = compiled();
    const c = compiled();
    const x = backend.tensor(X);
    const y = backend.tensor(Y);
    await a.fit(X, Y, { epochs: 2, batchSize: 16, verbose: 0, seed: 3 });
    await b.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, seed: 3 });
    await c.fit(
      { data: Float32Array.from(X.flat()), shape: [64, 3] },
      { data: Float32Array.from(Y.flat()), shape: [64, 1] },
      { epochs: 2, batchSize: 16, verbose: 0, seed: 3 },
    );
    expect(weightsOf(b)).toEqual(weightsOf(a));
    expect(weightsOf(c)).toEqual(weightsOf(a));
    // The caller's tensors are left alone.
    expect(x.isDisposed || y.isDisposed).toBe(false);
    backend.dispose([x, y]);
  });

  it('epochs and initialEpoch: resumes numbering where a run stopped', async () => {
    const m = compiled();
    const history = await m.fit(X, Y, { epochs: 5, initialEpoch: 2, verbose: 0 });
    expect(history.epoch).toEqual([2, 3, 4]);
    expect(history.history.loss).toHaveLength(3);
    const none = await m.fit(X, Y, { epochs: 0, verbose: 0 });
    expect(none.epoch).toEqual([]);
  });

  it('batchSize sets the number of steps per epoch (the last batch smaller)', async () => {
    const m = compiled();
    const sizes: number[] = [];
    await m.fit(X, Y, {
      batchSize: 24,
      verbose: 0,
      callbacks: [{ onBatchBegin: (_b: number, logs: Logs) => void sizes.push(logs.size!) }],
    });
    expect(sizes).toEqual([24, 24, 16]);
    expect(m.optimizer.iterations).toBe(3);
  });

  it('validationSplit holds out the last fraction of the samples (before shuffling)', async () => {
    const m = compiled();
    const history = await m.fit(X, Y, { epochs: 2, validationSplit: 0.25, verbose: 0 });
    expect(Object.keys(history.history)).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    // Validation ran with the final weights of each epoch: the last one equals evaluating the last 16 samples now.
    const last = await m.evaluate(X.slice(48), Y.slice(48));
    expect(history.history.val_loss!.at(-1)).toBeCloseTo(last.loss!, 6);
    expect(history.history.val_mae!.at(-1)).toBeCloseTo(last.mae!, 6);
  });

  it('validationData as [x, y], [x, y, sampleWeight], { x, y }, or a dataset', async () => {
    const vx = X.slice(0, 10);
    const vy = Y.slice(0, 10);
    const forms = [
      [vx, vy],
      [vx, vy, new Array(10).fill(1)],
      { x: vx, y: vy },
      [
        { x: vx.slice(0, 5), y: vy.slice(0, 5) },
        { x: vx.slice(5), y: vy.slice(5) },
      ],
    ] as const;
    for (const validationData of forms) {
      const m = compiled();
      const history = await m.fit(X, Y, {
        epochs: 1,
        verbose: 0,
        validationData: validationData as never,
        seed: 1,
      });
      const expected = await m.evaluate(vx, vy);
      expect(history.history.val_loss![0]).toBeCloseTo(expected.loss!, 6);
    }
  });

  it('validationFreq validates every few epochs (shorter val_ lists, as Keras)', async () => {
    const m = compiled();
    const history = await m.fit(X, Y, { epochs: 4, validationSplit: 0.25, validationFreq: 2, verbose: 0 });
    expect(history.history.loss).toHaveLength(4);
    expect(history.history.val_loss).toHaveLength(2);
  });

  it('validationBatchSize and validationSteps', async () => {
    // A metric that records the batch sizes it sees: 2 training batches of 32, then validation in batches of 8.
    const sizes: number[] = [];
    const m = regressor();
    m.compile({
      optimizer: 'sgd',
      loss: 'mse',
      metrics: [
        customMetric('rows', (b, yTrue) => {
          sizes.push(b.shape(yTrue)[0]!);
          return b.sum(yTrue, -1);
        }),
      ],
    });
    await m.fit(X, Y, {
      epochs: 1,
      verbose: 0,
      validationData: [X.slice(0, 20), Y.slice(0, 20)],
      validationBatchSize: 8,
    });
    expect(sizes).toEqual([32, 32, 8, 8, 4]);
    // A validation dataset read for its first 2 batches only.
    const batchesRead: number[] = [];
    const validation = [0, 1, 2, 3].map((i) => ({
      get x() {
        batchesRead.push(i);
        return X.slice(i * 5, i * 5 + 5);
      },
      y: Y.slice(i * 5, i * 5 + 5),
    }));
    await m.fit(X, Y, { epochs: 2, verbose: 0, validationData: validation, validationSteps: 2 });
    expect(batchesRead).toEqual([0, 1, 0, 1]);
  });

  it('verbose: 2 prints one line per epoch to stdout, 0 nothing', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await compiled().fit(X, Y, { epochs: 2, verbose: 2 });
      const lines = written
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('Epoch'));
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatch(/^Epoch 2\/2 · 2 steps · loss \d\.\d{4} · mae \d\.\d{4} · /);
      written.length = 0;
      await compiled().fit(X, Y, { epochs: 2, verbose: 0 });
      expect(written).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('shuffle and seed: the same seed gives bit-identical weights, another seed other weights; no shuffle ignores the seed', async () => {
    const run = async (options: { seed?: number; shuffle?: boolean }) => {
      const m = compiled();
      await m.fit(X, Y, { epochs: 2, batchSize: 8, verbose: 0, ...options });
      return weightsOf(m);
    };
    expect(await run({ seed: 7 })).toEqual(await run({ seed: 7 }));
    expect(await run({ seed: 7 })).not.toEqual(await run({ seed: 8 }));
    expect(await run({ seed: 7, shuffle: false })).toEqual(await run({ seed: 8, shuffle: false }));
    expect(await run({ seed: 7, shuffle: false })).not.toEqual(await run({ seed: 7 }));
  });

  it('same seed, same backend: bit-identical weights after training an LSTM with dropout', async () => {
    const task = addingProblem({ numSamples: 48, length: 8, seed: 5 });
    const run = async (fitSeed: number) => {
      const m = sequential<T>(
        [
          lstm({ units: 6, dropout: 0.2, recurrentDropout: 0.2, inputShape: [null, 2] }),
          dropout({ rate: 0.3 }),
          dense({ units: 1 }),
        ],
        { backend, seed: 11 },
      );
      m.compile({ optimizer: 'adam', loss: 'mse' });
      await m.fit(task.inputs, task.targets!, { epochs: 2, batchSize: 16, seed: fitSeed, verbose: 0 });
      return weightsOf(m);
    };
    const first = await run(1);
    expect(await run(1)).toEqual(first);
    expect(await run(2)).not.toEqual(first);
  });

  it('a dataset gives the same training as the same batches from in-memory data', async () => {
    const inMemory = compiled();
    await inMemory.fit(X, Y, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0, seed: 4 });
    const fromDataset = compiled();
    const list: DataBatch<T>[] = [0, 16, 32, 48].map((s) => ({
      x: X.slice(s, s + 16),
      y: Y.slice(s, s + 16),
    }));
    await fromDataset.fit(list, { epochs: 2, verbose: 0, seed: 4 });
    expect(weightsOf(fromDataset)).toEqual(weightsOf(inMemory));
    // A function of the epoch, an async generator, and datasets' batches() of host arrays: the same again.
    const perEpoch = compiled();
    await perEpoch.fit(() => list, { epochs: 2, verbose: 0, seed: 4 });
    expect(weightsOf(perEpoch)).toEqual(weightsOf(inMemory));
    const asyncOne = compiled();
    await asyncOne.fit(
      async function* () {
        for (const b of list) yield b;
      },
      { epochs: 2, verbose: 0, seed: 4 },
    );
    expect(weightsOf(asyncOne)).toEqual(weightsOf(inMemory));
    const data = {
      inputs: { data: Float32Array.from(X.flat()), shape: [64, 3] },
      targets: { data: Float32Array.from(Y.flat()), shape: [64, 1] },
    };
    const viaDatasets = compiled();
    await viaDatasets.fit((epoch) => batches(data, { batchSize: 16, epoch }), {
      epochs: 2,
      verbose: 0,
      seed: 4,
    });
    expect(weightsOf(viaDatasets)).toEqual(weightsOf(inMemory));
  });

  it('stepsPerEpoch draws batches in turn across epochs, starting new passes over re-iterable data', async () => {
    const list: DataBatch<T>[] = [0, 16, 32, 48].map((s) => ({
      x: X.slice(s, s + 16),
      y: Y.slice(s, s + 16),
    }));
    const seen: number[] = [];
    const tagged = list.map((b, i) => ({
      ...b,
      get x() {
        seen.push(i);
        return X.slice(16 * i, 16 * i + 16);
      },
    }));
    const m = compiled();
    const history = await m.fit(tagged, { epochs: 3, stepsPerEpoch: 3, verbose: 0 });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(seen).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0]);
  });

  it('a one-shot generator: one pass, or with stepsPerEpoch until it runs out, then training stops', async () => {
    const gen = function* () {
      for (let i = 0; i < 5; i++) yield { x: X.slice(i * 8, i * 8 + 8), y: Y.slice(i * 8, i * 8 + 8) };
    };
    const m = compiled();
    const steps: number[] = [];
    const counter = { onEpochEnd: () => void steps.push(m.optimizer.iterations) };
    const history = await m.fit(gen(), { epochs: 4, stepsPerEpoch: 2, verbose: 0, callbacks: [counter] });
    // 5 batches: epochs of 2, 2, then 1 before it runs out.
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(steps).toEqual([2, 4, 5]);
    const again = compiled();
    const once = await again.fit(gen(), { epochs: 3, verbose: 0 });
    expect(once.epoch).toEqual([0]);
  });

  it('masks: padded steps do not change training (values there are ignored)', async () => {
    const lengths = [5, 3, 2, 4];
    const make = (padValue: number) => {
      const x = lengths.map((n, i) =>
        Array.from({ length: 5 }, (_, t) => (t < n ? seeded(2, `s${i}:${t}`) : [padValue, padValue])),
      );
      const y = lengths.map((n, i) =>
        Array.from({ length: 5 }, (_, t) => [t < n ? seeded(1, `t${i}:${t}`)[0]! : padValue]),
      );
      return { x, y };
    };
    const train = async (padValue: number) => {
      const m = sequential<T>(
        [
          lstm({ units: 4, returnSequences: true, inputShape: [null, 2] }),
          timeDistributed(dense({ units: 1 })),
        ],
        {
          backend,
          seed: 2,
        },
      );
      m.compile({ optimizer: sgd({ learningRate: 0.1 }), loss: 'mse' });
      const { x, y } = make(padValue);
      const h = await m.fit(x, y, { lengths, epochs: 2, batchSize: 2, verbose: 0, seed: 1 });
      return { weights: weightsOf(m), loss: h.history.loss! };
    };
    const a = await train(0);
    const b = await train(123);
    expect(b.weights).toEqual(a.weights);
    expect(b.loss).toEqual(a.loss);
  });

  it('a mask works as lengths do', async () => {
    const lengths = [3, 1, 2, 3];
    const x = lengths.map((_, i) => Array.from({ length: 3 }, (_, t) => seeded(2, `m${i}:${t}`)));
    const y = lengths.map((_, i) => [seeded(1, `y${i}`)[0]!]);
    const mask = lengths.map((n) => [0, 1, 2].map((t) => (t < n ? 1 : 0)));
    const train = async (options: { lengths?: number[]; mask?: number[][] }) => {
      const m = sequential<T>([lstm({ units: 3, inputShape: [null, 2] }), dense({ units: 1 })], {
        backend,
        seed: 3,
      });
      m.compile({ optimizer: 'adam', loss: 'mse' });
      await m.fit(x, y, { ...options, epochs: 2, batchSize: 2, verbose: 0, seed: 1 });
      return weightsOf(m);
    };
    const byLengths = await train({ lengths });
    expect(await train({ mask })).toEqual(byLengths);
    expect(await train({})).not.toEqual(byLengths);
  });

  it('sample weights scale each sample’s loss; zero leaves it out', async () => {
    const m = compiled();
    const all = m.testOnBatch(X, Y);
    const firstHalf = m.testOnBatch(X.slice(0, 32), Y.slice(0, 32));
    const weights = X.map((_, i) => (i < 32 ? 1 : 0));
    const weighted = m.testOnBatch(X, Y, { sampleWeight: weights });
    // Keras' sum over batch size: the weighted sum divided by all 64 samples.
    expect(weighted.loss!).toBeCloseTo(firstHalf.loss! / 2, 6);
    const doubled = m.testOnBatch(X, Y, { sampleWeight: X.map(() => 2) });
    expect(doubled.loss!).toBeCloseTo(all.loss! * 2, 6);
    // In fit: zero-weight samples do not move the weights.
    const a = compiled();
    const b = compiled();
    const noisyY = Y.map((r, i) => (i < 32 ? r : [100]));
    await a.fit(X, noisyY, { sampleWeight: weights, epochs: 1, batchSize: 64, verbose: 0 });
    await b.fit(
      X,
      noisyY.map((r, i) => (i < 32 ? r : [-100])),
      { sampleWeight: weights, epochs: 1, batchSize: 64, verbose: 0 },
    );
    expect(weightsOf(a)).toEqual(weightsOf(b));
  });

  it('model.stopTraining from a callback stops after the current batch', async () => {
    const m = compiled();
    let batchesRun = 0;
    const history = await m.fit(X, Y, {
      epochs: 5,
      batchSize: 8,
      verbose: 0,
      callbacks: [
        {
          onBatchEnd: () => {
            batchesRun += 1;
            if (batchesRun === 3) m.stopTraining = true;
          },
        },
      ],
    });
    expect(batchesRun).toBe(3);
    expect(history.epoch).toEqual([0]);
    // The next fit starts afresh.
    const next = await m.fit(X, Y, { epochs: 2, verbose: 0 });
    expect(next.epoch).toEqual([0, 1]);
  });

  it('callbacks: hooks in Keras order with logs, async hooks awaited, params given', async () => {
    const m = compiled();
    const calls: string[] = [];
    let params: unknown;
    const recorder = {
      onTrainBegin: () => void calls.push('trainBegin'),
      onEpochBegin: (e: number) => void calls.push(`epochBegin ${e}`),
      onBatchBegin: (b: number) => void calls.push(`batchBegin ${b}`),
      onBatchEnd: async (b: number, logs: Logs) => {
        await new Promise((r) => setTimeout(r, 1));
        calls.push(`batchEnd ${b} ${Object.keys(logs).join(',')}`);
      },
      onEpochEnd: (e: number, logs: Logs) => void calls.push(`epochEnd ${e} ${Object.keys(logs).join(',')}`),
      onTrainEnd: (logs: Logs) => void calls.push(`trainEnd ${Object.keys(logs).join(',')}`),
    };
    class Params extends (await import('./callbacks/callback.js')).Callback {
      override onTrainBegin(): void {
        params = this.params;
        expect(this.model).toBe(m);
      }
    }
    await m.fit(X, Y, {
      epochs: 2,
      batchSize: 32,
      validationSplit: 0.5,
      verbose: 0,
      callbacks: [recorder, new Params()],
    });
    expect(calls).toEqual([
      'trainBegin',
      'epochBegin 0',
      'batchBegin 0',
      'batchEnd 0 loss,mae',
      'epochEnd 0 loss,mae,val_loss,val_mae',
      'epochBegin 1',
      'batchBegin 0',
      'batchEnd 0 loss,mae',
      'epochEnd 1 loss,mae,val_loss,val_mae',
      'trainEnd loss,mae,val_loss,val_mae',
    ]);
    expect(params).toMatchObject({
      epochs: 2,
      initialEpoch: 0,
      steps: 1,
      batchSize: 32,
      samples: 32,
      verbose: 0,
      doValidation: true,
      metrics: ['loss', 'mae', 'val_loss', 'val_mae'],
    });
  });

  it('a model without an input shape is built from the first batch, also from a dataset', async () => {
    const m = sequential<T>([dense({ units: 4, activation: 'relu' }), dense({ units: 1 })], {
      backend,
      seed: 1,
    });
    m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    let weightsAtStart = -1;
    const h = await m.fit([{ x: X, y: Y }], {
      epochs: 2,
      verbose: 0,
      callbacks: [
        {
          onTrainBegin: () => {
            weightsAtStart = m.weights.length;
          },
        },
      ],
    });
    expect(weightsAtStart).toBe(4);
    expect(h.history.loss).toHaveLength(2);
  });
});

describe('stateful layers', () => {
  it('a stateful LSTM carries its states from batch to batch (Keras: fixed batch size, no shuffle)', async () => {
    const task = addingProblem({ numSamples: 16, length: 6, seed: 2 });
    const rnn = lstm({ units: 3, stateful: true, inputShape: [null, 2] });
    const m = sequential<T>([rnn, dense({ units: 1 })], { backend, seed: 4 });
    m.compile({ optimizer: 'adam', loss: 'mse' });
    m.trainOnBatch(task.inputs, task.targets!); // slots, and states for a batch of 16
    m.resetStates();
    const start = backend.memory().numTensors;
    await m.fit(task.inputs, task.targets!, { batchSize: 4, shuffle: false, epochs: 2, verbose: 0 });
    const states = rnn.getStates<T>()!;
    expect(states.map((s) => backend.shape(s))).toEqual([
      [4, 3],
      [4, 3],
    ]);
    // Weights and slots as before, plus the two carried states.
    expect(backend.memory().numTensors).toBe(start + 2);
    m.resetStates();
    expect(backend.memory().numTensors).toBe(start);
  });
});

describe('several inputs and outputs', () => {
  function twoHeads(): Model<T> {
    const x = input({ shape: [3], name: 'features' });
    const hidden = dense({ units: 6, activation: 'tanh', name: 'hidden' }).apply(x) as SymbolicTensor;
    const a = dense({ units: 1, name: 'sum' }).apply(hidden) as SymbolicTensor;
    const b = dense({ units: 2, activation: 'softmax', name: 'sign' }).apply(hidden) as SymbolicTensor;
    return model<T>({ inputs: x, outputs: [a, b], backend, seed: 3 });
  }
  const signs = X.map((r) => (r[0]! > 0 ? 1 : 0));

  it('one loss per output, weighted; logs per output', async () => {
    const m = twoHeads();
    m.compile({
      optimizer: adam({ learningRate: 0.05 }),
      loss: { sum: 'mse', sign: 'sparseCategoricalCrossentropy' },
      lossWeights: [1, 0.5],
      metrics: { sign: ['accuracy'] },
    });
    const logs = m.testOnBatch(X, [Y, signs]);
    expect(Object.keys(logs)).toEqual(['loss', 'sum_loss', 'sign_loss', 'sign_accuracy']);
    expect(logs.loss!).toBeCloseTo(logs.sum_loss! + 0.5 * logs.sign_loss!, 6);
    const history = await m.fit(X, [Y, signs], { epochs: 10, batchSize: 16, verbose: 0 });
    expect(history.history.sign_accuracy!.at(-1)!).toBeGreaterThan(0.8);
    expect(history.history.sum_loss!.at(-1)!).toBeLessThan(history.history.sum_loss![0]!);
  });

  it('a flat metrics list applies to every output; labels that do not fit name the output; a Metric object cannot be shared', () => {
    const m = twoHeads();
    m.compile({ optimizer: 'sgd', loss: ['mse', 'sparseCategoricalCrossentropy'], metrics: ['accuracy'] });
    expect(Object.keys(m.testOnBatch(X, [Y, signs]))).toEqual([
      'loss',
      'sum_loss',
      'sign_loss',
      'sum_accuracy',
      'sign_accuracy',
    ]);
    const n = twoHeads();
    n.compile({ optimizer: 'sgd', loss: ['mse', 'sparseCategoricalCrossentropy'], metrics: ['mse'] });
    expect(() => n.testOnBatch(X, [Y, signs])).toThrow(
      'model (Functional) testOnBatch (output sign): mse: labels shape [64] does not fit predictions [64, 2]: expected [64, 2]',
    );
    const o = twoHeads();
    expect(() =>
      o.compile({
        optimizer: 'sgd',
        loss: ['mse', 'sparseCategoricalCrossentropy'],
        metrics: [meanSquaredError()],
      }),
    ).toThrow(
      'model (Functional) compile metrics: the metric object meanSquaredError would be shared by several outputs; give metrics per output name ({ sum: [...], sign: [...] }) or by name',
    );
  });

  it('several inputs: an encoder-decoder trained with teacher forcing', async () => {
    const source = input({ shape: [null, 2] });
    const [, h, c] = lstm({ units: 6, returnState: true }).apply(source) as SymbolicTensor[];
    const target = input({ shape: [null, 1] });
    const decoded = lstm({ units: 6, returnSequences: true }).apply(target, {
      initialState: [h!, c!],
    }) as SymbolicTensor;
    const out = timeDistributed(dense({ units: 1 })).apply(decoded) as SymbolicTensor;
    const m = model<T>({ inputs: [source, target], outputs: out, backend, seed: 1 });
    m.compile({ optimizer: adam({ learningRate: 0.02 }), loss: 'mse' });
    const rng = createRng(1);
    const src = Array.from({ length: 16 }, () =>
      Array.from({ length: 4 }, () => [rng.uniform(), rng.uniform()]),
    );
    const tgt = src.map((s) => s.slice(0, 3).map((step) => [step[0]!]));
    const shifted = tgt.map((t) => [[0], ...t.slice(0, 2)]);
    const history = await m.fit([src, shifted], tgt, { epochs: 15, batchSize: 8, verbose: 0 });
    expect(history.history.loss!.at(-1)!).toBeLessThan(history.history.loss![0]!);
  });
});

describe('evaluate, trainOnBatch, testOnBatch, predict', () => {
  it('evaluate in batches equals testOnBatch on everything (Keras 3: batch losses weighted by size)', async () => {
    const m = compiled();
    const whole = m.testOnBatch(X, Y);
    const batched = await m.evaluate(X, Y, { batchSize: 10 });
    expect(batched.loss!).toBeCloseTo(whole.loss!, 6);
    expect(batched.mae!).toBeCloseTo(whole.mae!, 6);
    const fromDataset = await m.evaluate([
      { x: X.slice(0, 32), y: Y.slice(0, 32) },
      { x: X.slice(32), y: Y.slice(32) },
    ]);
    expect(fromDataset.loss!).toBeCloseTo(whole.loss!, 6);
    const firstSteps = await m.evaluate(
      [
        { x: X.slice(0, 32), y: Y.slice(0, 32) },
        { x: X.slice(32), y: Y.slice(32) },
      ],
      { steps: 1 },
    );
    expect(firstSteps.loss!).toBeCloseTo(m.testOnBatch(X.slice(0, 32), Y.slice(0, 32)).loss!, 6);
  });

  it('trainOnBatch: one update, this batch’s logs', () => {
    const m = compiled();
    const before = m.testOnBatch(X, Y).loss!;
    const logs = m.trainOnBatch(X, Y);
    expect(logs.loss!).toBeCloseTo(before, 6);
    expect(m.optimizer.iterations).toBe(1);
    for (let i = 0; i < 20; i++) m.trainOnBatch(X, Y);
    expect(m.testOnBatch(X, Y).loss!).toBeLessThan(before);
  });
});

describe('memory', () => {
  it('numTensors stays flat across 100 fit steps, evaluate and predict (weights and optimizer slots only)', async () => {
    const m = sequential<T>(
      [
        embedding({ inputDim: 7, outputDim: 4, maskZero: true }),
        lstm({ units: 5, returnSequences: true, dropout: 0.1 }),
        timeDistributed(dense({ units: 3 })),
      ],
      { backend, seed: 1, inputShape: [null] },
    );
    m.compile({
      optimizer: adam({ clipnorm: 1 }),
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy', 'perplexity'],
    });
    const rng = createRng(3);
    const ids = Array.from({ length: 100 }, () =>
      Array.from({ length: 6 }, (_, t) => (t < 4 ? 1 + rng.int(6) : 0)),
    );
    const tags = ids.map((row) => row.map((v) => v % 3));
    const start = backend.memory().numTensors;
    const counts: number[] = [];
    await m.fit(ids, tags, {
      epochs: 1,
      batchSize: 1,
      verbose: 0,
      validationData: [ids.slice(0, 4), tags.slice(0, 4)],
      callbacks: [{ onBatchEnd: () => void counts.push(backend.memory().numTensors) }],
    });
    expect(counts).toHaveLength(100);
    const slots = 2 * m.trainableWeights.length;
    // During fit: the same count after every step (the data, the batch in use, weights and slots).
    expect(new Set(counts).size).toBe(1);
    // After it: weights and the optimizer's slots only.
    expect(backend.memory().numTensors).toBe(start + slots);
    await m.evaluate(ids, tags);
    const x = backend.tensor(ids);
    backend.dispose(m.predict(x, { batchSize: 7 }));
    backend.dispose(x);
    expect(backend.memory().numTensors).toBe(start + slots);
  });

  it('nothing leaks when a step throws (labels that do not fit)', async () => {
    const m = compiled();
    m.trainOnBatch(X, Y); // creates the optimizer's slots
    const start = backend.memory().numTensors;
    const bad = X.map(() => [1, 2]);
    await expect(m.fit(X, bad, { verbose: 0 })).rejects.toThrow(
      'sequential (Sequential) fit: meanSquaredError: labels shape [32, 2] does not fit predictions [32, 1]: expected [32, 1]',
    );
    expect(() => m.trainOnBatch(X, bad)).toThrow(/trainOnBatch: meanSquaredError: labels shape \[64, 2\]/);
    await expect(m.evaluate(X, bad)).rejects.toThrow(/evaluate: meanSquaredError/);
    expect(backend.memory().numTensors).toBe(start);
  });
});

describe('bad input', () => {
  it('fit before compile', async () => {
    await expect(regressor().fit(X, Y)).rejects.toThrow(
      'sequential (Sequential) fit: the model is not compiled; call model.compile({ optimizer, loss }) first',
    );
    expect(() => regressor().trainOnBatch(X, Y)).toThrow(/trainOnBatch: the model is not compiled/);
  });

  it('unknown optimizer, loss or metric names list the known ones, at compile', () => {
    const m = regressor();
    expect(() => m.compile({ optimizer: 'ftrl', loss: 'mse' })).toThrow(
      'sequential (Sequential) compile optimizer: unknown optimizer "ftrl"; known optimizers: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam',
    );
    expect(() => m.compile({ optimizer: 'adam', loss: 'dice' })).toThrow(
      /compile loss: unknown loss "dice"; known losses: meanSquaredError \/ mse, /,
    );
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f1score'] })).toThrow(
      /compile metrics\[0\]: unknown metric "f1score"; known metrics: accuracy \/ acc, /,
    );
  });

  it('batchSize, epochs, validationSplit, verbose out of range', async () => {
    const m = compiled();
    await expect(m.fit(X, Y, { batchSize: 0 })).rejects.toThrow(
      'sequential (Sequential) fit batchSize: expected a positive integer, received 0',
    );
    await expect(m.fit(X, Y, { epochs: -1 })).rejects.toThrow(
      'fit epochs: expected an integer >= 0, received -1',
    );
    await expect(m.fit(X, Y, { validationSplit: 1.5 })).rejects.toThrow(
      'fit validationSplit: expected a number in (0, 1): the fraction of samples held out, received 1.5',
    );
    await expect(m.fit(X, Y, { validationSplit: 0.999 })).rejects.toThrow(
      'fit validationSplit: 0.999 of 64 samples leaves 0 for training and 64 for validation; both need at least 1',
    );
    await expect(m.fit(X, Y, { verbose: 3 as never })).rejects.toThrow(
      `fit verbose: expected 0, 1, 2 or 'auto', received 3`,
    );
    await expect(m.fit([{ x: X, y: Y }], { validationSplit: 0.2 } as never)).rejects.toThrow(
      'sequential (Sequential) fit validationSplit: only for in-memory data, fit(x, y, options), received 0.2 with a dataset; a dataset brings its own batches, order, masks and weights (give a dataset validationData instead)',
    );
    await expect(m.fit(X, Y, { validationSplit: 0.2, validationData: [X, Y] })).rejects.toThrow(
      'sequential (Sequential) fit validationSplit: expected no validationSplit with validationData, received both; give one of them',
    );
  });

  it('data that does not line up', async () => {
    const m = compiled();
    await expect(m.fit(X, Y.slice(1))).rejects.toThrow(
      'sequential (Sequential) fit y: expected 64 rows (as x), received 63 (shape [63, 1])',
    );
    await expect(m.fit(X as never)).rejects.toThrow(
      'sequential (Sequential) fit y: expected targets, received none; call fit(x, y, options), or fit(dataset, options) with a dataset of { inputs, targets } batches',
    );
    await expect(m.fit(X, { epochs: 2 } as never)).rejects.toThrow(
      'sequential (Sequential) fit y: expected targets, received an options object',
    );
    await expect(m.fit(X, [backend.tensor(Y), backend.tensor(Y)], { verbose: 0 })).rejects.toThrow(
      'sequential (Sequential) fit y: expected one tensor (the model has 1 output), received a list of 2',
    );
    await expect(m.fit([{ inputs: X }] as never, { verbose: 0 })).rejects.toThrow(
      'fit dataset batch 0: expected { inputs, targets } (or { x, y }), received an object with keys inputs',
    );
    await expect(m.fit([] as never, Y)).rejects.toThrow(
      'sequential (Sequential) fit x: expected at least one sample, received none (shape [0])',
    );
  });

  it('callbacks that are not callbacks', async () => {
    const m = compiled();
    await expect(m.fit(X, Y, { verbose: 0, callbacks: [{ onEpochEnd: 3 } as never] })).rejects.toThrow(
      'sequential (Sequential) fit callbacks[0].onEpochEnd: expected a function, received number',
    );
    await expect(
      m.fit(X, Y, { verbose: 0, callbacks: [{ onEpochFinished: () => {} } as never] }),
    ).rejects.toThrow(
      'sequential (Sequential) fit callbacks[0].onEpochFinished: not a callback hook; expected one of onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd',
    );
    await expect(
      m.fit(X, Y, { verbose: 0, callbacks: [{ onEpochEnds: () => {} } as never] }),
    ).rejects.toThrow('callbacks[0].onEpochEnds: not a callback hook (did you mean "onEpochEnd"?)');
    await expect(m.fit(X, Y, { verbose: 0, callbacks: [{ epochs: 3 } as never] })).rejects.toThrow(
      'sequential (Sequential) fit callbacks[0]: expected a callback with at least one of onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd',
    );
  });

  it('a backend without gradients says so', async () => {
    const ref = createReferenceBackend();
    const m = sequential([dense({ units: 1, inputShape: [3] })], { backend: ref, seed: 1 });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(m.fit(X, Y, { verbose: 0 })).rejects.toThrow(
      'sequential (Sequential) fit: backend reference cannot compute gradients (it has no valueAndGrads; the float64 reference is forward-only); train on a backend such as @seqmodel/backend-cpu',
    );
    // Evaluating works on it.
    expect((await m.evaluate(X, Y)).loss).toBeGreaterThan(0);
  });
});
