/**
 * The Mackey–Glass delay differential equation, the classic chaotic benchmark for time-series forecasting:
 * `dx/dt = β x(t−τ) / (1 + x(t−τ)^n) − γ x(t)`, chaotic for τ ≥ 17 with β = 0.2, γ = 0.1, n = 10.
 */
import {
  checkNumberInRange,
  checkOptions,
  checkPositiveInteger,
  createRng,
  optionKeys,
  SeqmodelError,
} from '@seqmodel/core';
import { checkSeed } from '../checks.js';
import { type Baseline, checkCommon, checkNonNegative, type Seed, type SyntheticTask } from './task.js';

export interface MackeyGlassOptions {
  /** Number of samples returned. */
  length: number;
  /** Delay τ (default 17). */
  tau?: number;
  /** β (default 0.2). */
  beta?: number;
  /** γ (default 0.1). */
  gamma?: number;
  /** Exponent n (default 10). */
  n?: number;
  /** Integration step (default 0.1); `tau / dt` and `sampleStep / dt` must be whole numbers. */
  dt?: number;
  /** Time between returned samples (default 1). */
  sampleStep?: number;
  /** Value of the history `x(t)` for `t ∈ [−τ, 0]` (default 1.2). */
  x0?: number;
  /**
   * Each history point is `x0 + U(−historyNoise, historyNoise)`, drawn from the seed (default 0.1), so different
   * seeds give different trajectories. 0 gives the textbook series from a constant history.
   */
  historyNoise?: number;
  /** Time units integrated and thrown away before the first sample, to leave the transient (default 100). */
  warmup?: number;
  /** Standard deviation of Gaussian observation noise added to the samples (default 0). */
  noiseStd?: number;
  seed?: Seed;
}

function wholeRatio(argument: string, value: number, dt: number): number {
  const ratio = Math.round(value / dt);
  if (ratio < 1 || Math.abs(ratio * dt - value) > 1e-9 * Math.max(1, value)) {
    throw new SeqmodelError(`${argument}: expected a positive multiple of dt (${dt}), received ${value}`);
  }
  return ratio;
}

/** The series' options besides `length`, shared with the task. */
const dynamicsKeys = {
  tau: true,
  beta: true,
  gamma: true,
  n: true,
  dt: true,
  sampleStep: true,
  x0: true,
  historyNoise: true,
  warmup: true,
  noiseStd: true,
  seed: true,
} as const;
const seriesKeys = optionKeys<MackeyGlassOptions>({ length: true, ...dynamicsKeys });

/**
 * A Mackey–Glass series (`Float32Array` of `length`), integrated with fourth-order Runge–Kutta; the delayed term
 * at half steps is the mean of its two neighbouring history points.
 */
