/**
 * The optimizer in Keras / tfjs-layers files (`includeOptimizer`): tfjs-layers 4.22 loads what `saveKerasModel` writes
 * and holds the same optimizer state (its `getWeights()`, value for value); `loadKerasModel` restores what tfjs-layers
 * saved; a seqmodel model saved and loaded this way resumes training exactly; what tfjs-layers cannot hold is refused.
 */
import type { RefTensor } from '@seqmodel/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dense } from '../../layers/dense.js';
import { lstm } from '../../layers/rnn.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { tf, tfl, useTfjsCpu } from '../../test-helpers.js';
import { customMetric } from '../../training/metrics/index.js';
import { adadelta } from '../../training/optimizers/adadelta.js';
import { adagrad } from '../../training/optimizers/adagrad.js';
import { adam } from '../../training/optimizers/adam.js';
import { adamW } from '../../training/optimizers/adamw.js';
import type { Optimizer } from '../../training/optimizers/optimizer.js';
import { rmsprop } from '../../training/optimizers/rmsprop.js';
import { sgd } from '../../training/optimizers/sgd.js';
import { exponentialDecay } from '../../training/schedules.js';
import { cpuBackend, seeded } from '../../training/test-helpers.js';
import type { KerasArtifacts } from './artifacts.js';
import { loadKerasModel } from './load.js';
import { saveKerasModel } from './save.js';

beforeAll(useTfjsCpu);
afterEach(() => {
  vi.restoreAllMocks();
});

const backend = cpuBackend();
const xValues = seeded(6 * 4 * 3, 'x');
const yValues = seeded(6 * 2, 'y');
const x = backend.tensor(Float32Array.from(xValues), [6, 4, 3]);
const y = backend.tensor(Float32Array.from(yValues), [6, 2]);

function makeModel(optimizer: Optimizer, metrics: string[] = ['mae']): Model<unknown> {
  const m = sequential([lstm({ units: 3 }), dense({ units: 2 })], {
    backend,
    seed: 2,
    inputShape: [4, 3],
  }) as Model<unknown>;
  m.compile({ optimizer, loss: 'mse', metrics });
  return m;
}

/** Our optimizer's state by tfjs name: `iter`, then `<keras weight>/<tfjs slot>`. */
async function tfjsOptimizerWeights(artifacts: KerasArtifacts) {
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  const weights = await theirs.optimizer.getWeights();
  const out = weights.map((w) => ({ name: w.name, values: Array.from(w.tensor.dataSync()) }));
  const config = theirs.optimizer.getConfig();
  const className = theirs.optimizer.getClassName();
  theirs.dispose();
  return { weights: out, config, className };
}

const OPTIMIZERS: Record<string, { make: () => Optimizer; tfjs: string; slots: string[] }> = {
  SGD: { make: () => sgd({ learningRate: 0.1 }), tfjs: 'SGD', slots: [] },
  'SGD with momentum': {
    make: () => sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
    tfjs: 'Momentum',
    slots: ['momentum'],
  },
  Adam: { make: () => adam({ learningRate: 0.01 }), tfjs: 'Adam', slots: ['m', 'v'] },
  'RMSprop, centered with momentum': {
    make: () => rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true }),
    tfjs: 'RMSProp',
    slots: ['rms', 'momentum', 'mg'],
  },
  RMSprop: { make: () => rmsprop({ learningRate: 0.01 }), tfjs: 'RMSProp', slots: ['rms', 'momentum'] },
  Adagrad: { make: () => adagrad({ learningRate: 0.1 }), tfjs: 'Adagrad', slots: ['accumulator'] },
  Adadelta: {
    make: () => adadelta({ learningRate: 1, rho: 0.9 }),
    tfjs: 'Adadelta',
    slots: ['accum_grad', 'accum_var'],
  },
};

