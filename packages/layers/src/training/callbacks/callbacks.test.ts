/**
 * Early stopping (Keras 3's rules: patience, minDelta, mode, baseline, restoreBestWeights, startFromEpoch) driven
 * with chosen logs and inside `fit`; the progress bar with a fake terminal and clock, quiet off terminals.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { dense } from '../../layers/dense.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { cpuBackend, seeded } from '../test-helpers.js';
import type { TrainingParams } from './callback.js';
import { type EarlyStopping, earlyStopping } from './early-stopping.js';
import { formatDuration, formatLogValue, progressBar } from './progress-bar.js';

type T = tf.Tensor;
const backend = cpuBackend();
const X = Array.from({ length: 32 }, (_, i) => seeded(2, `x${i}`));
const Y = X.map((r) => [r[0]! - r[1]!]);

function tiny(): Model<T> {
  const m = sequential<T>([dense({ units: 1, inputShape: [2] })], { backend, seed: 1 });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

const params: TrainingParams = {
  epochs: 10,
  initialEpoch: 0,
  steps: 4,
  batchSize: 8,
  samples: 32,
  verbose: 1,
  doValidation: true,
  metrics: ['loss', 'val_loss'],
};

/** Runs the callback's epoch hooks over `values` of the monitored log; returns the epochs it ran. */
function drive(
  callback: EarlyStopping,
  m: Model<T>,
  values: readonly number[],
  monitor = 'val_loss',
): number {
  callback.setModel(m as Model<unknown>);
  callback.setParams(params);
  m.stopTraining = false;
  callback.onTrainBegin();
  let epochs = 0;
  for (const [epoch, value] of values.entries()) {
    if (m.stopTraining) break;
    callback.onEpochEnd(epoch, { loss: 1, [monitor]: value });
    epochs += 1;
  }
  callback.onTrainEnd();
  return epochs;
}

