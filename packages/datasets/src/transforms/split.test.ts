import { describe, expect, it } from 'vitest';
import { randomSplit, randomSplitIndices, splitSizes, timeSplit } from './split.js';

describe('splits', () => {
  it('sizes the parts with the rest going to test', () => {
    expect(splitSizes(10, { train: 0.7, validation: 0.2 })).toEqual([7, 2, 1]);
    expect(splitSizes(10, { train: 0.5, validation: 0.2, test: 0.1 })).toEqual([5, 2, 1]);
    expect(splitSizes(3, { train: 1 })).toEqual([3, 0, 0]);
  });

  it('splits a series in time order, as views', () => {
    const series = Float32Array.from({ length: 10 }, (_, i) => i);
    const { train, validation, test } = timeSplit(series, { train: 0.6, validation: 0.2 });
    expect(Array.from(train)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(validation)).toEqual([6, 7]);
    expect(Array.from(test)).toEqual([8, 9]);
    const m = timeSplit(
      { data: Float32Array.from({ length: 8 }, (_, i) => i), shape: [4, 2] },
      { train: 0.5 },
    );
    expect(m.train.shape).toEqual([2, 2]);
    expect(Array.from(m.test.data)).toEqual([4, 5, 6, 7]);
  });

  it('splits examples at random with a seed: disjoint, covering, reproducible', () => {
    const idx = randomSplitIndices(50, { train: 0.6, validation: 0.2 }, 3);
    const all = [...idx.train, ...idx.validation, ...idx.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([idx.train.length, idx.validation.length, idx.test.length]).toEqual([30, 10, 10]);
    expect(randomSplitIndices(50, { train: 0.6, validation: 0.2 }, 3)).toEqual(idx);
    expect(randomSplitIndices(50, { train: 0.6, validation: 0.2 }, 4).train).not.toEqual(idx.train);
    // Not in time order: a random split of 50 items keeping the first 30 in place is vanishingly unlikely.
    expect(Array.from(idx.train)).not.toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('splits a data set with its arrays kept together', () => {
    const data = {
      inputs: { data: Float32Array.from({ length: 20 }, (_, i) => i), shape: [10, 2] },
      targets: { data: Int32Array.from({ length: 10 }, (_, i) => i), shape: [10] },
    };
    const { train, test } = randomSplit(data, { train: 0.8 }, 1);
    expect(train.inputs.shape).toEqual([8, 2]);
    expect(test.targets!.shape).toEqual([2]);
    expect(Array.from(test.targets!.data, (i, k) => test.inputs.data[2 * k] === 2 * i)).toEqual([true, true]);
  });

  it('rejects bad fractions and an empty series', () => {
    expect(() => splitSizes(10, { train: 0.8, validation: 0.3 })).toThrow(
      'train + validation + test: expected at most 1, received 1.1',
    );
    expect(() => splitSizes(10, { train: 1.5 })).toThrow(
      'train: expected a fraction in [0, 1], received 1.5',
    );
    expect(() => splitSizes(3, { train: 0.2 })).toThrow(
      'train: expected a fraction that leaves at least one of 3 items',
    );
    expect(() => timeSplit(new Float32Array(0), { train: 0.5 })).toThrow(
      'data: expected a non-empty series or data set',
    );
  });
});