describe('saveKerasModel with includeOptimizer: tfjs-layers holds the same state', () => {
  for (const [label, { make, tfjs, slots }] of Object.entries(OPTIMIZERS)) {
    it(label, async () => {
      const ours = makeModel(make());
      for (let i = 0; i < 3; i++) ours.trainOnBatch(x, y);
      const artifacts = await saveKerasModel(ours, undefined, { includeOptimizer: true });
      expect(artifacts.trainingConfig).toMatchObject({
        loss: 'mean_squared_error',
        metrics: ['mae'],
        optimizer_config: { class_name: tfjs },
      });
      const theirs = await tfjsOptimizerWeights(artifacts);
      expect(theirs.className).toBe(tfjs);
      expect(theirs.config.learningRate).toBe(ours.optimizer.getConfig().learningRate);
      const names = ['lstm/kernel', 'lstm/recurrent_kernel', 'lstm/bias', 'dense/kernel', 'dense/bias'];
      expect(theirs.weights.map((w) => w.name)).toEqual([
        'iter',
        ...slots.flatMap((slot) => names.map((n) => `${n}/${slot}`)),
      ]);
      expect(theirs.weights[0]!.values).toEqual([3]);
      // Each tfjs slot holds our slot's values (SGD momentum as −m / lr; RMSprop's unused momentum as zeros).
      const state = ours.optimizer.getState(ours.trainableWeights);
      const lr = ours.optimizer.getConfig().learningRate as number;
      slots.forEach((slot, k) => {
        ours.trainableWeights.forEach((w, i) => {
          const got = theirs.weights[1 + k * names.length + i]!.values;
          const renamed = {
            rms: 'velocity',
            mg: 'averageGradient',
            accum_grad: 'accumulatedGrad',
            accum_var: 'accumulatedDeltaVar',
          } as Record<string, string>;
          const ourSlot = state.slots.find(
            (s) => s.variable === w.name && s.slot === (renamed[slot] ?? slot),
          );
          if (ourSlot === undefined) expect(got.every((v) => v === 0)).toBe(true);
          else if (tfjs === 'Momentum')
            expect(got).toEqual(Array.from(ourSlot.values, (v) => Math.fround(-v / lr)));
          else expect(got).toEqual(Array.from(ourSlot.values));
        });
      });

      // And back: loadKerasModel restores the same state.
      const loaded = await loadKerasModel(artifacts, { backend: backend as never });
      expect(loaded.compiled).toBe(true);
      expect(loaded.optimizer.className).toBe(ours.optimizer.className);
      expect(loaded.optimizer.iterations).toBe(3);
      const back = loaded.optimizer.getState(loaded.trainableWeights);
      expect(back.slots.map((s) => `${s.variable}:${s.slot}`)).toEqual(
        state.slots.map((s) => `${s.variable}:${s.slot}`),
      );
      back.slots.forEach((s, i) => {
        const want = Array.from(state.slots[i]!.values);
        // SGD momentum goes through −m / lr and back: float32 rounding twice.
        if (tfjs === 'Momentum') {
          for (const [j, v] of Array.from(s.values).entries()) {
            expect(Math.abs(v - want[j]!)).toBeLessThanOrEqual(1e-7 * Math.abs(want[j]!) + 1e-12);
          }
        } else expect(Array.from(s.values)).toEqual(want);
      });
    });
  }

  it('resumes training exactly after saveKerasModel and loadKerasModel (Adam)', async () => {
    const straight = makeModel(adam({ learningRate: 0.01 }));
    await straight.fit(x, y, { epochs: 4, batchSize: 2, seed: 1, verbose: 0 });
    const first = makeModel(adam({ learningRate: 0.01 }));
    await first.fit(x, y, { epochs: 2, batchSize: 2, seed: 1, verbose: 0 });
    const artifacts = await saveKerasModel(first, undefined, { includeOptimizer: true });
    const resumed = await loadKerasModel(artifacts, { backend: backend as never });
    await resumed.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 2, seed: 1, verbose: 0 });
    expect(resumed.getWeightData().map((w) => w.values)).toEqual(
      straight.getWeightData().map((w) => w.values),
    );
  });
});

