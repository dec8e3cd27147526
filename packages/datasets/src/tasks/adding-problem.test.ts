import { describe, expect, it } from 'vitest';
import { expectAllClose, head, meanVar } from '../test-helpers.js';
import { addingProblem } from './adding-problem.js';

describe('addingProblem', () => {
  it('has the documented shapes', () => {
    const task = addingProblem({ numSamples: 7, length: 30 });
    expect(task.inputs.shape).toEqual([7, 30, 2]);
    expect(task.targets!.shape).toEqual([7, 1]);
    expect(task.inputs.data).toBeInstanceOf(Float32Array);
    expect(task.info.inputShape).toBe('[numSamples, length, 2]');
  });

  it('marks exactly two steps, one in each half, and targets their sum', () => {
    const length = 25;
    const task = addingProblem({ numSamples: 500, length, seed: 3 });
    for (let i = 0; i < 500; i++) {
      const marked: number[] = [];
      let sum = 0;
      for (let t = 0; t < length; t++) {
        const value = task.inputs.data[(i * length + t) * 2]!;
        const marker = task.inputs.data[(i * length + t) * 2 + 1]!;
        if (!(value >= 0 && value < 1) || (marker !== 0 && marker !== 1)) expect.fail(`bad step ${i},${t}`);
        if (marker === 1) {
          marked.push(t);
          sum += value;
        }
      }
      expect(marked.length).toBe(2);
      expect(marked[0]!).toBeLessThan(12);
      expect(marked[1]!).toBeGreaterThanOrEqual(12);
      expect(task.targets!.data[i]).toBeCloseTo(sum, 6);
    }
  });

  it('has target mean 1 and variance 1/6, so predicting 1 scores MSE ≈ 0.167', () => {
    // Sum of two U(0,1): mean 1, variance 2/12. With n = 20000 the standard error of the MSE estimate is
    // sqrt((1/15 − 1/36) / n) ≈ 0.0014 (E[(s−1)^4] = 1/15 for the triangular law), so 0.005 is > 3.5 SE.
    const task = addingProblem({ numSamples: 20000, length: 10, seed: 11 });
    const { mean, variance } = meanVar(task.targets!.data);
    expect(mean).toBeCloseTo(1, 1);
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    let mse = 0;
    for (const y of task.targets!.data) mse += (y - 1) ** 2;
    mse /= task.targets!.data.length;
    expect(Math.abs(mse - 1 / 6)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 6)).toBeLessThan(0.005);
    const [baseline] = task.info.baselines;
    expect(baseline).toMatchObject({ strategy: 'always predict 1', metric: 'mse', analytic: true });
    expect(baseline!.value).toBeCloseTo(0.1667, 4);
  });

  it('places markers uniformly within each half', () => {
    const length = 10;
    const task = addingProblem({ numSamples: 10000, length, seed: 5 });
    const counts = new Array<number>(length).fill(0);
    for (let i = 0; i < 10000; i++) {
      for (let t = 0; t < length; t++) counts[t]! += task.inputs.data[(i * length + t) * 2 + 1]!;
    }
    // Each position of a 5-step half is chosen with probability 1/5: 2000 expected, SE ≈ 40.
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('is deterministic for a seed (golden values) and differs across seeds', () => {
    const a = addingProblem({ numSamples: 2, length: 6, seed: 0 });
    const b = addingProblem({ numSamples: 2, length: 6, seed: 0 });
    const c = addingProblem({ numSamples: 2, length: 6, seed: 1 });
    expect(a.inputs.data).toEqual(b.inputs.data);
    expect(a.inputs.data).not.toEqual(c.inputs.data);
    expectAllClose(head(a.inputs.data, 6), GOLDEN_INPUTS, 1e-7);
    expectAllClose(a.targets!.data, GOLDEN_TARGETS, 1e-6);
  });

  it('rejects bad options with the argument named', () => {
    expect(() => addingProblem({ length: 1 })).toThrow('length: expected an integer >= 2');
    expect(() => addingProblem({ numSamples: 0 })).toThrow(
      'numSamples: expected a positive integer, received 0',
    );
    expect(() => addingProblem({ seed: 1.5 })).toThrow(
      'seed: expected a safe integer or a string, received 1.5',
    );
  });
});

// Golden values: recorded from this implementation to lock determinism across runs and platforms.
const GOLDEN_INPUTS = [0.5230618119239807, 1, 0.7335498929023743, 0, 0.3921829164028168, 0];
const GOLDEN_TARGETS = [0.7476571798324585, 0.8514760732650757];
