import { describe, expect, it } from 'vitest';
import { toNested } from '../tensor-data.js';
import { nextTokenWindows } from './language-model.js';

describe('nextTokenWindows', () => {
  const ids = [10, 11, 12, 13, 14, 15, 16];

  it('shifts targets by one (hand-checked, non-overlapping by default)', () => {
    const w = nextTokenWindows(ids, { sequenceLength: 3 });
    expect(toNested(w.inputs)).toEqual([
      [10, 11, 12],
      [13, 14, 15],
    ]);
    expect(toNested(w.targets!)).toEqual([
      [11, 12, 13],
      [14, 15, 16],
    ]);
    expect(w.inputs.data).toBeInstanceOf(Int32Array);
  });

  it('overlaps with a smaller stride', () => {
    expect(nextTokenWindows(ids, { sequenceLength: 4, stride: 1 }).inputs.shape).toEqual([3, 4]);
  });

  it('rejects a window longer than the ids allow', () => {
    expect(() => nextTokenWindows(ids, { sequenceLength: 7 })).toThrow(
      'sequenceLength: expected at most 6 (one less than the 7 ids), received 7',
    );
  });
});
