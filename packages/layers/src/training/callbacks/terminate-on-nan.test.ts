/**
 * `terminateOnNaN`: a NaN loss (targets holding NaN, with the backend's checks off) stops training after that batch,
 * with `onTrainEnd` still called, or rejects `fit` with `raiseError`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { dense } from '../../layers/dense.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { cpuBackend, seeded } from '../test-helpers.js';
import { terminateOnNaN } from './terminate-on-nan.js';

type T = tf.Tensor;
const backend = cpuBackend();
const X = Array.from({ length: 32 }, (_, i) => seeded(2, `x${i}`));
/** The second batch of 8 has a NaN target. */
const Y = X.map((r, i) => [i === 12 ? Number.NaN : r[0]! - r[1]!]);

function tiny(): Model<T> {
  const m = sequential<T>([dense({ units: 1, inputShape: [2] })], { backend, seed: 1 });
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

describe('terminateOnNaN', () => {
  it('stops after the batch whose loss is NaN; the epoch ends and onTrainEnd runs', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const batches: number[] = [];
      let ended = false;
      const history = await tiny().fit(X, Y, {
        epochs: 3,
        batchSize: 8,
        shuffle: false,
        verbose: 0,
        callbacks: [
          terminateOnNaN(),
          {
            onBatchEnd: (b) => void batches.push(b),
            onTrainEnd: () => {
              ended = true;
            },
          },
        ],
      });
      expect(batches).toEqual([0, 1]);
      expect(history.epoch).toEqual([0]);
      expect(ended).toBe(true);
      expect(log).toHaveBeenCalledWith('Batch 1: Invalid loss, terminating training');
    } finally {
      log.mockRestore();
    }
  });

  it('with raiseError, rejects fit at once', async () => {
    await expect(
      tiny().fit(X, Y, {
        epochs: 3,
        batchSize: 8,
        shuffle: false,
        verbose: 0,
        callbacks: [terminateOnNaN({ raiseError: true })],
      }),
    ).rejects.toThrow('terminateOnNaN: the loss is NaN at batch 1; training stopped');
  });

  it('leaves finite runs alone and names bad options', async () => {
    const finite = X.map((r) => [r[0]!]);
    const history = await tiny().fit(X, finite, { epochs: 2, verbose: 0, callbacks: [terminateOnNaN()] });
    expect(history.epoch).toEqual([0, 1]);
    expect(() => terminateOnNaN({ raise_error: true } as never)).toThrow(
      'terminateOnNaN options: unknown option "raise_error" (did you mean "raiseError"?)',
    );
  });
});
