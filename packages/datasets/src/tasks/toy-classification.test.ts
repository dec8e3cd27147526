import { describe, expect, it } from 'vitest';
import { toyClassificationTask, toyClassPeriod } from './toy-classification.js';

describe('toyClassificationTask', () => {
  const task = toyClassificationTask({ numSamples: 1500, seed: 7 });
  const maxLength = 50;

  it('has the documented shapes, lengths in range and a mask that matches them', () => {
    expect(task.inputs.shape).toEqual([1500, maxLength, 1]);
    expect(task.targets!.shape).toEqual([1500]);
    expect(task.targets!.data).toBeInstanceOf(Int32Array);
    const wrong: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const len = task.lengths![i]!;
      if (len < 20 || len > 50) wrong.push(`length ${i}`);
      for (let t = 0; t < maxLength; t++) {
        if (task.mask!.data[i * maxLength + t] !== (t < len ? 1 : 0)) wrong.push(`mask ${i},${t}`);
        if (t >= len && task.inputs.data[i * maxLength + t] !== 0) wrong.push(`padding ${i},${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('spaces the class periods geometrically', () => {
    expect([0, 1, 2].map((c) => toyClassPeriod(c, 3))).toEqual([4, 8, 16]);
  });

  it('carries its label in the signal: a fixed periodogram classifier is right > 90% of the time', () => {
    let correct = 0;
    for (let i = 0; i < 1500; i++) {
      const len = task.lengths![i]!;
      let best = -1;
      let bestPower = -1;
      for (let c = 0; c < 3; c++) {
        const w = (2 * Math.PI) / toyClassPeriod(c, 3);
        let re = 0;
        let im = 0;
        for (let t = 0; t < len; t++) {
          re += task.inputs.data[i * maxLength + t]! * Math.cos(w * t);
          im += task.inputs.data[i * maxLength + t]! * Math.sin(w * t);
        }
        if (re * re + im * im > bestPower) [best, bestPower] = [c, re * re + im * im];
      }
      if (best === task.targets!.data[i]) correct++;
    }
    expect(correct / 1500).toBeGreaterThan(0.9);
  });

  it('reports the majority-class baseline of the data (≈ 1/C)', () => {
    const counts = [0, 0, 0];
    for (const c of task.targets!.data) counts[c]!++;
    expect(task.info.baselines[0]!.value).toBe(Math.max(...counts) / 1500);
    // Classes are drawn uniformly: each has probability 1/3 (SE ≈ 0.012 at n = 1500).
    for (const c of counts) expect(Math.abs(c / 1500 - 1 / 3)).toBeLessThan(0.05);
  });

  it('is deterministic for a seed (golden values)', () => {
    const small = toyClassificationTask({ numSamples: 4, seed: 0 });
    expect(Array.from(small.targets!.data)).toEqual(GOLDEN_LABELS);
    expect(Array.from(small.lengths!)).toEqual(GOLDEN_LENGTHS);
  });

  it('rejects bad options', () => {
    expect(() => toyClassificationTask({ minLength: 10, maxLength: 5 })).toThrow(
      'maxLength: expected a number in [10,',
    );
  });
});

// Golden values: recorded from this implementation to lock determinism across runs and platforms.
const GOLDEN_LABELS = [1, 2, 2, 2];
const GOLDEN_LENGTHS = [32, 24, 44, 38];
