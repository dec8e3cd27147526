import { describe, expect, it } from 'vitest';
import { median, medianAbsoluteDeviation, quantile, summarize } from './stats.js';

describe('statistics', () => {
  it('takes medians of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('interpolates quantiles like NumPy', () => {
    // numpy.quantile([1, 2, 3, 4, 10], [0, 0.25, 0.9, 1]) = [1, 2, 7.6, 10]
    const values = [10, 2, 4, 1, 3];
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 0.25)).toBe(2);
    expect(quantile(values, 0.9)).toBeCloseTo(7.6, 12);
    expect(quantile(values, 1)).toBe(10);
    expect(() => quantile([], 0.5)).toThrow('no values');
    expect(() => quantile([1], 2)).toThrow('p must be in [0, 1], received 2');
  });

  it('summarizes samples and their spread', () => {
    const s = summarize([4, 2, 8, 6]);
    // |deviations from 5| = 1, 3, 3, 1: median 2.
    expect(s).toEqual({ samples: 4, min: 2, q1: 3.5, median: 5, q3: 6.5, max: 8, mean: 5, mad: 2 });
    expect(() => summarize([])).toThrow('no values');
  });

  it('takes the median absolute deviation, robust to one outlier', () => {
    // median 3; deviations 2, 1, 0, 1, 97 -> sorted 0, 1, 1, 2, 97 -> 1.
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
    expect(medianAbsoluteDeviation([7])).toBe(0);
    expect(summarize([7]).mad).toBe(0);
  });
});
