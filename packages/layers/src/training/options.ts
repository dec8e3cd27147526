/** The options of `fit`, `evaluate`, `trainOnBatch` and `testOnBatch` (Keras' arguments, in camelCase). */
import type { Batch } from '@seqmodel/core';
import type { CallbackLike } from './callbacks/callback.js';
import type { LengthsLike, TensorLike, TensorsLike } from './data/batch.js';
import type { ClassWeight } from './data/class-weight.js';
import type { Dataset } from './data/dataset.js';
import type { TbpttOptions } from './tbptt.js';

/** Masks, lengths and sample weights for in-memory data. */
export interface DataOptions<T> {
  /** `[n, time]` mask of the (first) input, or one per input. */
  readonly mask?: TensorLike<T> | readonly (TensorLike<T> | undefined)[];
  /** Valid lengths of the (first) input's sequences, or one array per input. */
  readonly lengths?: LengthsLike<T> | readonly (LengthsLike<T> | undefined)[];
  /** `[n]` per sample or `[n, time]` per step; a weight of 0 leaves that target out. */
  readonly sampleWeight?: TensorLike<T>;
}

/**
 * Validation data: `[x, y]`, `[x, y, sampleWeight]`, one batch of core's batch contract (`{ inputs, targets, mask?,
 * lengths?, sampleWeights? }`, a `@seqmodel/datasets` data set say), or a dataset. The object `{ x, y, mask?,
 * lengths?, sampleWeight? }` is the deprecated spelling of that batch; it still works.
 */
export type ValidationData<T> =
  | readonly [TensorsLike<T>, TensorsLike<T>]
  | readonly [TensorsLike<T>, TensorsLike<T>, TensorLike<T>]
  | (Batch<TensorLike<T>> & { readonly targets: TensorsLike<T> })
  | ({ readonly x: TensorsLike<T>; readonly y: TensorsLike<T> } & DataOptions<T>)
  | Dataset<T>;

/** Options shared by `fit` over arrays and over datasets. */
export interface FitBaseOptions<T> {
  /** Epochs to train until (default 1); with `initialEpoch`, the index of the last epoch plus one. */
  readonly epochs?: number;
  /** The epoch to start from (default 0), to resume a run. */
  readonly initialEpoch?: number;
  readonly callbacks?: readonly CallbackLike[];
  /**
   * `'auto'` (default) and 1: a progress bar on `process.stdout` (quiet when it is not a terminal); 2: one line per
   * epoch; 0: nothing.
   */
  readonly verbose?: 0 | 1 | 2 | 'auto';
  /** Seed of the shuffle and the dropout masks (default: derived from the model's seed and the number of fit calls). */
  readonly seed?: number | string;
  readonly validationData?: ValidationData<T>;
  /** Batch size for in-memory validation data (default `batchSize`). */
  readonly validationBatchSize?: number;
  /** Batches to read from a validation dataset (default: all of it). */
  readonly validationSteps?: number;
  /** Validate every this many epochs (default 1). */
  readonly validationFreq?: number;
  /** Truncated backpropagation through time: cut each batch into chunks of `steps` time steps (see `tbptt.ts`). */
  readonly tbptt?: TbpttOptions;
  /**
   * A weight per class index (`{ 0: 1, 1: 5 }`), multiplied into the sample weights of the training targets (not of
   * validation data), as Keras' `class_weight`; every class in the targets needs one. Models with one output.
   */
  readonly classWeight?: ClassWeight;
}

/** `fit(x, y, options)`. */
export interface FitOptions<T> extends FitBaseOptions<T>, DataOptions<T> {
  /** Rows per batch (default 32). */
  readonly batchSize?: number;
  /** Shuffle the rows every epoch (default true), with `seed`. */
  readonly shuffle?: boolean;
  /** The last fraction of the rows (before shuffling) is held out for validation, as Keras. */
  readonly validationSplit?: number;
}

/** `fit(dataset, options)`. */
export interface FitDatasetOptions<T> extends FitBaseOptions<T> {
  /**
   * Batches per epoch. Without it an epoch is one pass over the dataset. With it, epochs draw that many batches in
   * turn from one pass, starting a new pass when one ends (a one-shot iterator that runs out ends training).
   */
  readonly stepsPerEpoch?: number;
}

/** `evaluate(x, y, options)`. */
export interface EvaluateOptions<T> extends DataOptions<T> {
  /** Rows per batch (default 32). */
  readonly batchSize?: number;
  /**
   * 0 (default; Keras' is `'auto'`): print nothing; 1, 2 or `'auto'`: print one line with the results
   * (`Evaluate · loss 0.1234 · mae 0.2345 · 0s`).
   */
  readonly verbose?: 0 | 1 | 2 | 'auto';
}

/** `evaluate(dataset, options)`. */
export interface EvaluateDatasetOptions {
  /** Batches to read (default: the whole dataset). */
  readonly steps?: number;
  /** As `EvaluateOptions.verbose`. */
  readonly verbose?: 0 | 1 | 2 | 'auto';
}

/** `trainOnBatch` options. */
export interface OnBatchOptions<T> extends DataOptions<T> {
  /** Seed of the dropout masks (default: a stream from the model's seed, one step after another). */
  readonly seed?: number | string;
  /** See `FitBaseOptions.classWeight`. */
  readonly classWeight?: ClassWeight;
}

/** The keys of each options object, for the unknown-key check. */
const DATA_KEYS = ['mask', 'lengths', 'sampleWeight'];
const FIT_BASE_KEYS = [
  'epochs',
  'initialEpoch',
  'callbacks',
  'verbose',
  'seed',
  'validationData',
  'validationBatchSize',
  'validationSteps',
  'validationFreq',
  'tbptt',
  'classWeight',
];
/** Options of `fit(x, y, options)` only: a dataset brings its own batches, order, masks and weights. */
export const IN_MEMORY_FIT_KEYS: readonly string[] = [
  'batchSize',
  'shuffle',
  'validationSplit',
  ...DATA_KEYS,
];
export const FIT_KEYS: readonly string[] = [...FIT_BASE_KEYS, ...IN_MEMORY_FIT_KEYS];
export const FIT_DATASET_KEYS: readonly string[] = [...FIT_BASE_KEYS, 'stepsPerEpoch'];
export const EVALUATE_KEYS: readonly string[] = ['batchSize', 'verbose', ...DATA_KEYS];
export const EVALUATE_DATASET_KEYS: readonly string[] = ['steps', 'verbose'];
export const TRAIN_ON_BATCH_KEYS: readonly string[] = [...DATA_KEYS, 'seed', 'classWeight'];
export const TEST_ON_BATCH_KEYS: readonly string[] = DATA_KEYS;
