/**
 * `ModelCheckpoint` (Keras 3's rules): paths formatted as Python's `str.format` formats them (expected strings
 * printed by CPython 3), saves every epoch or every `saveFreq` batches counted across epochs, `saveBestOnly` with
 * `mode` and `initialValueThreshold`, a warning when the monitored log is missing, weights-only checkpoints, and
 * checkpoints that `loadModel` resumes training from.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import '../layers/builtins.js';
import { dense } from '../layers/dense.js';
import type { Model } from '../models/model.js';
import { sequential } from '../models/sequential.js';
import type { TrainingParams } from '../training/callbacks/callback.js';
import {
  CheckpointCallback,
  formatCheckpointPath,
  type ModelCheckpointOptions,
} from '../training/callbacks/model-checkpoint.js';
import { cpuBackend, seeded } from '../training/test-helpers.js';
import { modelCheckpoint } from './checkpoint.js';
import { loadModel, loadWeights } from './native/save-load.js';

const backend = cpuBackend();
const X = Array.from({ length: 16 }, (_, i) => seeded(2, `x${i}`));
const Y = X.map((r) => [r[0]! - r[1]!]);
const x = backend.tensor(X);
const y = backend.tensor(Y);

const directories: string[] = [];
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seqmodel-ckpt-'));
  directories.push(dir);
  return dir;
}

function tiny(): Model<unknown> {
  const m = sequential([dense({ units: 1, inputShape: [2] })], { backend, seed: 1 }) as Model<unknown>;
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

const params: TrainingParams = {
  epochs: 10,
  initialEpoch: 0,
  steps: 4,
  batchSize: 4,
  samples: 16,
  verbose: 0,
  doValidation: true,
  metrics: ['loss', 'val_loss'],
};

/** A checkpoint callback that records what it would write; runs the epoch hooks over `logs`. */
async function drive(options: ModelCheckpointOptions, logs: readonly Record<string, number>[]) {
  const writes: string[] = [];
  const callback = new CheckpointCallback(options, async (_model, filepath, weightsOnly) => {
    writes.push(`${weightsOnly ? 'weights' : 'model'}:${filepath}`);
  });
  callback.setModel(tiny());
  callback.setParams(params);
  callback.onTrainBegin();
  for (const [epoch, l] of logs.entries()) {
    callback.onEpochBegin(epoch);
    await callback.onEpochEnd(epoch, l);
  }
  return { writes, callback };
}

describe('formatCheckpointPath', () => {
  it('formats fields as Python str.format does', () => {
    // CPython 3: '{epoch:02d}-{val_loss:.3f}-{loss:.2e}-{lr:g}-{epoch:4d}-{big:g}-{x}-{{lit}}'.format(...)
    expect(
      formatCheckpointPath('{epoch:02d}-{val_loss:.3f}-{loss:.2e}-{lr:g}-{epoch:4d}-{big:g}-{x}-{{lit}}', {
        epoch: 3,
        val_loss: 0.123456,
        loss: 0.000123456,
        lr: 0.0001,
        big: 1234567,
        x: 0.1 + 0.2,
      }),
    ).toBe('03-0.123-1.23e-04-0.0001-   3-1.23457e+06-0.30000000000000004-{lit}');
    // '{v:08.3f}|{n:05d}|{s:g}|{t:.3g}|{u:e}' and '{a:g}|{b:.3}|{c:.2g}|{d}'
    expect(
      formatCheckpointPath('{v:08.3f}|{n:05d}|{s:g}|{t:.3g}|{u:e}', {
        v: -1.5,
        n: -42,
        s: 100000,
        t: 0.00012345,
        u: 12345.678,
      }),
    ).toBe('-001.500|-0042|100000|0.000123|1.234568e+04');
    expect(
      formatCheckpointPath('{a:g}|{b:.3}|{c:.2g}|{d}', { a: 999999.5, b: 12.3456, c: 0.000099999, d: 1e-5 }),
    ).toBe('1e+06|12.3|0.0001|1e-05');
  });

  it('names what is wrong with a template', () => {
    expect(() => formatCheckpointPath('ckpt/{val_acc:.2f}', { epoch: 1, loss: 0.5 })).toThrow(
      'modelCheckpoint filepath: "ckpt/{val_acc:.2f}" names {val_acc}, which is not among the values at this save (epoch, loss)',
    );
    expect(() => formatCheckpointPath('ckpt/{epoch', { epoch: 1 })).toThrow(
      'modelCheckpoint filepath: a single "{" in "ckpt/{epoch"; write {{ or }} for a brace',
    );
    expect(() => formatCheckpointPath('{loss:d}', { loss: 0.5 })).toThrow(
      'modelCheckpoint filepath: {loss:d}: expected an integer for format "d", received 0.5',
    );
  });
});