export function mackeyGlassSeries(options: MackeyGlassOptions): Float32Array {
  checkOptions('mackeyGlassSeries(options)', options, seriesKeys);
  const length = checkPositiveInteger('length', options?.length);
  const tau = checkNumberInRange('tau', options.tau ?? 17, Number.MIN_VALUE, Number.MAX_VALUE);
  const beta = checkNonNegative('beta', options.beta ?? 0.2);
  const gamma = checkNonNegative('gamma', options.gamma ?? 0.1);
  const n = checkNonNegative('n', options.n ?? 10);
  const dt = checkNumberInRange('dt', options.dt ?? 0.1, Number.MIN_VALUE, Number.MAX_VALUE);
  const sampleStep = checkNumberInRange(
    'sampleStep',
    options.sampleStep ?? 1,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  );
  const x0 = checkNumberInRange('x0', options.x0 ?? 1.2, 0, Number.MAX_VALUE);
  const historyNoise = checkNonNegative('historyNoise', options.historyNoise ?? 0.1);
  const warmup = checkNonNegative('warmup', options.warmup ?? 100);
  const noiseStd = checkNonNegative('noiseStd', options.noiseStd ?? 0);
  const delay = wholeRatio('tau', tau, dt);
  const stepsPerSample = wholeRatio('sampleStep', sampleStep, dt);
  const warmupSteps = warmup === 0 ? 0 : wholeRatio('warmup', warmup, dt);

  const rng = createRng(checkSeed('seed', options.seed ?? 0));
  const totalSteps = warmupSteps + (length - 1) * stepsPerSample;
  // x[i] is x(t) at t = (i − delay)·dt: indices 0 … delay hold the history on [−τ, 0].
  const x = new Float64Array(delay + totalSteps + 1);
  for (let i = 0; i <= delay; i++)
    x[i] = historyNoise > 0 ? x0 + rng.uniform(-historyNoise, historyNoise) : x0;
  const f = (xt: number, xd: number) => (beta * xd) / (1 + xd ** n) - gamma * xt;
  for (let i = delay; i < delay + totalSteps; i++) {
    const xi = x[i]!;
    const d0 = x[i - delay]!;
    const d1 = x[i - delay + 1]!;
    const dm = (d0 + d1) / 2;
    const k1 = f(xi, d0);
    const k2 = f(xi + (dt / 2) * k1, dm);
    const k3 = f(xi + (dt / 2) * k2, dm);
    const k4 = f(xi + dt * k3, d1);
    x[i + 1] = xi + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  const out = new Float32Array(length);
  for (let j = 0; j < length; j++) {
    const v = x[delay + warmupSteps + j * stepsPerSample]!;
    out[j] = noiseStd > 0 ? v + rng.normal(0, noiseStd) : v;
  }
  return out;
}

export interface MackeyGlassTaskOptions extends Omit<MackeyGlassOptions, 'length'> {
  /** Number of windows (default 1000). */
  numSamples?: number;
  /** Observed samples per window (default 50). */
  inputLength?: number;
  /** Samples to forecast (default 1). */
  horizon?: number;
  /** Samples between the starts of consecutive windows (default 1). */
  stride?: number;
}

const mackeyGlassTaskKeys = optionKeys<MackeyGlassTaskOptions>({
  numSamples: true,
  inputLength: true,
  horizon: true,
  stride: true,
  ...dynamicsKeys,
});

/**
 * Mackey–Glass forecasting: overlapping windows of one long series (consecutive windows start `stride` samples
 * apart, in time order).
 *
 * - inputs: `[numSamples, inputLength, 1]` float32.
 * - targets: `[numSamples, horizon]` float32, the `horizon` samples after each window.
 *
 * Baselines, measured on the generated data: predicting the series mean (MSE = the series' variance, about 0.05
 * with the defaults) and repeating the last observed value (about 0.0011 for horizon 1 with the defaults).
 */
export function mackeyGlassTask(options: MackeyGlassTaskOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('mackeyGlassTask', options, mackeyGlassTaskKeys, 1000);
  const inputLength = checkPositiveInteger('inputLength', options.inputLength ?? 50);
  const horizon = checkPositiveInteger('horizon', options.horizon ?? 1);
  const stride = checkPositiveInteger('stride', options.stride ?? 1);
  const { numSamples: _n, inputLength: _i, horizon: _h, stride: _s, ...seriesOptions } = options;
  const series = mackeyGlassSeries({
    ...seriesOptions,
    seed,
    length: (numSamples - 1) * stride + inputLength + horizon,
  });

  const inputs = new Float32Array(numSamples * inputLength);
  const targets = new Float32Array(numSamples * horizon);
  let mean = 0;
  for (const v of series) mean += v;
  mean /= series.length;
  let meanSe = 0;
  let lastSe = 0;
  for (let i = 0; i < numSamples; i++) {
    const start = i * stride;
    inputs.set(series.subarray(start, start + inputLength), i * inputLength);
    const last = series[start + inputLength - 1]!;
    for (let h = 0; h < horizon; h++) {
      const y = series[start + inputLength + h]!;
      targets[i * horizon + h] = y;
      meanSe += (y - mean) ** 2;
      lastSe += (y - last) ** 2;
    }
  }
  const count = numSamples * horizon;
  const baselines: Baseline[] = [
    { strategy: 'always predict the series mean', metric: 'mse', value: meanSe / count, analytic: false },
    { strategy: 'repeat the last observed value', metric: 'mse', value: lastSe / count, analytic: false },
  ];
  return {
    inputs: { data: inputs, shape: [numSamples, inputLength, 1] },
    targets: { data: targets, shape: [numSamples, horizon] },
    info: {
      name: 'mackey-glass',
      inputShape: '[numSamples, inputLength, 1]',
      targetShape: '[numSamples, horizon]',
      description: 'Windows of a chaotic Mackey–Glass series; forecast the next `horizon` samples.',
      baselines,
    },
  };
}
