import { describe, expect, it } from 'vitest';
import { dtypeOf, gatherRows, oneHot, sliceRows, tensorData, toNested } from './tensor-data.js';

describe('tensor data', () => {
  it('checks that data and shape agree', () => {
    expect(tensorData(new Float32Array(6), [2, 3]).shape).toEqual([2, 3]);
    expect(() => tensorData(new Float32Array(5), [2, 3])).toThrow(
      'data: expected 6 values for shape [2, 3], received 5',
    );
    expect(() => tensorData(new Float32Array(0), [-1])).toThrow(
      'shape: expected non-negative integer dimensions',
    );
  });

  it('knows its dtype from the typed array', () => {
    expect(dtypeOf(new Int32Array(1))).toBe('int32');
    expect(dtypeOf(new Float32Array(1))).toBe('float32');
  });

  it('gathers and slices rows', () => {
    const x = tensorData(Int32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(toNested(gatherRows(x, [2, 0, 2]))).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
    ]);
    expect(gatherRows(x, [1]).data).toBeInstanceOf(Int32Array);
    expect(toNested(sliceRows(x, 1, 3))).toEqual([
      [3, 4],
      [5, 6],
    ]);
    expect(() => gatherRows(x, [3])).toThrow('indices[0]: expected a row index in [0, 3), received 3');
  });

  it('one-hot encodes ids', () => {
    const ids = tensorData(Int32Array.from([0, 2, 1, 3]), [2, 2]);
    expect(toNested(oneHot(ids, 4))).toEqual([
      [
        [1, 0, 0, 0],
        [0, 0, 1, 0],
      ],
      [
        [0, 1, 0, 0],
        [0, 0, 0, 1],
      ],
    ]);
    expect(() => oneHot(ids, 3)).toThrow('ids (flat index 3): expected an id in [0, 3), received 3');
    expect(Array.from(oneHot(ids, 3, { ignoreOutOfRange: true }).data.slice(9))).toEqual([0, 0, 0]);
  });
});