describe('modelCheckpoint options', () => {
  it('refuses bad options, naming them', () => {
    expect(() => modelCheckpoint({ filepath: 'a', save_best_only: true } as never)).toThrow(
      'modelCheckpoint: unknown option "save_best_only"; options: filepath, monitor, verbose, saveBestOnly',
    );
    expect(() => modelCheckpoint({} as never)).toThrow(
      'modelCheckpoint filepath: expected a directory path (a non-empty string), received undefined',
    );
    expect(() => modelCheckpoint({ filepath: 'a', saveFreq: 0 })).toThrow(
      'modelCheckpoint saveFreq: expected "epoch" or a whole number of batches >= 1, received 0',
    );
    expect(() => modelCheckpoint({ filepath: 'a', saveFreq: 'batch' as never })).toThrow(
      'modelCheckpoint saveFreq',
    );
    expect(() => modelCheckpoint({ filepath: 'a', mode: 'minimum' as never })).toThrow(
      'modelCheckpoint mode: expected one of "auto", "min", "max", received "minimum"',
    );
    expect(() => modelCheckpoint({ filepath: 'a', saveBestOnly: 'yes' as never })).toThrow(
      'modelCheckpoint saveBestOnly: expected a boolean, received "yes"',
    );
    expect(() => modelCheckpoint({ filepath: 'ckpt/{epoch:x}' })).toThrow(
      'modelCheckpoint filepath: a single "{"',
    );
    expect(() => modelCheckpoint({ filepath: 'a', initialValueThreshold: Number.NaN })).toThrow(
      'modelCheckpoint initialValueThreshold: expected a number, received NaN',
    );
  });
});

