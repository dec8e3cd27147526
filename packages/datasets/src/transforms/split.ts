/**
 * Train / validation / test splits. A time series is split in time order (the model never trains on the future of
 * its validation data); independent examples are split at random with a seed, like PyTorch's `random_split`.
 */
import { checkOptions, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { numExamples, type SequenceData, selectExamples, shuffledIndices } from '../batch.js';
import { asMatrix, type Series } from './windows.js';

export interface SplitFractions {
  /** Fraction of the data for training, in (0, 1]. */
  train: number;
  /** Fraction for validation (default 0). */
  validation?: number;
  /** Fraction for testing (default: the rest). */
  test?: number;
}

export interface Splits<D> {
  train: D;
  validation: D;
  test: D;
}

/**
 * Sizes of the three parts of `n` items: `⌊n·train⌋`, `⌊n·validation⌋`, and the rest for test (or `⌊n·test⌋` if
 * given, leaving the remainder out). The train part must not be empty.
 */
export function splitSizes(n: number, fractions: SplitFractions): [number, number, number] {
  checkOptions('fractions', fractions, ['train', 'validation', 'test']);
  const train = fractions?.train;
  const validation = fractions?.validation ?? 0;
  const check = (name: string, v: unknown) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) invalidArgument(name, v, 'a fraction in [0, 1]');
  };
  check('train', train);
  check('validation', validation);
  if (fractions.test !== undefined) check('test', fractions.test);
  const test = fractions.test ?? Math.max(0, 1 - train - validation);
  if (train + validation + test > 1 + 1e-9) {
    invalidArgument('train + validation + test', train + validation + test, 'at most 1');
  }
  if (n === 0) invalidArgument('data', [], 'a non-empty series or data set');
  const nTrain = Math.floor(n * train + 1e-9);
  const nValidation = Math.floor(n * validation + 1e-9);
  const nTest = fractions.test === undefined ? n - nTrain - nValidation : Math.floor(n * test + 1e-9);
  if (nTrain === 0) {
    throw new SeqmodelError(
      `train: expected a fraction that leaves at least one of ${n} items, received ${train}`,
    );
  }
  return [nTrain, nValidation, nTest];
}

/**
 * Splits a series in time order: train is the oldest part, then validation, then test. The parts are views of the
 * series (no copy). Fit normalization on `train` only.
 */
export function timeSplit<S extends Series>(series: S, fractions: SplitFractions): Splits<S> {
  const { data, time, features } = asMatrix(series);
  const [a, b, c] = splitSizes(time, fractions);
  const part = (start: number, end: number): S => {
    const view = data.subarray(start * features, end * features);
    return (series instanceof Float32Array ? view : { data: view, shape: [end - start, features] }) as S;
  };
  return { train: part(0, a), validation: part(a, a + b), test: part(a + b, a + b + c) };
}

/** Indices of a seeded random split of `n` examples. */
export function randomSplitIndices(n: number, fractions: SplitFractions, seed: number | string = 0) {
  const [a, b, c] = splitSizes(n, fractions);
  const order = shuffledIndices(n, seed);
  return { train: order.slice(0, a), validation: order.slice(a, a + b), test: order.slice(a + b, a + b + c) };
}

/** Splits the examples of `data` at random (seeded); each part is a new in-memory data set. */
export function randomSplit(
  data: SequenceData,
  fractions: SplitFractions,
  seed: number | string = 0,
): Splits<SequenceData> {
  const idx = randomSplitIndices(numExamples(data), fractions, seed);
  const pick = (i: Int32Array): SequenceData => {
    const { indices: _, ...rest } = selectExamples(data, i);
    return rest;
  };
  return { train: pick(idx.train), validation: pick(idx.validation), test: pick(idx.test) };
}
