import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { newBackend } from '../test-helpers.js';
import { embedding } from './embedding.js';
import { GlobalAveragePooling1D, globalAveragePooling1d } from './global-average-pooling-1d.js';
import { globalMaxPooling1d } from './global-max-pooling-1d.js';

describe('GlobalAveragePooling1D and GlobalMaxPooling1D', () => {
  const ref = newBackend();
  // Ids [[1, 2, 0], [0, 0, 0]] through a one-feature embedding whose rows are 0, 10, 20: values [[10, 20, 0], [0, 0, 0]]
  // with the mask [[1, 1, 0], [0, 0, 0]] (maskZero).
  function pooled(layer: Parameters<typeof sequential>[0][number]) {
    const model = sequential<RefTensor>([embedding({ inputDim: 3, outputDim: 1, maskZero: true }), layer], {
      backend: ref,
      seed: 1,
      inputShape: [3],
    });
    model.setWeights([[0, 10, 20]]);
    const { outputs, masks } = model.applyWithMasks(
      ref.tensor([
        [1, 2, 0],
        [0, 0, 0],
      ]),
    );
    return { values: ref.toArray(outputs[0]!), masks };
  }

  it('averages the unmasked steps (by hand); a fully masked row is zeros; the mask stops', () => {
    const { values, masks } = pooled(globalAveragePooling1d());
    // (10 + 20) / 2; the second row has no valid step (Keras: 0 / 0).
    expect(values).toEqual([[15], [0]]);
    expect(masks).toEqual([undefined]);
    const kept = pooled(globalAveragePooling1d({ keepdims: true }));
    expect(kept.values).toEqual([[[15]], [[0]]]);
    expect(new GlobalAveragePooling1D({ keepdims: true }).getConfig()).toMatchObject({ keepdims: true });
  });

  it('a non-finite value at a masked step stays out of the average (where, as Keras)', () => {
    const model = sequential<RefTensor>([globalAveragePooling1d()], {
      backend: ref,
      seed: 1,
      inputShape: [3, 1],
    });
    const { outputs } = model.applyWithMasks(ref.tensor([[[1], [3], [Number.NaN]]]), {
      mask: ref.tensor([[1, 1, 0]]),
    });
    expect(ref.toArray(outputs[0]!)).toEqual([[2]]);
  });

  it('max pooling takes no mask (as Keras): a masked step counts', () => {
    // Row 1: max(10, 20, 0) = 20; row 2: every id is 0 (embedding row 0 = 0).
    expect(pooled(globalMaxPooling1d()).values).toEqual([[20], [0]]);
  });

  it('refuses other ranks and options, naming them', () => {
    expect(() => globalMaxPooling1d({ keepDims: true } as never)).toThrow(
      'globalMaxPooling1d options: unknown option "keepDims" (did you mean "keepdims"?)',
    );
    expect(() => globalAveragePooling1d({ keepdims: 1 as never })).toThrow(
      'globalAveragePooling1d keepdims: expected a boolean, received 1',
    );
    expect(() =>
      sequential<RefTensor>([globalAveragePooling1d()], { backend: ref, seed: 1, inputShape: [4] }),
    ).toThrow(/expected rank 3/);
  });
});
