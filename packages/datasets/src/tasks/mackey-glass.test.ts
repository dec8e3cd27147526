import { describe, expect, it } from 'vitest';
import { expectAllClose, meanVar } from '../test-helpers.js';
import { mackeyGlassSeries, mackeyGlassTask } from './mackey-glass.js';

/** Independent forward-Euler integration with a tiny step, constant history x0 (the textbook setting). */
function eulerMackeyGlass(length: number, dt: number, tau = 17, x0 = 1.2): number[] {
  const delay = Math.round(tau / dt);
  const perSample = Math.round(1 / dt);
  const steps = (length - 1) * perSample;
  const x = new Float64Array(delay + steps + 1).fill(x0);
  for (let i = delay; i < delay + steps; i++) {
    const xd = x[i - delay]!;
    x[i + 1] = x[i]! + dt * ((0.2 * xd) / (1 + xd ** 10) - 0.1 * x[i]!);
  }
  return Array.from({ length }, (_, j) => x[delay + j * perSample]!);
}

describe('mackeyGlassSeries', () => {
  it('agrees with an independent fine-step Euler integration (constant history, no warmup)', () => {
    const rk4 = mackeyGlassSeries({ length: 60, historyNoise: 0, warmup: 0 });
    const euler = eulerMackeyGlass(60, 0.001);
    // Euler with dt = 0.001 has a global error of order 1e-3 on this horizon; RK4 with dt = 0.1 is closer than that.
    expectAllClose(rk4, euler, 3e-3);
    expect(rk4[0]).toBeCloseTo(1.2, 6);
  });

  it('stays on the attractor: bounded and not periodic', () => {
    const x = mackeyGlassSeries({ length: 3000, seed: 2 });
    const min = Math.min(...x);
    const max = Math.max(...x);
    // The τ = 17 attractor spans roughly [0.2, 1.4].
    expect(min).toBeGreaterThan(0.15);
    expect(max).toBeLessThan(1.45);
    expect(max - min).toBeGreaterThan(0.8);
    const { variance } = meanVar(x);
    expect(variance).toBeGreaterThan(0.03);
    expect(variance).toBeLessThan(0.08);
  });

  it('is seeded: same seed same series, different seeds different trajectories', () => {
    const a = mackeyGlassSeries({ length: 200, seed: 'a' });
    expect(a).toEqual(mackeyGlassSeries({ length: 200, seed: 'a' }));
    const b = mackeyGlassSeries({ length: 200, seed: 'b' });
    expect(a).not.toEqual(b);
  });

  it('is deterministic (golden values)', () => {
    expectAllClose(mackeyGlassSeries({ length: 5, historyNoise: 0, warmup: 0 }), GOLDEN_CLASSIC, 1e-6);
    expectAllClose(mackeyGlassSeries({ length: 5, seed: 0 }), GOLDEN_SEEDED, 1e-5);
  });

  it('rejects a delay or sample step that is not a multiple of dt', () => {
    expect(() => mackeyGlassSeries({ length: 5, tau: 17.05 })).toThrow(
      'tau: expected a positive multiple of dt (0.1)',
    );
    expect(() => mackeyGlassSeries({ length: 5, sampleStep: 0.25 })).toThrow(
      'sampleStep: expected a positive multiple',
    );
  });
});

describe('mackeyGlassTask', () => {
  it('cuts windows of one series in time order, targets following inputs', () => {
    const task = mackeyGlassTask({ numSamples: 30, inputLength: 6, horizon: 2, stride: 3, seed: 1 });
    expect(task.inputs.shape).toEqual([30, 6, 1]);
    expect(task.targets!.shape).toEqual([30, 2]);
    const series = mackeyGlassSeries({ length: 29 * 3 + 8, seed: 1 });
    for (let i = 0; i < 30; i++) {
      expect(Array.from(task.inputs.data.subarray(i * 6, i * 6 + 6))).toEqual(
        Array.from(series.subarray(i * 3, i * 3 + 6)),
      );
      expect(Array.from(task.targets!.data.subarray(i * 2, i * 2 + 2))).toEqual(
        Array.from(series.subarray(i * 3 + 6, i * 3 + 8)),
      );
    }
  });

  it('reports baselines that match a recomputation', () => {
    const task = mackeyGlassTask({ numSamples: 500, inputLength: 20, horizon: 1, seed: 4 });
    const y = task.targets!.data;
    let lastSe = 0;
    for (let i = 0; i < 500; i++) lastSe += (y[i]! - task.inputs.data[i * 20 + 19]!) ** 2;
    expect(task.info.baselines[1]!.value).toBeCloseTo(lastSe / 500, 8);
    // Persistence must beat the mean for a smooth series sampled every time unit.
    expect(task.info.baselines[1]!.value).toBeLessThan(task.info.baselines[0]!.value / 10);
  });

  it('documents the default baselines (≈ 0.052 and ≈ 0.0011)', () => {
    const task = mackeyGlassTask();
    expect(task.info.baselines[0]!.value).toBeCloseTo(0.052, 2);
    expect(task.info.baselines[1]!.value).toBeCloseTo(0.0011, 3);
  });
});

// Golden values: recorded from this implementation to lock determinism across runs and platforms.
const GOLDEN_CLASSIC = [
  1.2000000476837158, 1.117562174797058, 1.0429694652557373, 0.9754750728607178, 0.9144036173820496,
];
const GOLDEN_SEEDED = [
  0.9265539050102234, 0.8736331462860107, 0.822497546672821, 0.7730344533920288, 0.7251877784729004,
];
