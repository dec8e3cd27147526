import { describe, expect, it } from 'vitest';
import { distractedRecallTask } from './distracted-recall.js';

describe('distractedRecallTask', () => {
  it('hides the targets among distractors and asks for them in order', () => {
    const length = 12;
    const r = 3;
    const task = distractedRecallTask({
      numSamples: 500,
      length,
      numTargets: r,
      numTargetSymbols: 4,
      numDistractors: 5,
      seed: 2,
    });
    const total = length + r;
    expect(task.inputs.shape).toEqual([500, total]);
    expect(task.targets!.shape).toEqual([500, total]);
    expect(task.sampleWeights!.shape).toEqual([500, total]);
    expect(task.info.inputVocabularySize).toBe(4 + 5 + 3 + 1);
    for (let i = 0; i < 500; i++) {
      const x = Array.from(task.inputs.data.subarray(i * total, (i + 1) * total));
      const y = Array.from(task.targets!.data.subarray(i * total, (i + 1) * total));
      const w = Array.from(task.sampleWeights!.data.subarray(i * total, (i + 1) * total));
      const hidden = x.slice(0, length).filter((v) => v >= 1 && v <= 4);
      expect(hidden.length).toBe(r);
      expect(x.slice(0, length).every((v) => v >= 1 && v <= 9)).toBe(true);
      expect(x.slice(length)).toEqual([10, 11, 12]);
      expect(y.slice(length)).toEqual(hidden);
      expect(y.slice(0, length).every((v) => v === 0)).toBe(true);
      expect(w).toEqual([...new Array(length).fill(0), 1, 1, 1]);
    }
  });

  it('draws target symbols uniformly, so guessing scores 1/A', () => {
    const task = distractedRecallTask({ numSamples: 4000, seed: 6 });
    const counts = [0, 0, 0, 0, 0];
    task.targets!.data.forEach((v, i) => {
      if (task.sampleWeights!.data[i] === 1) counts[v]!++;
    });
    // 8000 scored steps over 4 symbols: 2000 each, SE ≈ 39.
    expect(counts[0]).toBe(0);
    for (let k = 1; k <= 4; k++) expect(Math.abs(counts[k]! - 2000)).toBeLessThan(200);
    expect(task.info.baselines.map((b) => b.value)).toEqual([0.25, Math.log(4)]);
  });

  it('is deterministic for a seed (golden values)', () => {
    const task = distractedRecallTask({ numSamples: 1, length: 6, seed: 0 });
    expect(Array.from(task.inputs.data)).toEqual(GOLDEN_INPUTS);
  });

  it('rejects more targets than steps', () => {
    expect(() => distractedRecallTask({ length: 2, numTargets: 3 })).toThrow(
      'numTargets: expected at most length (2), received 3',
    );
  });
});

// Golden values: recorded from this implementation to lock determinism across runs and platforms.
const GOLDEN_INPUTS = [5, 1, 4, 6, 8, 8, 9, 10];