describe('earlyStopping', () => {
  it("takes Keras' verbose 0 and 1 as well as booleans, like the other callbacks", () => {
    expect(earlyStopping({ verbose: 1 }).verbose).toBe(true);
    expect(earlyStopping({ verbose: 0 }).verbose).toBe(false);
    expect(() => earlyStopping({ verbose: 2 as never })).toThrow(
      'earlyStopping verbose: expected a boolean, 0 or 1, received 2',
    );
  });

  it('stops after patience epochs without improvement', () => {
    const m = tiny();
    const es = earlyStopping({ patience: 2 });
    expect(drive(es, m, [1, 0.8, 0.9, 0.85, 0.7, 0.6])).toBe(4);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.best).toBe(0.8);
    expect(es.bestEpoch).toBe(1);
  });

  it('minDelta: smaller changes do not count as improvements', () => {
    const m = tiny();
    // 0.97 is not 0.05 better than 1: stop at epoch 1.
    expect(drive(earlyStopping({ patience: 1, minDelta: 0.05 }), m, [1, 0.97, 0.96, 0.5])).toBe(2);
    // 0.01: 0.97 counts, 0.96 (exactly 0.01 better) does not.
    expect(drive(earlyStopping({ patience: 1, minDelta: 0.01 }), m, [1, 0.97, 0.96, 0.5])).toBe(3);
    expect(drive(earlyStopping({ patience: 1, minDelta: 0.005 }), m, [1, 0.97, 0.96, 0.5])).toBe(4);
  });

  it('mode: auto maximises accuracy-like logs, minimises others; explicit max', () => {
    const m = tiny();
    const acc = earlyStopping({ monitor: 'val_accuracy', patience: 1 });
    expect(acc.mode).toBe('max');
    expect(drive(acc, m, [0.5, 0.6, 0.55, 0.7], 'val_accuracy')).toBe(3);
    expect(earlyStopping({ monitor: 'val_mae' }).mode).toBe('min');
    expect(
      drive(earlyStopping({ monitor: 'val_mae', mode: 'max', patience: 1 }), m, [1, 0.9, 2], 'val_mae'),
    ).toBe(2);
  });

  it('baseline: patience counts from the last value that beat both the best and the baseline (Keras 3)', () => {
    const m = tiny();
    // Never beats 0.5: the wait is never reset, so the first epoch without improvement stops the run.
    expect(drive(earlyStopping({ patience: 2, baseline: 0.5 }), m, [1, 0.9, 0.95, 0.97, 0.4])).toBe(3);
    // 0.9 beats 0.95: the wait restarts there.
    expect(drive(earlyStopping({ patience: 2, baseline: 0.95 }), m, [1, 0.9, 0.95, 0.97, 0.4])).toBe(4);
  });

  it('startFromEpoch: epochs before it are not watched', () => {
    const m = tiny();
    expect(drive(earlyStopping({ patience: 0, startFromEpoch: 3 }), m, [1, 2, 3, 4, 5, 6])).toBe(5);
  });

  it('restoreBestWeights puts back the weights of the best epoch when training ends', () => {
    const m = tiny();
    const es = earlyStopping({ patience: 2, restoreBestWeights: true });
    es.setModel(m as Model<unknown>);
    es.setParams(params);
    const before = backend.memory().numTensors;
    es.onTrainBegin();
    const snapshots: number[][] = [];
    const losses = [1, 0.5, 0.7, 0.8, 0.9];
    for (const [epoch, value] of losses.entries()) {
      // "Training": a different weight each epoch.
      m.setWeights([[epoch + 1, epoch + 2], [epoch]]);
      snapshots.push(m.getWeightData().flatMap((w) => Array.from(w.values)));
      es.onEpochEnd(epoch, { val_loss: value });
      if (m.stopTraining) break;
    }
    expect(m.stopTraining).toBe(true);
    es.onTrainEnd();
    expect(m.getWeightData().flatMap((w) => Array.from(w.values))).toEqual(snapshots[1]);
    expect(backend.memory().numTensors).toBe(before);
  });

  it('a monitored log that never appears is warned about once per run, naming the logs there are (as Keras)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const m = tiny();
      const es = earlyStopping({ monitor: 'val_auc' });
      es.setModel(m as Model<unknown>);
      es.setParams({ ...params, doValidation: false });
      es.onTrainBegin();
      es.onEpochEnd(0, { loss: 1 });
      es.onEpochEnd(1, { loss: 2 });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        'earlyStopping: the monitored log "val_auc" is not in the epoch\'s logs, so the callback does nothing; logs: loss; validation logs need validationData or validationSplit in fit',
      );
      // A misspelling gets the closest name; a new run warns again.
      const typo = earlyStopping({ monitor: 'val_acuracy' });
      typo.setModel(m as Model<unknown>);
      typo.setParams({ ...params, metrics: ['loss', 'accuracy', 'val_loss', 'val_accuracy'] });
      typo.onTrainBegin();
      typo.onEpochEnd(0, { loss: 1, accuracy: 0.5, val_loss: 1, val_accuracy: 0.5 });
      expect(warn).toHaveBeenLastCalledWith(expect.stringContaining('(did you mean "val_accuracy"?)'));
      expect(typo.model.stopTraining).toBe(false);
      // With validationFreq, an epoch without validation is expected to lack the log: no warning.
      warn.mockClear();
      const sparse = earlyStopping({ monitor: 'val_loss' });
      sparse.setModel(m as Model<unknown>);
      sparse.setParams({ ...params, doValidation: true, metrics: ['loss', 'val_loss'] });
      sparse.onTrainBegin();
      sparse.onEpochEnd(0, { loss: 1 });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('inside fit: stops the run and restores the best weights', async () => {
    const m = tiny();
    // minDelta too large to improve on: the first epoch is the best, the second runs out of patience.
    const history = await m.fit(X, Y, {
      epochs: 10,
      verbose: 0,
      callbacks: [earlyStopping({ monitor: 'loss', minDelta: 1e9, patience: 1, restoreBestWeights: true })],
    });
    expect(history.epoch).toEqual([0, 1]);
    const weightsAfterFirstEpoch = await (async () => {
      const fresh = tiny();
      await fresh.fit(X, Y, { epochs: 1, verbose: 0, seed: `${1}:fit:0` });
      return fresh.getWeightData();
    })();
    expect(m.getWeightData()).toEqual(weightsAfterFirstEpoch);
  });
});

/** A fake terminal. */
function terminal(isTTY: boolean, columns = 200) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (s: string) => void chunks.push(s) } };
}

