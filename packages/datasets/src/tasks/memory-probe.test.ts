import { describe, expect, it } from 'vitest';
import { meanVar } from '../test-helpers.js';
import { memoryProbeTask } from './memory-probe.js';

describe('memoryProbeTask', () => {
  it('targets the bit seen lags[k] steps earlier (recomputed), scored after the largest lag', () => {
    const lags = [1, 3, 5];
    const task = memoryProbeTask({ numSamples: 40, lags, length: 12, seed: 2 });
    expect(task.inputs.shape).toEqual([40, 12, 1]);
    expect(task.targets!.shape).toEqual([40, 12, 3]);
    expect(task.sampleWeights!.shape).toEqual([40, 12]);
    for (let i = 0; i < 40; i++) {
      const bits = Array.from(task.inputs.data.subarray(i * 12, (i + 1) * 12));
      expect(bits.every((b) => b === 0 || b === 1)).toBe(true);
      for (let t = 0; t < 12; t++) {
        expect(task.sampleWeights!.data[i * 12 + t]).toBe(t >= 5 ? 1 : 0);
        lags.forEach((lag, k) => {
          expect(task.targets!.data[(i * 12 + t) * 3 + k]).toBe(t >= lag ? bits[t - lag] : 0);
        });
      }
    }
  });

  it('has fair bits (baseline 0.5) and the documented defaults', () => {
    const task = memoryProbeTask({ numSamples: 500, seed: 1 });
    expect(task.inputs.shape).toEqual([500, 48, 1]);
    expect(task.targets!.shape).toEqual([500, 48, 5]);
    // 24000 bits: the standard error of the mean is 0.0032.
    expect(Math.abs(meanVar(task.inputs.data).mean - 0.5)).toBeLessThan(0.013);
    expect(task.info.baselines[0]!.value).toBe(0.5);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = memoryProbeTask({ numSamples: 3, seed: 'x' });
    expect(memoryProbeTask({ numSamples: 3, seed: 'x' }).inputs.data).toEqual(a.inputs.data);
    expect(memoryProbeTask({ numSamples: 3, seed: 'y' }).inputs.data).not.toEqual(a.inputs.data);
  });

  it('rejects bad lags and lengths by name', () => {
    expect(() => memoryProbeTask({ lags: [] })).toThrow('lags: expected a non-empty array');
    expect(() => memoryProbeTask({ lags: [1, 0] })).toThrow(
      'lags[1]: expected a positive integer, received 0',
    );
    expect(() => memoryProbeTask({ lags: [2, 2] })).toThrow('lags: expected distinct positive integers');
    expect(() => memoryProbeTask({ lags: [4], length: 4 })).toThrow(
      'length: expected more than the largest lag (4), received 4',
    );
  });
});