describe('modelCheckpoint decisions', () => {
  const losses = [3, 2, 2.5, 1, 1].map((v) => ({ loss: v + 1, val_loss: v, val_accuracy: 1 / (1 + v) }));

  it('saves every epoch by default, formatting the path from the epoch (from 1) and the logs', async () => {
    const { writes } = await drive({ filepath: 'ckpt/{epoch:02d}-{val_loss:.1f}' }, losses.slice(0, 3));
    expect(writes).toEqual(['model:ckpt/01-3.0', 'model:ckpt/02-2.0', 'model:ckpt/03-2.5']);
  });

  it('saveBestOnly saves on improvement only: min for losses, max for accuracies, strict', async () => {
    expect((await drive({ filepath: 'b{epoch}', saveBestOnly: true }, losses)).writes).toEqual([
      'model:b1',
      'model:b2',
      'model:b4',
    ]);
    expect(
      (await drive({ filepath: 'b{epoch}', saveBestOnly: true, monitor: 'val_accuracy' }, losses)).writes,
    ).toEqual(['model:b1', 'model:b2', 'model:b4']);
    expect(
      (
        await drive(
          { filepath: 'b{epoch}', saveBestOnly: true, monitor: 'val_accuracy', mode: 'min' },
          losses,
        )
      ).writes,
    ).toEqual(['model:b1']);
    const { writes, callback } = await drive(
      { filepath: 'b{epoch}', saveBestOnly: true, initialValueThreshold: 1.5, saveWeightsOnly: true },
      losses,
    );
    expect(writes).toEqual(['weights:b4']);
    expect(callback.best).toBe(1);
  });

  it('warns once when the monitored log is missing, and saves nothing', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { writes } = await drive({ filepath: 'b', saveBestOnly: true, monitor: 'val_auc' }, losses);
    expect(writes).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe(
      'modelCheckpoint: can save the best model only with "val_auc" in the logs, which hold loss, val_loss, val_accuracy; skipping (validation logs need validationData or validationSplit)',
    );
  });

  it('prints what it does with verbose: 1', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await drive({ filepath: 'b{epoch}', saveBestOnly: true, verbose: 1 }, losses.slice(0, 3));
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      'Epoch 1: val_loss improved from Infinity to 3.00000, saving model to b1',
      'Epoch 2: val_loss improved from 3.00000 to 2.00000, saving model to b2',
      'Epoch 3: val_loss did not improve from 2.00000',
    ]);
  });

  it('saveFreq n saves every n batches, counted across epochs', async () => {
    const writes: string[] = [];
    const callback = new CheckpointCallback({ filepath: 'c{epoch}-{batch}', saveFreq: 3 }, async (_m, p) => {
      writes.push(p);
    });
    callback.setModel(tiny());
    callback.setParams(params);
    callback.onTrainBegin();
    for (let epoch = 0; epoch < 3; epoch++) {
      callback.onEpochBegin(epoch);
      for (let batch = 0; batch < 4; batch++) await callback.onBatchEnd(batch, { loss: 1 });
      await callback.onEpochEnd(epoch, { loss: 1 });
    }
    // Batches 3, 6, 9 and 12 of 12: epoch 1 batch 3, epoch 2 batch 2, epoch 3 batches 1 and 4.
    expect(writes).toEqual(['c1-3', 'c2-2', 'c3-1', 'c3-4']);
  });
});

describe('ModelCheckpoint in fit', () => {
  it('writes loadable models that resume training', async () => {
    const dir = await tempDir();
    const m = tiny();
    await m.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      seed: 3,
      verbose: 0,
      callbacks: [modelCheckpoint({ filepath: join(dir, 'epoch-{epoch}'), monitor: 'loss' })],
    });
    expect((await readdir(dir)).sort()).toEqual(['epoch-1', 'epoch-2', 'epoch-3']);
    const last = await loadModel(join(dir, 'epoch-3'), { backend });
    expect(last.getWeightData()).toEqual(m.getWeightData());
    expect(last.optimizer.iterations).toBe(12);
    const middle = await loadModel(join(dir, 'epoch-2'), { backend });
    await middle.fit(x, y, { epochs: 3, initialEpoch: 2, batchSize: 4, seed: 3, verbose: 0 });
    expect(middle.getWeightData()).toEqual(m.getWeightData());
  });

  it('keeps one directory up to date with saveBestOnly and saveWeightsOnly', async () => {
    const dir = join(await tempDir(), 'best');
    const m = tiny();
    const checkpoint = modelCheckpoint({
      filepath: dir,
      monitor: 'val_loss',
      saveBestOnly: true,
      saveWeightsOnly: true,
    });
    const perEpoch: unknown[] = [];
    const history = await m.fit(x, y, {
      epochs: 4,
      batchSize: 4,
      seed: 3,
      verbose: 0,
      validationSplit: 0.25,
      callbacks: [checkpoint, { onEpochEnd: () => void perEpoch.push(m.getWeightData()) }],
    });
    const vals = history.history.val_loss!;
    const best = vals.indexOf(Math.min(...vals));
    expect(checkpoint.best).toBe(vals[best]);
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    expect(files[1]).toBe('weights.json');
    const other = tiny();
    await loadWeights(other, dir);
    expect(other.getWeightData()).toEqual(perEpoch[best]);
    expect(checkpoint.saved.length).toBeGreaterThanOrEqual(1);
  });
});
