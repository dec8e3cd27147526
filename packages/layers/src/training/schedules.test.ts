/** Learning-rate schedules against Keras 3's definitions, step by step. */
import { describe, expect, it } from 'vitest';
import {
  cosineDecay,
  exponentialDecay,
  learningRateAt,
  piecewiseConstantDecay,
  stepDecay,
} from './schedules.js';

describe('learning-rate schedules', () => {
  it('exponentialDecay: continuous and staircase', () => {
    const smooth = exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    const stairs = exponentialDecay({
      initialLearningRate: 0.1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: true,
    });
    expect(smooth.at(0)).toBe(0.1);
    expect(smooth.at(5)).toBeCloseTo(0.1 * 0.5 ** 0.5, 15);
    expect(smooth.at(20)).toBeCloseTo(0.025, 15);
    expect([0, 9, 10, 19, 20].map((s) => stairs.at(s))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it('stepDecay drops by a factor every stepSize steps', () => {
    const s = stepDecay({ initialLearningRate: 1, stepSize: 3, factor: 0.5 });
    expect([0, 2, 3, 5, 6, 9].map((k) => s.at(k))).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125]);
    expect(stepDecay({ initialLearningRate: 1, stepSize: 1 }).at(2)).toBeCloseTo(0.01, 15);
  });

  it('piecewiseConstantDecay: values[i] up to and including boundaries[i]', () => {
    const s = piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5, 0.1] });
    expect([0, 10, 11, 20, 21, 1000].map((k) => s.at(k))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
    expect(() => piecewiseConstantDecay({ boundaries: [10, 20], values: [1, 0.5] })).toThrow(
      'piecewiseConstantDecay values: expected 3 values (one more than boundaries), received 2',
    );
    expect(() => piecewiseConstantDecay({ boundaries: [20, 10], values: [1, 0.5, 0.1] })).toThrow(
      /boundaries: expected an increasing array of numbers/,
    );
  });

  it('cosineDecay: half a cosine from the initial rate to alpha times it, then flat', () => {
    const s = cosineDecay({ initialLearningRate: 1, decaySteps: 100, alpha: 0.1 });
    expect(s.at(0)).toBeCloseTo(1, 15);
    expect(s.at(50)).toBeCloseTo(0.9 * 0.5 + 0.1, 15);
    expect(s.at(100)).toBeCloseTo(0.1, 15);
    expect(s.at(500)).toBeCloseTo(0.1, 15);
    expect(s.at(25)).toBeCloseTo(0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1, 15);
  });

  it('cosineDecay with warmup: linear to warmupTarget, then the cosine from there', () => {
    const s = cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 1, warmupSteps: 4 });
    expect([0, 1, 2, 3].map((k) => s.at(k))).toEqual([0, 0.25, 0.5, 0.75]);
    expect(s.at(4)).toBeCloseTo(1, 15);
    expect(s.at(9)).toBeCloseTo(0.5, 15);
    expect(s.at(14)).toBeCloseTo(0, 15);
    expect(() => cosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupSteps: 4 })).toThrow(
      'cosineDecay warmupSteps: give warmupTarget too (the rate the warmup reaches)',
    );
  });

  it('checks its options', () => {
    expect(() => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(
      'exponentialDecay decaySteps: expected a positive integer, received 0',
    );
    expect(() => learningRateAt(() => -1, 3, 'adam learningRate')).toThrow(
      'adam learningRate at step 3: expected a finite number >= 0, received -1',
    );
  });
});
