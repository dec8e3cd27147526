/**
 * What every synthetic task returns: its arrays plus a description of their shapes and the score of a trivial
 * baseline, so that a user can tell a model that learns from one that guesses.
 */
import { checkNumberInRange, checkOptions, checkPositiveInteger } from '@seqmodel/core';
import type { SequenceData } from '../batch.js';
import { checkSeed } from '../checks.js';

/** Loss or score a baseline is measured with. */
export type BaselineMetric = 'mse' | 'accuracy' | 'crossEntropy' | 'binaryCrossEntropy';

/** The score of a strategy that needs no learning (or no memory). */
export interface Baseline {
  /** What the strategy does, e.g. "always predict 1". */
  readonly strategy: string;
  readonly metric: BaselineMetric;
  /** Its expected score under the task's distribution (analytic where `analytic` is true). */
  readonly value: number;
  /** True when `value` is derived in closed form, false when it is measured on the generated data. */
  readonly analytic: boolean;
}

export interface TaskInfo {
  /** Short task name, e.g. "adding-problem". */
  readonly name: string;
  /** Shape of the inputs with named axes, e.g. "[numSamples, length, 2]". */
  readonly inputShape: string;
  /** Shape of the targets with named axes. */
  readonly targetShape: string;
  /** What the inputs and targets hold. */
  readonly description: string;
  /** Number of classes (or vocabulary size) for classification-style targets / token inputs. */
  readonly numClasses?: number;
  readonly inputVocabularySize?: number;
  /** Trivial baselines: a model must beat these to have learned anything. */
  readonly baselines: readonly Baseline[];
}

/** A generated data set: aligned arrays plus their documentation. */
export interface SyntheticTask extends SequenceData {
  readonly info: TaskInfo;
}

/** Seed of a synthetic task: a safe integer or a string. */
export type Seed = number | string;

/**
 * Checks a task's options object (`task` names it in errors; `keys` are the options it accepts) and the
 * `numSamples` / `seed` options shared by every task.
 */
export function checkCommon<O extends { numSamples?: number; seed?: Seed }>(
  task: string,
  options: O | undefined,
  keys: readonly (keyof O & string)[],
  defaults: number,
) {
  checkOptions(`${task}(options)`, options, keys);
  const numSamples = checkPositiveInteger('numSamples', options?.numSamples ?? defaults);
  return { numSamples, seed: checkSeed('seed', options?.seed ?? 0) };
}

/** Checks a non-negative number option. */
export function checkNonNegative(argument: string, value: number): number {
  return checkNumberInRange(argument, value, 0, Number.MAX_VALUE);
}
