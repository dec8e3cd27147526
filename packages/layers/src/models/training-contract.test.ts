/**
 * The contract the training code builds on: `model.apply(x, { training, weights, rng })` inside
 * `backend.valueAndGrads`, differentiating with respect to the weight tensors passed as arguments. Runs the layers on
 * `@seqmodel/backend-cpu` (tfjs' CPU backend with autodiff) and checks the gradients against central finite
 * differences of the same model on the float64 reference backend.
 */
import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { bidirectional } from '../layers/bidirectional.js';
import { dense } from '../layers/dense.js';
import { embedding } from '../layers/embedding.js';
import { gru, lstm } from '../layers/rnn.js';
import { expectClose, newBackend, randomValues, type tf } from '../test-helpers.js';
import { cpuBackend } from '../training/test-helpers.js';
import type { Model } from './model.js';
import { sequential } from './sequential.js';

function build<T>(backend: import('@seqmodel/core').Backend<T>, dropoutRate = 0) {
  return sequential<T>(
    [
      embedding({ inputDim: 6, outputDim: 3, maskZero: true }),
      bidirectional(
        lstm({ units: 3, returnSequences: true, dropout: dropoutRate, recurrentDropout: dropoutRate }),
      ),
      gru({ units: 2, resetAfter: false }),
      dense({ units: 2 }),
    ],
    { backend, seed: 13, inputShape: [null] },
  );
}

const ids = [
  [1, 4, 2, 5],
  [3, 2, 0, 0],
];
const weightsOfLoss = randomValues(4, 'loss');

/** loss = sum(y * r) for fixed r: its gradient reaches every weight the output depends on. */
function loss<T>(m: Model<T>, x: T, options: { weights?: T[]; training?: boolean; rng?: number }): T {
  const b = m.backend;
  const y = m.apply(x, options) as T;
  return b.sum(b.mul(y, b.tensor(weightsOfLoss, [2, 2])));
}

describe('training contract: apply with weight overrides under valueAndGrads', () => {
  it('runs the same layers on a second backend with the same seeded weights (atol 1e-5)', () => {
    const ref = newBackend();
    const tfb = cpuBackend();
    const a = build(ref);
    const b = build(tfb);
    expect(a.getWeightData()).toEqual(b.getWeightData());
    const y = ref.toFloat64(a.predict(ref.tensor(ids)) as RefTensor);
    const z = tfb.dataSync(b.predict(tfb.tensor(ids)) as tf.Tensor);
    expectClose('tfjs vs reference', z, y);
  });

  for (const dropoutRate of [0, 0.3]) {
    it(`gives gradients equal to finite differences on the reference${dropoutRate > 0 ? ', with dropout masks from the same rng' : ''}`, () => {
      const tfb = cpuBackend();
      const model = build(tfb, dropoutRate);
      const x = tfb.tensor(ids);
      const training = dropoutRate > 0;
      const vars = model.trainableWeights.map((w) => w.read<tf.Tensor>());
      const before = tfb.memory().numTensors;
      const { value, grads } = tfb.valueAndGrads!(
        (...w) => loss(model, x, { weights: w, training, rng: 99 }),
        vars,
      );
      expect(tfb.memory().numTensors).toBe(before + 1 + grads.length);
      expect(grads.map((g) => g.shape)).toEqual(model.trainableWeights.map((w) => [...w.shape]));

      const ref = newBackend();
      const reference = build(ref, dropoutRate);
      const xr = ref.tensor(ids);
      const f = () => {
        const l = loss(reference, xr, { training, rng: 99 });
        return ref.toFloat64(l)[0]!;
      };
      expectClose('value', tfb.dataSync(value), [f()]);
      const data = reference.getWeightData();
      const eps = 1e-4;
      data.forEach((w, i) => {
        const g = tfb.dataSync(grads[i]!);
        const numeric = new Float64Array(w.values.length);
        for (let k = 0; k < w.values.length; k++) {
          const plus = Float64Array.from(w.values);
          plus[k]! += eps;
          const minus = Float64Array.from(w.values);
          minus[k]! -= eps;
          reference.weights[i]!.assign(ref.tensor(plus, w.shape));
          const up = f();
          reference.weights[i]!.assign(ref.tensor(minus, w.shape));
          const down = f();
          numeric[k] = (up - down) / (2 * eps);
        }
        reference.weights[i]!.assign(ref.tensor(w.values, w.shape));
        // float32 gradients against float64 central differences (truncation error ~eps^2).
        expectClose(`gradient of ${w.name}`, g, numeric, { atol: 2e-4, rtol: 1e-3 });
      });
      // Id 0 only appears at masked steps: its embedding row gets no gradient.
      expect(Array.from(tfb.dataSync(grads[0]!).subarray(0, 3))).toEqual([0, 0, 0]);
      tfb.dispose([value, ...grads]);
      expect(tfb.memory().numTensors).toBe(before);
    });
  }

  it('keeps stateful states made inside valueAndGrads and frees the rest', () => {
    const tfb = cpuBackend();
    const model = sequential<tf.Tensor>(
      [lstm({ units: 2, stateful: true, inputShape: [null, 1] }), dense({ units: 1 })],
      {
        backend: tfb,
        seed: 1,
      },
    );
    const x = tfb.tensor([[[1], [2]]]);
    const vars = model.trainableWeights.map((w) => w.read<tf.Tensor>());
    const before = tfb.memory().numTensors;
    const { value, grads } = tfb.valueAndGrads!(
      (...w) => tfb.sum(model.apply(x, { weights: w }) as tf.Tensor),
      vars,
    );
    tfb.dispose([value, ...grads]);
    // The two carried states (h, c) stay; nothing else does.
    expect(tfb.memory().numTensors).toBe(before + 2);
    model.resetStates();
    expect(tfb.memory().numTensors).toBe(before);
  });
});
