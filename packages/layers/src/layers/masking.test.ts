import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { newBackend } from '../test-helpers.js';
import { Masking, masking } from './masking.js';

describe('Masking', () => {
  it('masks steps whose every feature equals maskValue and zeroes them', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([masking({ maskValue: -1 })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 2],
    });
    const x = ref.tensor([
      [
        [1, 2],
        [-1, -1],
        [-1, 3],
      ],
    ]);
    const { outputs, masks } = model.applyWithMasks(x);
    // JSON turns the -0 of (-1 * 0) into 0.
    expect(JSON.parse(JSON.stringify(ref.toArray(outputs[0]!)))).toEqual([
      [
        [1, 2],
        [0, 0],
        [-1, 3],
      ],
    ]);
    expect(ref.toArray(masks[0]!)).toEqual([[1, 0, 1]]);
    expect(Masking.fromConfig(model.layers[0]!.getConfig()).getConfig()).toEqual(
      model.layers[0]!.getConfig(),
    );
    expect(() => masking({ maskValue: Number.NaN })).toThrow(
      'masking maskValue: expected a number, received NaN',
    );
  });
});
