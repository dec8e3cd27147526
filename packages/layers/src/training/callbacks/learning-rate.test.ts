/**
 * `reduceLROnPlateau` and `learningRateScheduler` against Keras 3's rules, driven with chosen logs (the expected
 * rates worked out by hand from `keras/src/callbacks/reduce_lr_on_plateau.py`) and inside `fit`, where the rate
 * they set must be the one the optimizer uses: a run with the scheduler setting 0.05 gives bit-identical weights to a
 * run compiled with 0.05.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { dense } from '../../layers/dense.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { sgd } from '../optimizers/sgd.js';
import { exponentialDecay } from '../schedules.js';
import { cpuBackend, seeded } from '../test-helpers.js';
import type { Logs, TrainingParams } from './callback.js';
import { learningRateScheduler, reduceLROnPlateau } from './learning-rate.js';

type T = tf.Tensor;
const backend = cpuBackend();
const X = Array.from({ length: 32 }, (_, i) => seeded(2, `x${i}`));
const Y = X.map((r) => [r[0]! - r[1]!]);

function tiny(learningRate: number | ReturnType<typeof exponentialDecay> = 0.1): Model<T> {
  const m = sequential<T>([dense({ units: 1, inputShape: [2] })], { backend, seed: 1 });
  m.compile({ optimizer: sgd({ learningRate }), loss: 'mse' });
  return m;
}

const params: TrainingParams = {
  epochs: 20,
  initialEpoch: 0,
  steps: 4,
  batchSize: 8,
  samples: 32,
  verbose: 0,
  doValidation: false,
  metrics: ['loss'],
};

describe('reduceLROnPlateau', () => {
  it('follows Keras: patience, cooldown, factor, minLr (in float32), and logs the rate of each epoch', () => {
    const m = tiny(0.1);
    const cb = reduceLROnPlateau({
      monitor: 'loss',
      factor: 0.5,
      patience: 2,
      cooldown: 1,
      minLr: 0.01,
      minDelta: 0,
    });
    cb.setModel(m as Model<unknown>);
    cb.setParams(params);
    cb.onTrainBegin();
    const losses = [1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    const logged: number[] = [];
    losses.forEach((loss, epoch) => {
      const logs: Logs = { loss };
      cb.onEpochEnd(epoch, logs);
      logged.push(logs.learning_rate!);
    });
    // Epoch 2: two epochs without improvement, 0.1 -> 0.05 (cooldown 1). Epoch 3: the cooldown ends, wait 1.
    // Epoch 4: 0.05 -> 0.025. Epoch 5 improves. Epoch 7: 0.025 -> 0.0125. Epoch 9: 0.0125 -> max(0.00625, 0.01).
    // Epoch 11: the rate is at minLr: no change.
    expect(logged).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.01, 0.01]);
    expect(m.optimizer.learningRate).toBe(0.01);
  });

  it('in max mode (auto for accuracy), reduces when the log stops rising', () => {
    const m = tiny(1);
    const cb = reduceLROnPlateau({ monitor: 'val_accuracy', patience: 1, minDelta: 0.01 });
    expect(cb.mode).toBe('max');
    cb.setModel(m as Model<unknown>);
    cb.setParams({ ...params, doValidation: true, metrics: ['loss', 'val_accuracy'] });
    cb.onTrainBegin();
    cb.onEpochEnd(0, { val_accuracy: 0.5 });
    cb.onEpochEnd(1, { val_accuracy: 0.505 }); // within minDelta: not an improvement
    expect(m.optimizer.learningRate).toBeCloseTo(0.1, 12);
  });

  it('inside fit: the logs and History carry learning_rate', async () => {
    const m = tiny(0.1);
    const history = await m.fit(X, Y, {
      epochs: 3,
      verbose: 0,
      callbacks: [reduceLROnPlateau({ monitor: 'loss', patience: 0, minDelta: 1e9, factor: 0.5 })],
    });
    // minDelta too large to improve on: every epoch after the first reduces at its end; each epoch logs the rate it
    // trained with.
    expect(history.history.learning_rate).toEqual([0.1, 0.1, 0.05]);
    expect(m.optimizer.learningRate).toBe(0.025);
  });

  it('cannot change a rate given as a schedule, as Keras; bad options are errors', () => {
    const m = tiny(exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }));
    const cb = reduceLROnPlateau({ monitor: 'loss', patience: 0, minDelta: 1e9 });
    cb.setModel(m as Model<unknown>);
    cb.setParams(params);
    cb.onTrainBegin();
    cb.onEpochEnd(0, { loss: 1 });
    expect(() => cb.onEpochEnd(1, { loss: 1 })).toThrow(
      'sgd learningRate: the optimizer was made with a schedule as its learning rate, which decides the rate at every step; a number cannot replace it',
    );
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow(
      'reduceLROnPlateau factor: expected a number in [0, 1), received 1',
    );
    expect(() => reduceLROnPlateau({ min_lr: 0.1 } as never)).toThrow(
      'reduceLROnPlateau options: unknown option "min_lr" (did you mean "minLr"?)',
    );
    expect(() => reduceLROnPlateau({ patience: 1.5 })).toThrow(
      'reduceLROnPlateau patience: expected an integer >= 0, received 1.5',
    );
  });

  it('prints the reduction with verbose', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const m = tiny(0.1);
      const cb = reduceLROnPlateau({ monitor: 'loss', patience: 0, minDelta: 1e9, verbose: 1 });
      cb.setModel(m as Model<unknown>);
      cb.setParams(params);
      cb.onTrainBegin();
      cb.onEpochEnd(0, { loss: 1 });
      cb.onEpochEnd(1, { loss: 1 });
      expect(log).toHaveBeenCalledWith(
        expect.stringMatching(/^Epoch 2: ReduceLROnPlateau reducing learning rate to 0\.01/),
      );
    } finally {
      log.mockRestore();
    }
  });
});

describe('learningRateScheduler', () => {
  it('sets the rate from schedule(epoch, rate) at every epoch start and logs it', async () => {
    const m = tiny(0.1);
    const history = await m.fit(X, Y, {
      epochs: 4,
      verbose: 0,
      callbacks: [learningRateScheduler((epoch, rate) => (epoch < 2 ? rate : rate * 0.5))],
    });
    expect(history.history.learning_rate).toEqual([0.1, 0.1, 0.05, 0.025]);
    expect(m.optimizer.learningRate).toBe(0.025);
  });

  it('the rate it sets is the rate the updates use', async () => {
    const scheduled = tiny(0.1);
    await scheduled.fit(X, Y, {
      epochs: 2,
      verbose: 0,
      seed: 3,
      callbacks: [learningRateScheduler(() => 0.05)],
    });
    const plain = tiny(0.05);
    await plain.fit(X, Y, { epochs: 2, verbose: 0, seed: 3 });
    expect(scheduled.getWeightData()).toEqual(plain.getWeightData());
  });

  it('names a schedule that returns no usable rate, and bad arguments', async () => {
    const m = tiny(0.1);
    await expect(
      m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [learningRateScheduler(() => Number.NaN)] }),
    ).rejects.toThrow(
      'learningRateScheduler schedule(0): expected a finite learning rate >= 0, received NaN',
    );
    expect(() => learningRateScheduler(0.1 as never)).toThrow(
      'learningRateScheduler(schedule): expected a function (epoch, learningRate) => learningRate, received 0.1',
    );
    expect(() => learningRateScheduler(() => 1, { verbos: 1 } as never)).toThrow(
      'learningRateScheduler options: unknown option "verbos" (did you mean "verbose"?)',
    );
  });
});
