import { describe, expect, it } from 'vitest';
import { newBackend } from '../test-helpers.js';
import { lengthsToMask, maskFromLengths } from './masks.js';

describe('masks from lengths', () => {
  it('marks the first `length` steps of each row valid', () => {
    const ref = newBackend();
    expect(ref.toArray(lengthsToMask(ref, [2, 0, 4], 4))).toEqual([
      [1, 1, 0, 0],
      [0, 0, 0, 0],
      [1, 1, 1, 1],
    ]);
  });

  it('checks lengths against the input', () => {
    const ref = newBackend();
    expect(() => maskFromLengths(ref, [1, 2], [3, 4, 1], 'lengths')).toThrow(
      'lengths: expected 3 lengths (one per batch row of the input [3, 4, 1]), received 2',
    );
    expect(() => maskFromLengths(ref, [1.5], [1, 4, 1], 'lengths')).toThrow(
      'lengths[0]: expected an integer in [0, 4] (the time steps of the input), received 1.5',
    );
    expect(() => maskFromLengths(ref, [1], [1], 'lengths')).toThrow(
      'lengths: lengths need an input with a time axis [batch, time, ...], received input shape [1]',
    );
  });
});
