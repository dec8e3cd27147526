import { describe, expect, it } from 'vitest';
import { gatherGradient } from './gather-gradient.js';

describe('gatherGradient (host scatter-add)', () => {
  it('adds each slice of dy into the row it was gathered from, repeated indices summing (axis 0)', () => {
    // x: [3, 2]; indices [2, 0, 2] gathered rows 2, 0, 2; dy: [3, 2].
    const dy = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const dx = gatherGradient(dy, Int32Array.from([2, 0, 2]), [3, 2], 0);
    // row 0 <- dy[1] = [3, 4]; row 1 untouched; row 2 <- dy[0] + dy[2] = [6, 8]
    expect([...dx]).toEqual([3, 4, 0, 0, 6, 8]);
  });

  it('handles an inner axis: x [2, 3, 2], indices [1, 1] along axis 1', () => {
    // dy: [2, 2, 2] = [outer][k][inner]
    const dy = Float32Array.from([1, 2, 10, 20, 3, 4, 30, 40]);
    const dx = gatherGradient(dy, Int32Array.from([1, 1]), [2, 3, 2], 1);
    expect([...dx]).toEqual([0, 0, 11, 22, 0, 0, 0, 0, 33, 44, 0, 0]);
  });

  it('gives zeros for no indices', () => {
    expect([...gatherGradient(new Float32Array(0), new Int32Array(0), [2, 2], 0)]).toEqual([0, 0, 0, 0]);
  });
});
