import { describe, expect, it } from 'vitest';
import { toNested } from '../tensor-data.js';
import { numWindows, slidingWindows } from './windows.js';

describe('slidingWindows', () => {
  const series = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('cuts a univariate series (hand-checked)', () => {
    const w = slidingWindows(series, { inputLength: 3, horizon: 2, stride: 2 });
    // Starts 0, 2, 4 (start 6 would need steps up to 10).
    expect(toNested(w.inputs)).toEqual([
      [[0], [1], [2]],
      [[2], [3], [4]],
      [[4], [5], [6]],
    ]);
    expect(toNested(w.targets!)).toEqual([
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    expect(numWindows(10, { inputLength: 3, horizon: 2, stride: 2 })).toBe(3);
  });

  it('skips a gap before the targets', () => {
    const w = slidingWindows(series, { inputLength: 2, gap: 3 });
    expect(toNested(w.targets!)).toEqual([[5], [6], [7], [8], [9]]);
    expect(Array.from(w.inputs.data.slice(0, 2))).toEqual([0, 1]);
  });

  it('cuts a multivariate series and picks target columns', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i); // [6, 2]: rows (0,1), (2,3), …
    const w = slidingWindows({ data, shape: [6, 2] }, { inputLength: 2, horizon: 1, targetColumns: [1] });
    expect(w.inputs.shape).toEqual([4, 2, 2]);
    expect((toNested(w.inputs) as number[][][])[0]).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(w.targets!.shape).toEqual([4, 1, 1]);
    expect(Array.from(w.targets!.data)).toEqual([5, 7, 9, 11]);
  });

  it('allows a window exactly as long as the series', () => {
    expect(slidingWindows(series, { inputLength: 9 }).inputs.shape).toEqual([1, 9, 1]);
  });

  it('rejects an empty series, a window longer than the series and bad options', () => {
    expect(() => slidingWindows(new Float32Array(0), { inputLength: 2 })).toThrow(
      'series: expected a non-empty series, received []',
    );
    expect(() => slidingWindows(series, { inputLength: 8, horizon: 3 })).toThrow(
      'inputLength + gap + horizon: expected at most the series length (10), received 11 (8 + 0 + 3)',
    );
    expect(() => slidingWindows(series, { inputLength: 0 })).toThrow(
      'inputLength: expected a positive integer, received 0',
    );
    expect(() =>
      slidingWindows({ data: new Float32Array(4), shape: [2, 2] }, { inputLength: 1, targetColumns: [2] }),
    ).toThrow('targetColumns[0]: expected a column index in [0, 2), received 2');
  });
});
