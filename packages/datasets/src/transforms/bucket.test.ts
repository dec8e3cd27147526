import { describe, expect, it } from 'vitest';
import { chunkIndices, shuffledIndices } from '../batch.js';
import { bucketByLength, paddingFraction } from './bucket.js';

describe('bucketByLength', () => {
  const lengths = [5, 1, 9, 2, 8, 1, 6, 2];

  it('sorts by length without boundaries (hand-made case)', () => {
    const batches = bucketByLength(lengths, { batchSize: 3 });
    expect(batches.map((b) => Array.from(b))).toEqual([
      [1, 5, 3],
      [7, 0, 6],
      [4, 2],
    ]);
  });

  it('buckets by boundaries like tf.data (hand-made case)', () => {
    // Buckets: < 3 → {1, 3, 5, 7}; [3, 7) → {0, 6}; ≥ 7 → {2, 4}.
    const batches = bucketByLength(lengths, { batchSize: 3, boundaries: [3, 7] });
    expect(batches.map((b) => Array.from(b))).toEqual([[1, 3, 5], [7], [0, 6], [2, 4]]);
    const dropped = bucketByLength(lengths, { batchSize: 3, boundaries: [3, 7], dropRemainder: true });
    expect(dropped.map((b) => Array.from(b))).toEqual([[1, 3, 5]]);
  });

  it('computes the padding fraction (hand-made case)', () => {
    // Batch [5, 1] pads to 2·5 = 10 cells holding 6; batch [9] to 9 holding 9: 1 − 15/19.
    expect(paddingFraction(lengths, [[0, 1], [2]])).toBeCloseTo(1 - 15 / 19, 12);
    expect(paddingFraction(lengths, [])).toBe(0);
  });

  it('cuts padding waste compared with random batches', () => {
    const n = 2000;
    const random = shuffledIndices(n, 9);
    const lens = Array.from({ length: n }, (_, i) => 1 + ((random[i]! * 7919) % 100));
    const plain = chunkIndices(shuffledIndices(n, 1), 32);
    const sorted = bucketByLength(lens, { batchSize: 32, shuffle: true, seed: 1 });
    const fixed = bucketByLength(lens, {
      batchSize: 32,
      boundaries: [10, 20, 40, 70],
      shuffle: true,
      seed: 1,
    });
    expect(paddingFraction(lens, plain)).toBeGreaterThan(0.4);
    expect(paddingFraction(lens, sorted)).toBeLessThan(0.05);
    expect(paddingFraction(lens, fixed)).toBeLessThan(paddingFraction(lens, plain) / 2);
  });

  it('uses every example exactly once, in a seeded order', () => {
    const lens = Array.from({ length: 100 }, (_, i) => (i * 37) % 23);
    const a = bucketByLength(lens, { batchSize: 8, shuffle: true, seed: 4 });
    const all = a.flatMap((b) => Array.from(b)).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(bucketByLength(lens, { batchSize: 8, shuffle: true, seed: 4 })).toEqual(a);
    expect(bucketByLength(lens, { batchSize: 8, shuffle: true, seed: 4, epoch: 1 })).not.toEqual(a);
  });

  it('rejects bad options', () => {
    expect(() => bucketByLength([1], { batchSize: 0 })).toThrow(
      'batchSize: expected a positive integer, received 0',
    );
    expect(() => bucketByLength([1], { batchSize: 1, boundaries: [5, 5] })).toThrow(
      'boundaries[1]: expected strictly ascending positive integers, received 5',
    );
    expect(() => bucketByLength([1.5], { batchSize: 1 })).toThrow(
      'lengths[0]: expected a non-negative integer',
    );
  });
});
