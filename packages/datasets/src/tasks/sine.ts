/**
 * Sine and sum-of-sines series with Gaussian noise, and a forecasting task built from them: each example is a
 * window of a noisy sinusoid with a random period and phase, and the target is what comes next.
 */
import {
  checkNumberInRange,
  checkOptions,
  checkPositiveInteger,
  createRng,
  invalidArgument,
  optionKeys,
} from '@seqmodel/core';
import { checkSeed } from '../checks.js';
import { type Baseline, checkCommon, checkNonNegative, type Seed, type SyntheticTask } from './task.js';

export interface SineComponent {
  /** Period in steps (> 0). */
  period: number;
  /** Amplitude (default 1). */
  amplitude?: number;
  /** Phase in radians at step 0 (default 0). */
  phase?: number;
}

export interface SumOfSinesOptions {
  /** Number of steps. */
  length: number;
  /** The sinusoids added together. */
  components: readonly SineComponent[];
  /** Standard deviation of the Gaussian noise added to every step (default 0). */
  noiseStd?: number;
  /** Seed of the noise (default 0). */
  seed?: Seed;
}

/**
 * `x[t] = Σ_k A_k sin(2π t / P_k + φ_k) + ε_t`, `ε_t ~ N(0, noiseStd²)`: a `Float32Array` of `length` steps.
 */
export function sumOfSinesSeries(options: SumOfSinesOptions): Float32Array {
  checkOptions('sumOfSinesSeries(options)', options, ['length', 'components', 'noiseStd', 'seed']);
  const length = checkPositiveInteger('length', options?.length);
  const components = options.components;
  if (!Array.isArray(components) || components.length === 0) {
    invalidArgument('components', components, 'a non-empty array of { period, amplitude?, phase? }');
  }
  components.forEach((c, k) => {
    if (!(typeof c?.period === 'number' && c.period > 0 && Number.isFinite(c.period))) {
      invalidArgument(`components[${k}].period`, c?.period, 'a finite number > 0');
    }
    checkOptions(`sumOfSinesSeries(options.components[${k}])`, c, ['period', 'amplitude', 'phase']);
    for (const key of ['amplitude', 'phase'] as const) {
      if (c[key] !== undefined) {
        checkNumberInRange(`components[${k}].${key}`, c[key], -Number.MAX_VALUE, Number.MAX_VALUE);
      }
    }
  });
  const noiseStd = checkNonNegative('noiseStd', options.noiseStd ?? 0);
  const rng = createRng(checkSeed('seed', options.seed ?? 0));
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    let v = 0;
    for (const c of components)
      v += (c.amplitude ?? 1) * Math.sin((2 * Math.PI * t) / c.period + (c.phase ?? 0));
    out[t] = noiseStd > 0 ? v + rng.normal(0, noiseStd) : v;
  }
  return out;
}

export interface SineSeriesOptions {
  length: number;
  /** Period in steps (default 25). */
  period?: number;
  amplitude?: number;
  phase?: number;
  noiseStd?: number;
  seed?: Seed;
}

/** One noisy sinusoid: `A sin(2π t / period + phase) + ε_t`. */
export function sineSeries(options: SineSeriesOptions): Float32Array {
  checkOptions('sineSeries(options)', options, [
    'length',
    'period',
    'amplitude',
    'phase',
    'noiseStd',
    'seed',
  ]);
  return sumOfSinesSeries({
    length: options?.length,
    components: [
      {
        period: options.period ?? 25,
        amplitude: checkNumberInRange(
          'amplitude',
          options.amplitude ?? 1,
          -Number.MAX_VALUE,
          Number.MAX_VALUE,
        ),
        phase: checkNumberInRange('phase', options.phase ?? 0, -Number.MAX_VALUE, Number.MAX_VALUE),
      },
    ],
    noiseStd: options.noiseStd ?? 0,
    seed: options.seed ?? 0,
  });
}

export interface SineForecastOptions {
  /** Number of examples (default 1000). */
  numSamples?: number;
  /** Observed steps per example (default 40). */
  inputLength?: number;
  /** Steps to forecast (default 1). */
  horizon?: number;
  /** Sinusoids per example (default 1; more gives the sum-of-sines task). */
  numComponents?: number;
  /** Each component's period is drawn uniformly from [minPeriod, maxPeriod] steps (defaults 10 and 40). */
  minPeriod?: number;
  maxPeriod?: number;
  /** Amplitude of every component (default 1). */
  amplitude?: number;
  /** Standard deviation of the observation noise, on inputs and targets alike (default 0.1). */
  noiseStd?: number;
  seed?: Seed;
}

