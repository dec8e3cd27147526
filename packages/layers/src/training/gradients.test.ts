/**
 * The gradients of a whole training step (a masked sequence model, its compiled loss with the output mask and sample
 * weights) on the tfjs CPU backend, against central finite differences of the same loss on the float64 reference
 * backend. Float32 gradients against float64 differences with step 1e-4 (truncation error ~1e-8): atol 2e-4,
 * rtol 1e-3, as the layers' own training-contract test.
 */
import { type Backend, createReferenceBackend, type RefTensor } from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dense } from '../layers/dense.js';
import { embedding } from '../layers/embedding.js';
import { gru, lstm } from '../layers/rnn.js';
import { timeDistributed } from '../layers/time-distributed.js';
import type { Model } from '../models/model.js';
import { sequential } from '../models/sequential.js';
import { expectClose } from '../test-helpers.js';
import { sparseCategoricalCrossentropy } from './losses/crossentropy.js';
import { cpuBackend, Recorder } from './test-helpers.js';

function build<T>(backend: Backend<T>, cell: 'lstm' | 'gru'): Model<T> {
  return sequential<T>(
    [
      embedding({ inputDim: 6, outputDim: 3, maskZero: true }),
      cell === 'lstm' ? lstm({ units: 3, returnSequences: true }) : gru({ units: 3, returnSequences: true }),
      timeDistributed(dense({ units: 4 })),
    ],
    { backend, seed: 21, inputShape: [null] },
  );
}

// Padded token ids (0 = padding) and tags; the tags at padded steps are arbitrary and must not matter.
const ids = [
  [1, 4, 2, 5],
  [3, 2, 0, 0],
  [5, 0, 0, 0],
];
const tags = [
  [0, 3, 1, 2],
  [2, 2, 3, 1],
  [1, 0, 2, 3],
];
const weights = [1, 2, 0.5];

describe('gradients of a training step against finite differences (float64 reference)', () => {
  for (const cell of ['lstm', 'gru'] as const) {
    it(`embedding (maskZero) → ${cell} → timeDistributed(dense), sparse crossentropy from logits over unmasked steps`, () => {
      const cpu = cpuBackend();
      const trained = build(cpu as Backend<tf.Tensor>, cell);
      const recorder = new Recorder();
      trained.compile({ optimizer: recorder, loss: sparseCategoricalCrossentropy({ fromLogits: true }) });
      const logs = trained.trainOnBatch(ids, tags, { sampleWeight: weights });
      const grads = recorder.grads[0]!;

      const ref = createReferenceBackend();
      const reference = build(ref, cell);
      const loss = sparseCategoricalCrossentropy({ fromLogits: true });
      const x = ref.tensor(ids);
      const y = ref.tensor(tags, undefined, 'int32');
      const w = ref.tensor(weights);
      const f = () => {
        const { outputs, masks } = reference.applyWithMasks(x);
        const value = loss.compute(ref, y, outputs[0]!, { mask: masks[0], sampleWeight: w });
        return ref.toFloat64(value)[0]!;
      };
      expect(logs.loss!).toBeCloseTo(f(), 5);
      const eps = 1e-4;
      reference.trainableWeights.forEach((weight, i) => {
        const base = Float64Array.from(ref.toFloat64(weight.read<RefTensor>()));
        const numeric = new Float64Array(base.length);
        for (let k = 0; k < base.length; k++) {
          const plus = Float64Array.from(base);
          plus[k]! += eps;
          weight.assign(ref.tensor(plus, [...weight.shape]));
          const up = f();
          const minus = Float64Array.from(base);
          minus[k]! -= eps;
          weight.assign(ref.tensor(minus, [...weight.shape]));
          numeric[k] = (up - f()) / (2 * eps);
        }
        weight.assign(ref.tensor(base, [...weight.shape]));
        expectClose(`gradient of ${weight.name}`, grads[i]!, numeric, { atol: 2e-4, rtol: 1e-3 });
      });
      // Id 0 appears only at masked steps: its embedding row gets no gradient.
      expect(grads[0]!.slice(0, 3)).toEqual([0, 0, 0]);
    });
  }
});
