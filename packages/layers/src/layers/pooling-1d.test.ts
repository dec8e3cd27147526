/**
 * MaxPooling1D and AveragePooling1D against tfjs-layers 4.22 (tfjs' own pooling kernels) for both paddings with
 * several strides; by hand where 'same' windows reach past the sequence; errors. Gradients and leaks: the layer
 * conformance kit.
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import {
  expectClose,
  newBackend,
  randomValues,
  tfjsChain,
  tfjsPredict,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { AveragePooling1D, averagePooling1d } from './average-pooling-1d.js';
import { maxPooling1d } from './max-pooling-1d.js';

beforeAll(useTfjsCpu);

describe('MaxPooling1D and AveragePooling1D', () => {
  const variants: { poolSize: number; strides?: number; padding: 'valid' | 'same' }[] = [
    { poolSize: 2, padding: 'valid' },
    { poolSize: 3, strides: 1, padding: 'valid' },
    { poolSize: 3, strides: 2, padding: 'same' },
    { poolSize: 4, strides: 1, padding: 'same' },
    { poolSize: 2, strides: 3, padding: 'valid' },
  ];
  for (const kind of ['max', 'average'] as const) {
    for (const v of variants) {
      it(`${kind} ${JSON.stringify(v)} matches tfjs-layers (atol 1e-5)`, () => {
        const ref = newBackend();
        const [batch, steps, channels] = [2, 9, 3];
        const ours = sequential<RefTensor>([kind === 'max' ? maxPooling1d(v) : averagePooling1d(v)], {
          backend: ref,
          seed: 1,
          inputShape: [steps, channels],
        });
        const theirs = tfjsChain(
          [steps, channels],
          [kind === 'max' ? tfl.layers.maxPooling1d(v) : tfl.layers.averagePooling1d(v)],
        );
        const x = randomValues(batch * steps * channels, `${kind}${JSON.stringify(v)}`);
        const out = ours.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor;
        const expected = tfjsPredict(theirs, [{ values: x, shape: [batch, steps, channels] }])[0]!;
        expect(ref.shape(out)).toEqual([batch, expected.length / (batch * channels), channels]);
        expect(ours.outputs[0]!.shape).toEqual([null, expected.length / (batch * channels), channels]);
        expectClose(`${kind} pooling`, values(ref, out), expected);
      });
    }
  }

  it("'same' windows past the ends: max of the steps covered, mean over them only (by hand)", () => {
    const ref = newBackend();
    const x = ref.tensor([[[1], [-2], [3], [-4], [5]]]);
    const run = (layer: Parameters<typeof sequential>[0][number]) =>
      ref.toArray(
        sequential<RefTensor>([layer], { backend: ref, seed: 1, inputShape: [null, 1] }).predict(
          x,
        ) as RefTensor,
      );
    // Pool 2, strides 2, same: 3 windows [1, -2], [3, -4], [5, pad].
    expect(run(maxPooling1d({ poolSize: 2, padding: 'same' }))).toEqual([[[1], [3], [5]]]);
    expect(run(averagePooling1d({ poolSize: 2, padding: 'same' }))).toEqual([[[-0.5], [-0.5], [5]]]);
    // Pool 3, strides 1, same: one step of padding each side; the first window covers [1, -2] only.
    expect(run(averagePooling1d({ poolSize: 3, strides: 1, padding: 'same' }))).toEqual([
      [[-0.5], [2 / 3], [-1], [4 / 3], [0.5]],
    ]);
  });

  it('options and errors', () => {
    expect(new AveragePooling1D({ poolSize: [3] }).strides).toBe(3);
    expect(() => maxPooling1d({ poolSize: 0 })).toThrow(
      'maxPooling1d poolSize: expected a positive integer (or [n]), received 0',
    );
    expect(() => averagePooling1d({ padding: 'causal' as never })).toThrow(
      'averagePooling1d padding: expected one of "valid", "same", received "causal"',
    );
    expect(() => maxPooling1d({ pool_size: 2 } as never)).toThrow('(did you mean "poolSize"?)');
    const ref = newBackend();
    const model = sequential<RefTensor>([maxPooling1d({ poolSize: 4 })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 1],
    });
    expect(() => model.predict(ref.tensor([[[1], [2]]]))).toThrow(
      "input of 2 steps is shorter than the pool of 4; expected at least that many steps, or padding 'same'",
    );
  });
});