/** `E[cos(2π h / P)]` for `P ~ U(min, max)`, by composite Simpson's rule (exact enough: error < 1e-9 here). */
function meanCosine(h: number, min: number, max: number): number {
  if (max === min) return Math.cos((2 * Math.PI * h) / min);
  const n = 2000;
  const step = (max - min) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    sum += w * Math.cos((2 * Math.PI * h) / (min + i * step));
  }
  return (sum * step) / 3 / (max - min);
}

const sineForecastTaskKeys = optionKeys<SineForecastOptions>({
  numSamples: true,
  inputLength: true,
  horizon: true,
  numComponents: true,
  minPeriod: true,
  maxPeriod: true,
  amplitude: true,
  noiseStd: true,
  seed: true,
});

/**
 * Sine (or sum-of-sines) forecasting with noise.
 *
 * - inputs: `[numSamples, inputLength, 1]` float32, steps `0 … inputLength-1` of
 *   `Σ_k A sin(2π t / P_k + φ_k) + ε_t` with `P_k ~ U(minPeriod, maxPeriod)`, `φ_k ~ U(0, 2π)`,
 *   `ε_t ~ N(0, noiseStd²)`, drawn per example.
 * - targets: `[numSamples, horizon]` float32, the next `horizon` steps of the same noisy series.
 *
 * Baselines (both in closed form): predicting 0 scores MSE `K·A²/2 + σ²` (0.51 with the defaults); repeating the
 * last observed value scores `Σ_k A²(1 − E[cos(2πh/P)]) + 2σ²` averaged over `h = 1 … horizon` (≈ 0.069 with the
 * defaults). The noise floor is `σ²` (0.01).
 */
export function sineForecastTask(options: SineForecastOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('sineForecastTask', options, sineForecastTaskKeys, 1000);
  const inputLength = checkPositiveInteger('inputLength', options.inputLength ?? 40);
  const horizon = checkPositiveInteger('horizon', options.horizon ?? 1);
  const numComponents = checkPositiveInteger('numComponents', options.numComponents ?? 1);
  const minPeriod = checkNumberInRange(
    'minPeriod',
    options.minPeriod ?? 10,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  );
  const maxPeriod = checkNumberInRange('maxPeriod', options.maxPeriod ?? 40, minPeriod, Number.MAX_VALUE);
  const amplitude = checkNonNegative('amplitude', options.amplitude ?? 1);
  const noiseStd = checkNonNegative('noiseStd', options.noiseStd ?? 0.1);

  const rng = createRng(seed);
  const total = inputLength + horizon;
  const inputs = new Float32Array(numSamples * inputLength);
  const targets = new Float32Array(numSamples * horizon);
  const periods = new Float64Array(numComponents);
  const phases = new Float64Array(numComponents);
  for (let i = 0; i < numSamples; i++) {
    for (let k = 0; k < numComponents; k++) {
      periods[k] = rng.uniform(minPeriod, maxPeriod);
      phases[k] = rng.uniform(0, 2 * Math.PI);
    }
    for (let t = 0; t < total; t++) {
      let v = 0;
      for (let k = 0; k < numComponents; k++)
        v += amplitude * Math.sin((2 * Math.PI * t) / periods[k]! + phases[k]!);
      v += noiseStd > 0 ? rng.normal(0, noiseStd) : 0;
      if (t < inputLength) inputs[i * inputLength + t] = v;
      else targets[i * horizon + t - inputLength] = v;
    }
  }

  const noiseVar = noiseStd * noiseStd;
  let persistence = 0;
  for (let h = 1; h <= horizon; h++) {
    persistence +=
      numComponents * amplitude * amplitude * (1 - meanCosine(h, minPeriod, maxPeriod)) + 2 * noiseVar;
  }
  const baselines: Baseline[] = [
    {
      strategy: 'always predict 0 (the mean of the series)',
      metric: 'mse',
      value: (numComponents * amplitude * amplitude) / 2 + noiseVar,
      analytic: true,
    },
    {
      strategy: 'repeat the last observed value',
      metric: 'mse',
      value: persistence / horizon,
      analytic: true,
    },
  ];
  return {
    inputs: { data: inputs, shape: [numSamples, inputLength, 1] },
    targets: { data: targets, shape: [numSamples, horizon] },
    info: {
      name: numComponents === 1 ? 'sine-forecast' : 'sum-of-sines-forecast',
      inputShape: '[numSamples, inputLength, 1]',
      targetShape: '[numSamples, horizon]',
      description:
        'Noisy sinusoids (random period and phase per example); forecast the next `horizon` noisy values.',
      baselines,
    },
  };
}
