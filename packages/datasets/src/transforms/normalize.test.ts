import { describe, expect, it } from 'vitest';
import { expectAllClose, meanVar } from '../test-helpers.js';
import { fitMinMaxScaler, fitStandardScaler, Scaler } from './normalize.js';
import { timeSplit } from './split.js';

describe('scalers', () => {
  it('standardizes with the training mean and population std (hand-checked)', () => {
    const s = fitStandardScaler(Float32Array.from([1, 2, 3, 4]));
    expect(s.center[0]).toBe(2.5);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expectAllClose(s.transform(Float32Array.from([2.5, 4])), [0, 1.5 / Math.sqrt(1.25)], 1e-6);
  });

  it('is fitted on the training part only and leaves later data unseen', () => {
    const series = Float32Array.from({ length: 100 }, (_, i) => i);
    const { train, test } = timeSplit(series, { train: 0.8 });
    const s = fitStandardScaler(train);
    const scaledTrain = meanVar(s.transform(train));
    expect(scaledTrain.mean).toBeCloseTo(0, 6);
    expect(scaledTrain.variance).toBeCloseTo(1, 5);
    // The test part lies beyond the training range, so it scales beyond it too (no leak of test statistics).
    expect(Math.min(...s.transform(test))).toBeGreaterThan(1.7);
  });

  it('round-trips transform and inverse per feature', () => {
    const data = Float32Array.from({ length: 30 }, (_, i) => (i % 3) * 100 + Math.sin(i) * (1 + (i % 3)));
    const x = { data, shape: [10, 3] };
    for (const s of [fitStandardScaler(x), fitMinMaxScaler(x, { featureRange: [-1, 1] })]) {
      const y = s.transform(x);
      expect(y.shape).toEqual([10, 3]);
      expectAllClose(s.inverseTransform(y).data, Array.from(data), 1e-4);
    }
  });

  it('maps the training range onto featureRange', () => {
    const s = fitMinMaxScaler({ data: Float32Array.from([0, 10, 5, 30, 10, 20]), shape: [3, 2] });
    expectAllClose(
      s.transform({ data: Float32Array.from([0, 10, 10, 30]), shape: [2, 2] }).data,
      [0, 0, 1, 1],
    );
  });

  it('gives a constant feature scale 1 instead of dividing by zero', () => {
    const s = fitStandardScaler({ data: Float32Array.from([3, 1, 3, 2]), shape: [2, 2] });
    expect(Array.from(s.scale)).toEqual([1, 0.5]);
    expect(fitMinMaxScaler(Float32Array.from([4, 4])).transform(Float32Array.from([4]))[0]).toBe(0);
  });

  it('inverts predictions of selected columns', () => {
    const s = fitStandardScaler({ data: Float32Array.from([0, 100, 2, 300]), shape: [2, 2] });
    const predicted = { data: Float32Array.from([0, 1]), shape: [2, 1] };
    expectAllClose(s.inverseTransform(predicted, { columns: [1] }).data, [200, 300]);
    expect(() => s.transform({ data: new Float32Array(3), shape: [1, 3] })).toThrow(
      'x: expected a last axis of 2 (the features [0, 1]), received shape [1, 3]',
    );
  });

  it('saves and loads as JSON', () => {
    const s = fitStandardScaler(Float32Array.from([1, 5, 9]));
    const t = Scaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    expect(Array.from(t.transform(Float32Array.from([5, 9])))).toEqual(
      Array.from(s.transform(Float32Array.from([5, 9]))),
    );
  });

  it('rejects empty or non-finite training data', () => {
    expect(() => fitStandardScaler(new Float32Array(0))).toThrow(
      'train: expected at least one row to fit on',
    );
    expect(() => fitStandardScaler(Float32Array.from([1, Number.NaN]))).toThrow(
      'train (flat index 1): expected finite numbers, received NaN',
    );
  });
});
