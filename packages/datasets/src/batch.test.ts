import { describe, expect, it } from 'vitest';
import { batches, numBatches, numExamples, type SequenceData, shuffledIndices } from './batch.js';
import { toNested } from './tensor-data.js';

function data(n: number): SequenceData {
  return {
    inputs: { data: Float32Array.from({ length: n * 2 }, (_, i) => i), shape: [n, 2, 1] },
    targets: { data: Int32Array.from({ length: n }, (_, i) => 10 * i), shape: [n] },
    mask: { data: new Float32Array(n * 2).fill(1), shape: [n, 2] },
    lengths: new Int32Array(n).fill(2),
  };
}

describe('batches', () => {
  it('cuts examples in order, with a smaller last batch', () => {
    const out = [...batches(data(5), { batchSize: 2 })];
    expect(out.map((b) => Array.from(b.indices))).toEqual([[0, 1], [2, 3], [4]]);
    expect(toNested(out[1]!.inputs)).toEqual([
      [[4], [5]],
      [[6], [7]],
    ]);
    expect(Array.from(out[2]!.targets!.data)).toEqual([40]);
    expect(out[2]!.mask!.shape).toEqual([1, 2]);
    expect(Array.from(out[2]!.lengths!)).toEqual([2]);
  });

  it('drops the remainder when asked', () => {
    expect([...batches(data(5), { batchSize: 2, dropRemainder: true })].length).toBe(2);
    expect(numBatches(5, 2)).toBe(3);
    expect(numBatches(5, 2, true)).toBe(2);
  });

  it('shuffles with a seed: a permutation, the same for the same seed and epoch, new for a new epoch', () => {
    const order = (seed: number, epoch: number) =>
      [...batches(data(50), { batchSize: 7, shuffle: true, seed, epoch })].flatMap((b) =>
        Array.from(b.indices),
      );
    const a = order(1, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order(1, 0)).toEqual(a);
    expect(order(1, 1)).not.toEqual(a);
    expect(order(2, 0)).not.toEqual(a);
    expect(Array.from(shuffledIndices(50, 1, 0))).toEqual(a);
  });

  it('keeps the arrays of an example together when shuffling', () => {
    for (const b of batches(data(20), { batchSize: 6, shuffle: true, seed: 3 })) {
      b.indices.forEach((i, k) => {
        expect(b.targets!.data[k]).toBe(10 * i);
        expect(b.inputs.data[2 * k]).toBe(2 * i);
      });
    }
  });

  it('rejects a batch size of 0 and misaligned arrays', () => {
    expect(() => [...batches(data(3), { batchSize: 0 })]).toThrow(
      'batchSize: expected a positive integer, received 0',
    );
    const bad = { ...data(3), lengths: new Int32Array(2) };
    expect(() => numExamples(bad)).toThrow('lengths: expected 3 examples (as in inputs), received 2');
  });
});
