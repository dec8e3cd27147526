/**
 * `checkNumerics` in training: on finite data it only reads (the run is bit-identical to one without it); a step
 * whose gradients are not finite fails before the update, leaving the weights as they were. (The robustness suite
 * covers non-finite inputs, targets and sample weights.)
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dense } from '../layers/dense.js';
import { sequential } from '../models/sequential.js';
import { customLoss } from './losses/index.js';
import { cpuBackend, seeded } from './test-helpers.js';

type T = tf.Tensor;
const X = Array.from({ length: 16 }, (_, i) => seeded(3, `x${i}`));
const Y = X.map((r) => [r[0]! + r[1]!]);

function regressor(backend: ReturnType<typeof cpuBackend>) {
  const m = sequential<T>([dense({ units: 4, activation: 'tanh', inputShape: [3] }), dense({ units: 1 })], {
    backend,
    seed: 3,
  });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

describe('checkNumerics in training', () => {
  it('on finite data, trains exactly as without it', async () => {
    const plain = regressor(cpuBackend());
    const checked = regressor(createCpuBackend({ checkNumerics: true }));
    const h1 = await plain.fit(X, Y, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      seed: 1,
      sampleWeight: X.map(() => 2),
    });
    const h2 = await checked.fit(X, Y, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      seed: 1,
      sampleWeight: X.map(() => 2),
    });
    expect(h2.history.loss).toEqual(h1.history.loss);
    expect(checked.getWeightData()).toEqual(plain.getWeightData());
  });

  it('refuses a step whose gradients are not finite, before the update', async () => {
    const backend = createCpuBackend({ checkNumerics: true });
    const m = regressor(backend);
    // sqrt(|e|) has an infinite slope at e = 0: labels equal to the predictions make the gradients non-finite.
    m.compile({
      optimizer: 'sgd',
      loss: customLoss('rootError', (b, yt, yp) => b.sqrt(b.abs(b.sub(yp, yt)))),
    });
    const predictions = m.predict(X) as T;
    const labels = Array.from(backend.dataSync(predictions)).map((v) => [v]);
    backend.dispose(predictions);
    const before = m.getWeightData();
    const tensors = backend.memory().numTensors;
    await expect(m.fit(X, labels, { verbose: 0 })).rejects.toThrow(
      /^sequential \(Sequential\) fit gradient of dense(_1)?\/\w+: expected finite values, received NaN at index/,
    );
    expect(m.getWeightData()).toEqual(before);
    expect(backend.memory().numTensors).toBe(tensors);
  });
});
