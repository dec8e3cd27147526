import { describe, expect, it } from 'vitest';
import { expectAllClose, head, meanVar } from '../test-helpers.js';
import { sineForecastTask, sineSeries, sumOfSinesSeries } from './sine.js';

describe('sineSeries / sumOfSinesSeries', () => {
  it('computes A sin(2πt/P + φ) without noise (hand-checked points)', () => {
    const x = sineSeries({ length: 9, period: 8, amplitude: 2, phase: 0 });
    // t = 0, 2, 4, 6 are the zero, peak, zero and trough of a period-8 wave.
    expectAllClose([x[0]!, x[2]!, x[4]!, x[6]!], [0, 2, 0, -2], 1e-6);
    expect(x[1]).toBeCloseTo(2 * Math.SQRT1_2, 6);
    const shifted = sineSeries({ length: 3, period: 4, phase: Math.PI / 2 });
    expectAllClose(shifted, [1, 0, -1], 1e-6);
  });

  it('adds its components', () => {
    const a = sineSeries({ length: 50, period: 10, amplitude: 0.5, phase: 1 });
    const b = sineSeries({ length: 50, period: 7, amplitude: 2, phase: -0.3 });
    const sum = sumOfSinesSeries({
      length: 50,
      components: [
        { period: 10, amplitude: 0.5, phase: 1 },
        { period: 7, amplitude: 2, phase: -0.3 },
      ],
    });
    expectAllClose(
      sum,
      Array.from(a, (v, i) => v + b[i]!),
      1e-6,
    );
  });

  it('adds Gaussian noise of the requested standard deviation, seeded', () => {
    const clean = sineSeries({ length: 20000, period: 13 });
    const noisy = sineSeries({ length: 20000, period: 13, noiseStd: 0.5, seed: 4 });
    const residual = Array.from(noisy, (v, i) => v - clean[i]!);
    const { mean, variance } = meanVar(residual);
    // SE of the mean 0.5/sqrt(20000) ≈ 0.0035; SE of the variance ≈ 0.25·sqrt(2/20000) ≈ 0.0025.
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(variance - 0.25)).toBeLessThan(0.01);
    expect(sineSeries({ length: 5, noiseStd: 0.5, seed: 4 })).toEqual(
      sineSeries({ length: 5, noiseStd: 0.5, seed: 4 }),
    );
    expect(sineSeries({ length: 5, noiseStd: 0.5, seed: 4 })).not.toEqual(
      sineSeries({ length: 5, noiseStd: 0.5, seed: 5 }),
    );
  });

  it('rejects bad options', () => {
    expect(() => sineSeries({ length: 0 })).toThrow('length: expected a positive integer, received 0');
    expect(() => sumOfSinesSeries({ length: 3, components: [] })).toThrow(
      'components: expected a non-empty array',
    );
    expect(() => sumOfSinesSeries({ length: 3, components: [{ period: 0 }] })).toThrow(
      'components[0].period: expected a finite number > 0, received 0',
    );
    expect(() => sineSeries({ length: 3, noiseStd: -1 })).toThrow('noiseStd: expected a number in [0,');
  });
});

describe('sineForecastTask', () => {
  it('has the documented shapes', () => {
    const task = sineForecastTask({ numSamples: 4, inputLength: 12, horizon: 3 });
    expect(task.inputs.shape).toEqual([4, 12, 1]);
    expect(task.targets!.shape).toEqual([4, 3]);
    expect(task.info.name).toBe('sine-forecast');
    expect(sineForecastTask({ numSamples: 1, numComponents: 3 }).info.name).toBe('sum-of-sines-forecast');
  });

  it('continues one sinusoid from inputs into targets (noise-free case)', () => {
    // Without noise, x[t+1] = 2 cos(ω) x[t] − x[t−1] for any sinusoid; ω is recovered from three inputs.
    const task = sineForecastTask({ numSamples: 50, inputLength: 8, horizon: 2, noiseStd: 0, seed: 9 });
    for (let i = 0; i < 50; i++) {
      const x = [
        ...head(task.inputs.data.subarray(i * 8), 8),
        ...head(task.targets!.data.subarray(i * 2), 2),
      ];
      const c = (x[2]! + x[0]!) / (2 * x[1]!);
      if (Math.abs(x[1]!) < 0.2) continue; // ill-conditioned estimate of cos(ω)
      expect(c).toBeGreaterThanOrEqual(Math.cos((2 * Math.PI) / 10) - 1e-3);
      expect(c).toBeLessThanOrEqual(Math.cos((2 * Math.PI) / 40) + 1e-3);
      for (let t = 2; t < 9; t++) expect(x[t + 1]!).toBeCloseTo(2 * c * x[t]! - x[t - 1]!, 3);
    }
  });

  it('matches its analytic baselines on sampled data', () => {
    const n = 20000;
    const task = sineForecastTask({ numSamples: n, inputLength: 10, horizon: 2, seed: 21 });
    const [zero, persistence] = task.info.baselines;
    expect(zero!.value).toBeCloseTo(0.51, 10);
    let zeroSe = 0;
    let lastSe = 0;
    for (let i = 0; i < n; i++) {
      const last = task.inputs.data[i * 10 + 9]!;
      for (let h = 0; h < 2; h++) {
        const y = task.targets!.data[i * 2 + h]!;
        zeroSe += y * y;
        lastSe += (y - last) ** 2;
      }
    }
    // Relative standard errors are about 1% at this n (per-example squared errors have a std close to their
    // mean); the tolerances are 3–4 times that.
    expect(Math.abs(zeroSe / (2 * n) - zero!.value)).toBeLessThan(0.02);
    expect(Math.abs(lastSe / (2 * n) - persistence!.value) / persistence!.value).toBeLessThan(0.04);
  });

  it('documents the default persistence baseline (≈ 0.069)', () => {
    const task = sineForecastTask({ numSamples: 1 });
    expect(task.info.baselines[1]!.value).toBeCloseTo(0.0686, 3);
  });

  it('is deterministic for a seed (golden values)', () => {
    const task = sineForecastTask({ numSamples: 2, inputLength: 5, horizon: 2, seed: 0 });
    expect(task.inputs.data).toEqual(
      sineForecastTask({ numSamples: 2, inputLength: 5, horizon: 2, seed: 0 }).inputs.data,
    );
    expectAllClose(task.inputs.data, GOLDEN_INPUTS, 1e-6);
    expectAllClose(task.targets!.data, GOLDEN_TARGETS, 1e-6);
  });

  it('rejects bad options', () => {
    expect(() => sineForecastTask({ minPeriod: 20, maxPeriod: 10 })).toThrow(
      'maxPeriod: expected a number in [20,',
    );
    expect(() => sineForecastTask({ horizon: 0 })).toThrow(
      'horizon: expected a positive integer, received 0',
    );
  });
});

// Golden values: recorded from this implementation to lock determinism across runs and platforms.
const GOLDEN_INPUTS = [
  -0.8876792192459106, -0.9047544002532959, -0.9191965460777283, -0.7623942494392395, -0.47329217195510864,
  -0.971919059753418, -0.992736279964447, -0.7210115194320679, -0.6310427784919739, -0.19727127254009247,
];
const GOLDEN_TARGETS = [-0.24822986125946045, -0.23089538514614105, 0.3115273118019104, 0.4604192078113556];
