import { describe, expect, it } from 'vitest';
import { toNested } from '../tensor-data.js';
import { copyTask } from './copy-task.js';

describe('copyTask', () => {
  it('lays out symbols, blanks, go signal and the recalled copy (hand-checked)', () => {
    const task = copyTask({ numSamples: 1, sequenceLength: 3, delay: 3, numSymbols: 4, seed: 0 });
    expect(task.inputs.shape).toEqual([1, 9]);
    const [inputs] = toNested(task.inputs) as number[][];
    const [targets] = toNested(task.targets!) as number[][];
    const symbols = inputs!.slice(0, 3);
    expect(inputs!.slice(3)).toEqual([0, 0, 5, 0, 0, 0]);
    expect(targets).toEqual([0, 0, 0, 0, 0, 0, ...symbols]);
    expect(symbols).toEqual(GOLDEN_SYMBOLS);
    expect(task.info.numClasses).toBe(5);
    expect(task.info.inputVocabularySize).toBe(6);
  });

  it('draws symbols uniformly and copies them exactly', () => {
    const s = 10;
    const task = copyTask({ numSamples: 2000, sequenceLength: s, delay: 21, seed: 8 });
    const length = 2 * s + 21;
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 2000; i++) {
      const x = task.inputs.data.subarray(i * length, (i + 1) * length);
      const y = task.targets!.data.subarray(i * length, (i + 1) * length);
      for (let t = 0; t < s; t++) {
        counts[x[t]!]!++;
        expect(y[s + 21 + t]).toBe(x[t]);
      }
      expect(x[s + 20]).toBe(9);
      expect(y.subarray(0, s + 21).every((v) => v === 0)).toBe(true);
    }
    // 20000 draws over 8 symbols: 2500 each, SE ≈ 47.
    expect(counts[0]).toBe(0);
    expect(counts[9]).toBe(0);
    for (let k = 1; k <= 8; k++) expect(Math.abs(counts[k]! - 2500)).toBeLessThan(250);
  });

  it('matches the memoryless baseline S·ln K / L (Arjovsky et al.)', () => {
    const task = copyTask({ numSamples: 3000, seed: 1 });
    const [baseline] = task.info.baselines;
    expect(baseline!.value).toBeCloseTo((10 * Math.log(8)) / 120, 10);
    expect(baseline!.value).toBeCloseTo(0.173, 3);
    // The best memoryless predictor outputs, at each step, the frequency of each class at that step. Its
    // cross-entropy measured on the data should equal the analytic value (up to sampling error in the frequencies).
    const length = 120;
    let ce = 0;
    for (let t = 0; t < length; t++) {
      const freq = new Array<number>(9).fill(0);
      for (let i = 0; i < 3000; i++) freq[task.targets!.data[i * length + t]!]!++;
      for (const f of freq) if (f > 0) ce -= (f / 3000) * Math.log(f / 3000);
    }
    expect(Math.abs(ce / length - baseline!.value)).toBeLessThan(0.002);
  });

  it('rejects bad options', () => {
    expect(() => copyTask({ delay: 0 })).toThrow('delay: expected a positive integer, received 0');
    expect(() => copyTask({ numSymbols: 0 })).toThrow('numSymbols: expected a positive integer, received 0');
    expect(toNested(copyTask({ numSamples: 1, delay: 1, sequenceLength: 2, seed: 3 }).inputs)).toEqual([
      [...GOLDEN_SHORT, 9, 0, 0],
    ]);
  });
});

// Golden values: recorded from this implementation to lock determinism across runs and platforms.
const GOLDEN_SYMBOLS = [1, 4, 1];
const GOLDEN_SHORT = [1, 3];
