/**
 * Learning-rate schedules: the learning rate as a function of the optimizer's step (`iterations`, counted from 0,
 * one per applied update), as Keras 3 defines them. A schedule, or any function `(step) => rate`, can be given as an
 * optimizer's `learningRate`. Values are computed on the host in float64.
 */
import {
  checkBoolean,
  checkNumberInRange,
  checkOptions,
  checkPositiveInteger,
  didYouMean,
  invalidArgument,
  isPlainObject,
  SeqmodelError,
} from '@seqmodel/core';

export interface LearningRateSchedule {
  /** Keras' class name (`ExponentialDecay`, ...). */
  readonly className: string;
  /** The learning rate at optimizer step `step` (0 for the first update). */
  at(step: number): number;
  getConfig(): Record<string, unknown>;
}

/** A learning rate: a number, a schedule, or a function of the step. */
export type LearningRate = number | LearningRateSchedule | ((step: number) => number);

function checkScheduleOptions(factory: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null)
    invalidArgument(`${factory}(options)`, options, 'an object');
  checkOptions(`${factory} options`, options, known);
}

function checkRate(argument: string, value: unknown): number {
  return checkNumberInRange(argument, value, 0, Number.MAX_VALUE);
}

export interface ExponentialDecayOptions {
  readonly initialLearningRate: number;
  /** Steps over which the rate is multiplied by `decayRate` once. */
  readonly decaySteps: number;
  readonly decayRate: number;
  /** Decay in whole intervals (a staircase) rather than continuously (default false). */
  readonly staircase?: boolean;
}

/** `initial · decayRate^(step / decaySteps)`, the exponent floored with `staircase`. */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  checkScheduleOptions('exponentialDecay', options, [
    'initialLearningRate',
    'decaySteps',
    'decayRate',
    'staircase',
  ]);
  const initial = checkRate('exponentialDecay initialLearningRate', options?.initialLearningRate);
  const decaySteps = checkPositiveInteger('exponentialDecay decaySteps', options.decaySteps);
  const decayRate = checkRate('exponentialDecay decayRate', options.decayRate);
  const staircase = checkBoolean('exponentialDecay staircase', options.staircase ?? false);
  return {
    className: 'ExponentialDecay',
    at: (step) => {
      const p = step / decaySteps;
      return initial * decayRate ** (staircase ? Math.floor(p) : p);
    },
    getConfig: () => ({ initialLearningRate: initial, decaySteps, decayRate, staircase }),
  };
}

export interface StepDecayOptions {
  readonly initialLearningRate: number;
  /** Steps between drops. */
  readonly stepSize: number;
  /** What the rate is multiplied by at each drop (default 0.1). */
  readonly factor?: number;
}

/** `initial · factor^⌊step / stepSize⌋`: drops by `factor` every `stepSize` steps (a staircase exponential decay). */
export function stepDecay(options: StepDecayOptions): LearningRateSchedule {
  checkScheduleOptions('stepDecay', options, ['initialLearningRate', 'stepSize', 'factor']);
  const initial = checkRate('stepDecay initialLearningRate', options?.initialLearningRate);
  const stepSize = checkPositiveInteger('stepDecay stepSize', options.stepSize);
  const factor = checkRate('stepDecay factor', options.factor ?? 0.1);
  return {
    className: 'StepDecay',
    at: (step) => initial * factor ** Math.floor(step / stepSize),
    getConfig: () => ({ initialLearningRate: initial, stepSize, factor }),
  };
}

export interface PiecewiseConstantDecayOptions {
  /** Increasing step boundaries. */
  readonly boundaries: readonly number[];
  /** One more value than boundaries: `values[0]` up to and including `boundaries[0]`, and so on. */
  readonly values: readonly number[];
}

/** `values[i]` for `boundaries[i - 1] < step <= boundaries[i]` (Keras' `PiecewiseConstantDecay`). */
export function piecewiseConstantDecay(options: PiecewiseConstantDecayOptions): LearningRateSchedule {
  checkScheduleOptions('piecewiseConstantDecay', options, ['boundaries', 'values']);
  const boundaries = options?.boundaries;
  const values = options?.values;
  if (
    !Array.isArray(boundaries) ||
    boundaries.some((b, i) => typeof b !== 'number' || (i > 0 && b <= boundaries[i - 1]!))
  ) {
    invalidArgument('piecewiseConstantDecay boundaries', boundaries, 'an increasing array of numbers');
  }
  if (!Array.isArray(values) || values.length !== boundaries.length + 1) {
    throw new SeqmodelError(
      `piecewiseConstantDecay values: expected ${boundaries.length + 1} values (one more than boundaries), received ${Array.isArray(values) ? values.length : typeof values}`,
    );
  }
  values.forEach((v, i) => {
    checkRate(`piecewiseConstantDecay values[${i}]`, v);
  });
  const b = [...boundaries];
  const v = [...values];
  return {
    className: 'PiecewiseConstantDecay',
    at: (step) => {
      const i = b.findIndex((boundary) => step <= boundary);
      return v[i === -1 ? b.length : i]!;
    },
    getConfig: () => ({ boundaries: [...b], values: [...v] }),
  };
}

