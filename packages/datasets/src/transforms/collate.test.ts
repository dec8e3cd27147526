import { describe, expect, it } from 'vitest';
import { toNested } from '../tensor-data.js';
import { collate, paddedBatches } from './collate.js';

describe('collate', () => {
  it('post-pads inputs and stacks scalar targets (many-to-one)', () => {
    const b = collate([
      { input: [1, 2, 3], target: 0 },
      { input: [4], target: 2 },
    ]);
    expect(toNested(b.inputs)).toEqual([
      [1, 2, 3],
      [4, 0, 0],
    ]);
    expect(toNested(b.mask!)).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    expect(Array.from(b.lengths!)).toEqual([3, 1]);
    expect(b.targets!.data).toBeInstanceOf(Int32Array);
    expect(Array.from(b.targets!.data)).toEqual([0, 2]);
    expect(b.sampleWeights).toBeUndefined();
    expect(collate([{ input: [1], target: 0.5 }]).targets!.data).toBeInstanceOf(Float32Array);
  });

  it('pads sequence targets and weights their real steps (many-to-many)', () => {
    const b = collate(
      [
        { input: [[0.5], [1.5]], target: [7, 8] },
        { input: [[2.5]], target: [9] },
      ],
      { targetPadValue: -1 },
    );
    expect(b.inputs.shape).toEqual([2, 2, 1]);
    expect(b.inputs.data).toBeInstanceOf(Float32Array);
    expect(toNested(b.targets!)).toEqual([
      [7, 8],
      [9, -1],
    ]);
    expect(toNested(b.sampleWeights!)).toEqual([
      [1, 1],
      [1, 0],
    ]);
    // The inputs' dtype does not leak into the targets.
    const typed = collate([{ input: [1, 2], target: [3, 4] }], { dtype: 'float32' });
    expect(typed.inputs.data).toBeInstanceOf(Float32Array);
    expect(typed.targets!.data).toBeInstanceOf(Int32Array);
  });

  it('truncates to maxLength and pads on the requested side', () => {
    const b = collate([{ input: [1, 2, 3, 4] }, { input: [5] }], {
      maxLength: 3,
      padding: 'pre',
      truncating: 'pre',
    });
    expect(toNested(b.inputs)).toEqual([
      [2, 3, 4],
      [0, 0, 5],
    ]);
  });

  it('rejects mixed or missing targets', () => {
    expect(() => collate([{ input: [1], target: 1 }, { input: [2] }])).toThrow(
      'examples[1].target: expected a target, as the other examples have',
    );
    expect(() =>
      collate([
        { input: [1], target: 1 },
        { input: [2], target: [1] },
      ]),
    ).toThrow('examples[1].target: expected a number (like examples[0])');
    expect(() => collate([])).toThrow('examples: expected a non-empty array');
  });
});

describe('paddedBatches', () => {
  const examples = Array.from({ length: 40 }, (_, i) => ({
    input: Array.from({ length: 1 + ((i * 7) % 13) }, (_, t) => t + 1),
    target: i % 3,
  }));

  it('pads each batch to its own longest example and names its examples', () => {
    for (const b of paddedBatches(examples, { batchSize: 8 })) {
      const longest = Math.max(...Array.from(b.indices, (i) => examples[i]!.input.length));
      expect(b.inputs.shape).toEqual([b.indices.length, longest]);
      b.indices.forEach((i, k) => {
        expect(b.lengths![k]).toBe(examples[i]!.input.length);
        expect(b.targets!.data[k]).toBe(i % 3);
      });
    }
  });

  it('wastes less padding with bucketing, and still covers every example once', () => {
    const cells = (bucket: boolean) => {
      let total = 0;
      const seen: number[] = [];
      for (const b of paddedBatches(examples, { batchSize: 8, shuffle: true, seed: 2, bucket })) {
        total += b.inputs.data.length;
        seen.push(...b.indices);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      return total;
    };
    expect(cells(true)).toBeLessThan(cells(false));
  });

  it('rejects a batch size of 0', () => {
    expect(() => [...paddedBatches(examples, { batchSize: 0 })]).toThrow(
      'batchSize: expected a positive integer, received 0',
    );
  });
});