describe('progressBar', () => {
  it('redraws one line per epoch in a terminal: bar, counts, logs, steps/s, ETA; then the epoch summary', () => {
    const { chunks, stream } = terminal(true);
    let now = 0;
    const bar = progressBar({ stream, now: () => now, updateIntervalMs: 0 });
    bar.setParams({ ...params, epochs: 2 });
    bar.onEpochBegin(0);
    now = 500;
    bar.onBatchEnd(0, { loss: 0.5, mae: 0.25 });
    expect(chunks.at(-1)).toBe(
      '\r\x1b[KEpoch 1/2 [=======>......................] 1/4 · loss 0.5000 · mae 0.2500 · 2.0 steps/s · ETA 2s',
    );
    now = 2000;
    bar.onBatchEnd(3, { loss: 0.25, mae: 0.125 });
    expect(chunks.at(-1)).toBe(
      '\r\x1b[KEpoch 1/2 [==============================] 4/4 · loss 0.2500 · mae 0.1250 · 2.0 steps/s',
    );
    bar.onEpochEnd(0, { loss: 0.25, mae: 0.125, val_loss: 0.3, val_mae: 1.5e-5 });
    expect(chunks.slice(-2)).toEqual([
      '\r\x1b[KEpoch 1/2 [==============================] 4/4 · loss 0.2500 · mae 0.1250 · val_loss 0.3000 · val_mae 1.50e-5 · 2s (2.0 steps/s)',
      '\n',
    ]);
  });

  it('throttles redraws but always draws the last batch', () => {
    const { chunks, stream } = terminal(true);
    let now = 0;
    const bar = progressBar({ stream, now: () => now, updateIntervalMs: 100 });
    bar.setParams(params);
    bar.onEpochBegin(0);
    for (let b = 0; b < 4; b++) {
      now += 10;
      bar.onBatchEnd(b, { loss: 1 });
    }
    // The first batch (nothing drawn yet) and the last.
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toContain('4/4');
  });

  it('cuts lines to the terminal width so that redrawing works', () => {
    const { chunks, stream } = terminal(true, 40);
    const bar = progressBar({ stream, now: () => 1000, updateIntervalMs: 0 });
    bar.setParams(params);
    bar.onEpochBegin(0);
    bar.onBatchEnd(0, { loss: 1, a_rather_long_metric_name: 2 });
    expect(chunks[0]!.length).toBe('\r\x1b[K'.length + 39);
  });

  it('without a known step count, counts steps (and takes the first epoch’s count later)', () => {
    const { chunks, stream } = terminal(true);
    let now = 0;
    const bar = progressBar({ stream, now: () => now, updateIntervalMs: 0 });
    bar.setParams({ ...params, steps: undefined });
    bar.onEpochBegin(0);
    now = 1000;
    bar.onBatchEnd(0, { loss: 1 });
    expect(chunks.at(-1)).toBe('\r\x1b[KEpoch 1/10 1 steps · loss 1.0000 · 1.0 steps/s');
    bar.onBatchEnd(1, { loss: 1 });
    bar.onEpochEnd(0, { loss: 1 });
    bar.onEpochBegin(1);
    bar.onBatchEnd(0, { loss: 1 });
    expect(chunks.at(-1)).toContain('Epoch 2/10 [===============>..............] 1/2');
  });

  it('off a terminal prints each finished epoch line once, no redraws (as Keras)', async () => {
    const { chunks, stream } = terminal(false);
    const m = tiny();
    await m.fit(X, Y, { epochs: 2, batchSize: 8, verbose: 1, callbacks: [progressBar({ stream })] });
    expect(chunks.join('')).not.toContain('\r');
    const lines = chunks.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^Epoch 2\/2 \[=+\] 4\/4 · loss \d\.\d{4} · \d+s \([\d.]+ steps\/s\)$/);
  });

  it('epoch mode (verbose 2): one summary line per epoch, terminal or not', async () => {
    const { chunks, stream } = terminal(false);
    const m = tiny();
    await m.fit(X, Y, {
      epochs: 3,
      batchSize: 8,
      validationSplit: 0.25,
      callbacks: [progressBar({ stream, mode: 'epoch' })],
    });
    const lines = chunks.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^Epoch 1\/3 · 3 steps · loss \d\.\d{4} · val_loss \d\.\d{4} · \d+s \([\d.]+ steps\/s\)$/,
    );
  });

  it("evaluate prints one result line with verbose (Keras' option), nothing by default", async () => {
    const m = tiny();
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const quiet = await m.evaluate(X, Y);
      expect(written).toEqual([]);
      const logs = await m.evaluate(X, Y, { verbose: 1 });
      expect(logs).toEqual(quiet);
      expect(written).toHaveLength(1);
      expect(written[0]).toMatch(/^Evaluate · loss \d\.\d{4} · \d+s\n$/);
    } finally {
      write.mockRestore();
    }
    await expect(m.evaluate(X, Y, { verbose: 3 as never })).rejects.toThrow(
      "evaluate verbose: expected 0, 1, 2 or 'auto', received 3",
    );
  });

  it('formats values and durations', () => {
    expect(formatLogValue(0.123456)).toBe('0.1235');
    expect(formatLogValue(0)).toBe('0.0000');
    expect(formatLogValue(0.00001234)).toBe('1.23e-5');
    expect(formatLogValue(Number.NaN)).toBe('NaN');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(187)).toBe('3:07');
    expect(formatDuration(3723)).toBe('1:02:03');
  });
});
