/**
 * Saving a compiled model with its optimizer and resuming: training N + M epochs equals training N, saving, loading
 * and training M more, bit for bit (float32 weights and slots are saved exactly, the step count and the learning-rate
 * schedule's position with them, and `fit`'s shuffles and dropout masks depend only on the seed and the epoch).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../layers/builtins.js';
import { dense } from '../../layers/dense.js';
import { dropout } from '../../layers/dropout.js';
import { lstm } from '../../layers/rnn.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { customLoss } from '../../training/losses/index.js';
import { adadelta } from '../../training/optimizers/adadelta.js';
import { adagrad } from '../../training/optimizers/adagrad.js';
import { adam } from '../../training/optimizers/adam.js';
import { adamax } from '../../training/optimizers/adamax.js';
import { adamW } from '../../training/optimizers/adamw.js';
import { nadam } from '../../training/optimizers/nadam.js';
import type { Optimizer } from '../../training/optimizers/optimizer.js';
import { rmsprop } from '../../training/optimizers/rmsprop.js';
import { sgd } from '../../training/optimizers/sgd.js';
import { exponentialDecay } from '../../training/schedules.js';
import { cpuBackend, seeded } from '../../training/test-helpers.js';
import { deserializeModel, serializeModel } from './artifacts.js';
import { loadModel, saveModel } from './save-load.js';

const directories: string[] = [];
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seqmodel-resume-'));
  directories.push(dir);
  return dir;
}

const backend = cpuBackend();
const x = backend.tensor(Float32Array.from(seeded(12 * 5 * 3, 'x')), [12, 5, 3]);
const y = backend.tensor(Float32Array.from(seeded(12 * 2, 'y')), [12, 2]);

function makeModel(): Model<unknown> {
  return sequential([lstm({ units: 4 }), dropout({ rate: 0.25 }), dense({ units: 2 })], {
    backend,
    seed: 5,
    inputShape: [5, 3],
  }) as Model<unknown>;
}

const fitOptions = { batchSize: 4, seed: 9, verbose: 0 as const };

const OPTIMIZERS: Record<string, () => Optimizer> = {
  'SGD with momentum': () => sgd({ learningRate: 0.05, momentum: 0.9 }),
  'SGD with Nesterov momentum': () => sgd({ learningRate: 0.05, momentum: 0.8, nesterov: true }),
  Adam: () => adam({ learningRate: 0.01 }),
  'Adam with amsgrad and clipnorm': () => adam({ learningRate: 0.01, amsgrad: true, clipnorm: 0.5 }),
  'Adam on an exponential decay schedule': () =>
    adam({ learningRate: exponentialDecay({ initialLearningRate: 0.02, decaySteps: 3, decayRate: 0.5 }) }),
  AdamW: () => adamW({ learningRate: 0.01, weightDecay: 0.1, excludeFromWeightDecay: ['bias', /recurrent/] }),
  'RMSprop centered with momentum': () => rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true }),
  Adagrad: () => adagrad({ learningRate: 0.05 }),
  Adadelta: () => adadelta({ learningRate: 1 }),
  Adamax: () => adamax({ learningRate: 0.01 }),
  // Its momentum schedule's running product is recomputed from the restored step count.
  Nadam: () => nadam({ learningRate: 0.01 }),
};

describe('saveModel + loadModel resume training exactly', () => {
  for (const [label, make] of Object.entries(OPTIMIZERS)) {
    it(label, async () => {
      const straight = makeModel();
      straight.compile({ optimizer: make(), loss: 'mse', metrics: ['mae'] });
      await straight.fit(x, y, { ...fitOptions, epochs: 4 });

      const first = makeModel();
      const optimizer = make();
      first.compile({ optimizer, loss: 'mse', metrics: ['mae'] });
      await first.fit(x, y, { ...fitOptions, epochs: 2 });
      const dir = await tempDir();
      await saveModel(first, dir);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(json.training.optimizer.className).toBe(optimizer.className);
      expect(json.training.iterations).toBe(6);
      expect(json.training.compile).toEqual({ loss: 'mse', metrics: ['mae'] });
      expect(json.training.slots.length).toBe(optimizer.slotNames.length * first.trainableWeights.length);

      const before = backend.memory().numTensors;
      const resumed = await loadModel(dir, { backend });
      expect(resumed.compiled).toBe(true);
      expect(resumed.optimizer.className).toBe(optimizer.className);
      expect(resumed.optimizer.iterations).toBe(6);
      expect(resumed.optimizer.getConfig()).toEqual(optimizer.getConfig());
      // The model's weights and the optimizer's slots, nothing else.
      expect(backend.memory().numTensors).toBe(before + resumed.weights.length + json.training.slots.length);
      await resumed.fit(x, y, { ...fitOptions, epochs: 4, initialEpoch: 2 });
      expect(resumed.getWeightData()).toEqual(straight.getWeightData());
      const logs = await resumed.evaluate(x, y);
      expect(Object.keys(logs).sort()).toEqual(['loss', 'mae']);
      for (const m of [straight, first, resumed]) m.dispose();
    });
  }

  it('saves no optimizer with includeOptimizer: false, and loads uncompiled with compile: false', async () => {
    const m = makeModel();
    m.compile({ optimizer: adam(), loss: 'mse' });
    await m.fit(x, y, { ...fitOptions, epochs: 1 });
    const without = await saveModel(m, undefined, { includeOptimizer: false });
    expect(without.modelJSON.training).toBeUndefined();
    expect(deserializeModel(without, { backend }).compiled).toBe(false);
    expect(() => deserializeModel(without, { backend, compile: true })).toThrow(
      'loadModel: artifacts.modelJSON: the model was saved without its optimizer (not compiled, or includeOptimizer: false), so compile: true has nothing to restore',
    );
    const recompiled = deserializeModel(without, { backend, compile: { optimizer: 'sgd', loss: 'mae' } });
    expect(recompiled.optimizer.className).toBe('SGD');
    const withOptimizer = serializeModel(m);
    expect(deserializeModel(withOptimizer, { backend, compile: false }).compiled).toBe(false);
    const uncompiled = makeModel();
    expect(serializeModel(uncompiled).modelJSON.training).toBeUndefined();
    expect(() => serializeModel(uncompiled, { includeOptimizer: true })).toThrow(
      'saveModel options.includeOptimizer: sequential (Sequential) is not compiled, so it has no optimizer to save',
    );
  });

  it('restores state into an optimizer given at load time, and refuses one that keeps other slots', async () => {
    const m = makeModel();
    m.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'mse' });
    await m.fit(x, y, { ...fitOptions, epochs: 1 });
    const artifacts = serializeModel(m);
    const given = adam({ learningRate: 0.01 });
    const loaded = deserializeModel(artifacts, { backend, compile: { optimizer: given } });
    expect(loaded.optimizer).toBe(given);
    expect(given.getState(loaded.trainableWeights)).toEqual(m.optimizer.getState(m.trainableWeights));
    const before = backend.memory().numTensors;
    expect(() => deserializeModel(artifacts, { backend, compile: { optimizer: adagrad() } })).toThrow(
      'adagrad setState state.slots[0].slot: expected a slot of Adagrad with these options (accumulator), received "m"',
    );
    expect(backend.memory().numTensors).toBe(before);
  });

  it('saves custom losses by name and needs them back to compile', async () => {
    const m = makeModel();
    const halfSquares = customLoss('halfSquares', (b, t, p) => {
      const d = b.sub(p, t);
      return b.mul(b.sum(b.mul(d, d), -1), 0.5);
    });
    m.compile({ optimizer: sgd(), loss: halfSquares });
    await m.fit(x, y, { ...fitOptions, epochs: 1 });
    const artifacts = serializeModel(m);
    expect(artifacts.modelJSON.training?.compile).toEqual({ loss: { custom: 'halfSquares' } });
    const before = backend.memory().numTensors;
    expect(() => deserializeModel(artifacts, { backend })).toThrow(
      'loadModel: artifacts.modelJSON: the model was compiled with custom loss "halfSquares", saved by name only; pass them in options.compile ({ loss, metrics }), or compile: false',
    );
    expect(backend.memory().numTensors).toBe(before);
    const loaded = deserializeModel(artifacts, { backend, compile: { loss: halfSquares } });
    expect(loaded.optimizer.iterations).toBe(3);
  });

  it('refuses optimizers whose learning rate cannot be saved', async () => {
    const m = makeModel();
    m.compile({ optimizer: sgd({ learningRate: (step) => 0.1 / (1 + step) }), loss: 'mse' });
    expect(() => serializeModel(m)).toThrow(
      'saveModel: the optimizer learningRate: a function cannot be saved; expected a number or a schedule',
    );
    expect(serializeModel(m, { includeOptimizer: false }).modelJSON.training).toBeUndefined();
  });
});