export interface CosineDecayOptions {
  /** The rate at step 0 (or where the warmup starts). */
  readonly initialLearningRate: number;
  /** Steps of the cosine decay (after the warmup). */
  readonly decaySteps: number;
  /** The final rate as a fraction of the decay's starting rate (default 0). */
  readonly alpha?: number;
  /** With warmup: the rate reached linearly from `initialLearningRate` over `warmupSteps`, where the decay starts. */
  readonly warmupTarget?: number;
  readonly warmupSteps?: number;
}

/**
 * Cosine decay (Loshchilov & Hutter's SGDR without restarts), optionally after a linear warmup, as Keras 3's
 * `CosineDecay`: `start · ((1 − alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)`, where start
 * is `warmupTarget` after a warmup and `initialLearningRate` without one.
 */
export function cosineDecay(options: CosineDecayOptions): LearningRateSchedule {
  checkScheduleOptions('cosineDecay', options, [
    'initialLearningRate',
    'decaySteps',
    'alpha',
    'warmupTarget',
    'warmupSteps',
  ]);
  const initial = checkRate('cosineDecay initialLearningRate', options?.initialLearningRate);
  const decaySteps = checkPositiveInteger('cosineDecay decaySteps', options.decaySteps);
  const alpha = checkNumberInRange('cosineDecay alpha', options.alpha ?? 0, 0, 1);
  const warmupTarget =
    options.warmupTarget === undefined
      ? undefined
      : checkRate('cosineDecay warmupTarget', options.warmupTarget);
  const warmupSteps =
    options.warmupSteps === undefined || options.warmupSteps === 0
      ? 0
      : checkPositiveInteger('cosineDecay warmupSteps', options.warmupSteps);
  if (warmupSteps > 0 && warmupTarget === undefined) {
    throw new SeqmodelError('cosineDecay warmupSteps: give warmupTarget too (the rate the warmup reaches)');
  }
  const decay = (step: number, from: number) => {
    const fraction = Math.min(step, decaySteps) / decaySteps;
    return from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha);
  };
  return {
    className: 'CosineDecay',
    at: (step) => {
      if (warmupTarget === undefined) return decay(step, initial);
      if (step < warmupSteps) return initial + (warmupTarget - initial) * (step / warmupSteps);
      return decay(step - warmupSteps, warmupTarget);
    },
    getConfig: () => ({
      initialLearningRate: initial,
      decaySteps,
      alpha,
      ...(warmupTarget === undefined ? {} : { warmupTarget, warmupSteps }),
    }),
  };
}

/** The rate at `step` for a learning-rate option; `argument` names it in errors. */
export function learningRateAt(rate: LearningRate, step: number, argument: string): number {
  const value = typeof rate === 'number' ? rate : typeof rate === 'function' ? rate(step) : rate.at(step);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalidArgument(`${argument} at step ${step}`, value, 'a finite number >= 0');
  }
  return value;
}

/** Checks a learning-rate option. */
export function checkLearningRate(argument: string, rate: unknown): LearningRate {
  if (typeof rate === 'number') return checkRate(argument, rate);
  if (typeof rate === 'function') return rate as (step: number) => number;
  if (typeof rate === 'object' && rate !== null && typeof (rate as LearningRateSchedule).at === 'function') {
    return rate as LearningRateSchedule;
  }
  return invalidArgument(argument, rate, 'a number >= 0, a schedule, or a function of the step');
}

const SCHEDULES: Readonly<Record<string, (config: never) => LearningRateSchedule>> = {
  ExponentialDecay: exponentialDecay,
  StepDecay: stepDecay,
  PiecewiseConstantDecay: piecewiseConstantDecay,
  CosineDecay: cosineDecay,
};

/**
 * A learning rate from an optimizer config: a number, or a schedule's `{ className, config }` (what an optimizer's
 * `getConfig` writes for the schedules here). A function of the step has no config and cannot be rebuilt.
 */
export function learningRateFromConfig(value: unknown, argument: string): LearningRate {
  if (value === 'function') {
    throw new SeqmodelError(
      `${argument}: expected a number or a schedule's { className, config }, received "function" (the config was saved from a function of the step, which a config cannot hold); give the learning rate again`,
    );
  }
  if (!isPlainObject(value)) return checkLearningRate(argument, value);
  checkOptions(argument, value, ['className', 'config']);
  const className = value.className;
  const make =
    typeof className === 'string' && Object.hasOwn(SCHEDULES, className) ? SCHEDULES[className] : undefined;
  if (make === undefined) {
    throw new SeqmodelError(
      `${argument}.className: unknown schedule ${JSON.stringify(className)}${typeof className === 'string' ? didYouMean(className, Object.keys(SCHEDULES)) : ''}; known schedules: ${Object.keys(SCHEDULES).join(', ')}`,
    );
  }
  return make((value.config ?? {}) as never);
}