describe('loadKerasModel restores what tfjs-layers saved with includeOptimizer', () => {
  it('Adam: the step count and both moments of every weight', async () => {
    const theirs = tfl.sequential({
      layers: [tfl.layers.lstm({ units: 3, inputShape: [4, 3] }), tfl.layers.dense({ units: 2 })],
    });
    theirs.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError', metrics: ['mae'] });
    await theirs.fit(tf.tensor(xValues, [6, 4, 3]), tf.tensor(yValues, [6, 2]), {
      epochs: 2,
      batchSize: 3,
      verbose: 0,
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await theirs.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: true },
    );
    const expected = (await theirs.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    const ours = await loadKerasModel<RefTensor>(saved as KerasArtifacts, { backend: backend as never });
    expect(ours.optimizer.className).toBe('Adam');
    expect(ours.optimizer.getConfig()).toMatchObject({ learningRate: 0.01, beta1: 0.9, beta2: 0.999 });
    expect(ours.optimizer.iterations).toBe(4);
    const state = ours.optimizer.getState(ours.trainableWeights);
    const n = ours.trainableWeights.length;
    state.slots.forEach((s, i) => {
      const variable = Math.floor(i / 2);
      const kind = i % 2; // m, v per variable in our order; tfjs lists every m, then every v
      expect(Array.from(s.values)).toEqual(expected[1 + kind * n + variable]);
    });
    const logs = await ours.evaluate(x as never, y as never);
    expect(Object.keys(logs).sort()).toEqual(['loss', 'mae']);
    theirs.dispose();
  });

  it('warns and loads uncompiled when the training config cannot be restored; compile: true makes it an error', async () => {
    const ours = makeModel(adam());
    ours.trainOnBatch(x, y);
    const artifacts = await saveKerasModel(ours, undefined, { includeOptimizer: true });
    const adamax = {
      ...artifacts,
      trainingConfig: { loss: 'mean_squared_error', optimizer_config: { class_name: 'Adamax', config: {} } },
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const before = backend.memory().numTensors;
    const loaded = await loadKerasModel(adamax, { backend: backend as never });
    expect(loaded.compiled).toBe(false);
    expect(warn.mock.calls[0]![0]).toContain(
      'loadKerasModel: artifacts: trainingConfig.optimizer_config.class_name: expected one of SGD, Momentum, Adam, RMSProp, Adagrad, Adadelta, received "Adamax"; the model is loaded without compiling it',
    );
    loaded.dispose();
    await expect(loadKerasModel(adamax, { backend: backend as never, compile: true })).rejects.toThrow(
      'received "Adamax"',
    );
    expect(backend.memory().numTensors).toBe(before);
    expect((await loadKerasModel(artifacts, { backend: backend as never, compile: false })).compiled).toBe(
      false,
    );
    const plain = await saveKerasModel(ours);
    expect(plain.trainingConfig).toBeUndefined();
    expect(plain.weightSpecs.some((s) => s.group === 'optimizer')).toBe(false);
    await expect(loadKerasModel(plain, { backend: backend as never, compile: true })).rejects.toThrow(
      'loadKerasModel: artifacts has no trainingConfig (saved without includeOptimizer), so compile: true has nothing to restore',
    );
  });
});

describe('saveKerasModel refuses optimizer state tfjs-layers has no place for', () => {
  const cases: [string, () => Model<unknown>, string][] = [
    ['AdamW', () => makeModel(adamW()), 'AdamW optimizer "adamw" decays weights'],
    ['amsgrad', () => makeModel(adam({ amsgrad: true })), 'uses amsgrad'],
    ['clipping', () => makeModel(adam({ clipnorm: 1 })), 'clips gradients (clipnorm)'],
    [
      'a schedule',
      () =>
        makeModel(
          sgd({
            learningRate: exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 }),
          }),
        ),
      'has a learning-rate schedule',
    ],
    [
      'Adagrad with another epsilon',
      () => makeModel(adagrad({ epsilon: 1e-3 })),
      "has epsilon 0.001 (tfjs' Adagrad uses 1e-7)",
    ],
    [
      'a metric tfjs-layers does not know',
      () => makeModel(adam(), ['perplexity']),
      'the metric metrics[0] ("perplexity") is not one tfjs-layers knows by name',
    ],
    [
      'a custom metric',
      () => {
        const m = makeModel(adam());
        m.compile({
          optimizer: adam(),
          loss: 'mse',
          metrics: [customMetric('double', (b, t) => b.mul(t, 2))],
        });
        return m;
      },
      'the metric metrics[0] (an object or function)',
    ],
    [
      'a loss with options tfjs-layers lacks',
      () => {
        const m = makeModel(adam());
        m.compile({ optimizer: adam(), loss: 'huber' });
        return m;
      },
      'the loss loss (Huber',
    ],
    [
      'a model not compiled',
      () => sequential([dense({ units: 1, inputShape: [2] })], { backend }) as Model<unknown>,
      'sequential (Sequential) is not compiled, so it has no optimizer to save',
    ],
  ];
  for (const [label, make, message] of cases) {
    it(label, async () => {
      await expect(saveKerasModel(make(), undefined, { includeOptimizer: true })).rejects.toThrow(message);
    });
  }
});
