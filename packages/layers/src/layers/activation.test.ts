import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { newBackend } from '../test-helpers.js';
import { Activation, activation } from './activation.js';

describe('Activation', () => {
  it('applies a named activation; softmax on the last axis', () => {
    const ref = newBackend();
    const relu = activation({ activation: 'relu' }).build(ref, [null, 2]);
    expect(ref.toArray(relu.apply(ref.tensor([[-1, 2]])) as RefTensor)).toEqual([[0, 2]]);
    const softmax = activation({ activation: 'softmax' }).build(ref, [null, null, 2]);
    const y = ref.toArray(
      softmax.apply(
        ref.tensor([
          [
            [0, 0],
            [1, 1],
          ],
        ]),
      ) as RefTensor,
    );
    expect(y).toEqual([
      [
        [0.5, 0.5],
        [0.5, 0.5],
      ],
    ]);
    const linear = activation({ activation: 'linear' }).build(ref, [null, 1]);
    const x = ref.tensor([[3]]);
    expect(linear.apply(x)).not.toBe(x);
    expect(() => activation({ activation: 'swoosh' as never })).toThrow(
      'activation activation: unknown activation "swoosh"',
    );
    expect(Activation.fromConfig(relu.getConfig()).getConfig()).toEqual(relu.getConfig());
  });
});
