/**
 * Batching of variable-length examples: each batch is padded to its own longest sequence (like a PyTorch
 * `collate_fn` with `pad_sequence`), optionally with buckets of similar lengths to waste less on padding.
 */
import { checkOneOf, checkOptions, checkPositiveInteger, invalidArgument, optionKeys } from '@seqmodel/core';
import {
  type BatchOptions,
  batchOptionKeys,
  chunkIndices,
  exampleOrder,
  type SequenceBatch,
  type SequenceData,
} from '../batch.js';
import { bucketByLength } from './bucket.js';
import { type PaddingSide, padResolved, resolvePadOptions, type Sequence } from './pad.js';

/** One example: an input sequence and an optional target (a number, or a sequence). */
export interface Example {
  readonly input: Sequence;
  readonly target?: Sequence | number;
}

export interface CollateOptions {
  /** Where padding goes (default `'post'`, as in PyTorch's `pad_sequence`). */
  padding?: PaddingSide;
  /** Truncates inputs (and sequence targets) longer than this. */
  maxLength?: number;
  /** Which end is cut when truncating (default `'post'`: keep the start). */
  truncating?: PaddingSide;
  /** Value of padded input steps (default 0). */
  padValue?: number;
  /** Value of padded target steps (default 0). */
  targetPadValue?: number;
  /** Dtype of the inputs (default: inferred, see `padSequences`). */
  dtype?: 'float32' | 'int32';
  /** Dtype of the targets (default: inferred). */
  targetDtype?: 'float32' | 'int32';
}

export const collateOptionKeys = optionKeys<CollateOptions>({
  padding: true,
  maxLength: true,
  truncating: true,
  padValue: true,
  targetPadValue: true,
  dtype: true,
  targetDtype: true,
});

/**
 * Stacks `examples` into one batch (without `indices`).
 *
 * - inputs: `[b, T]` or `[b, T, features]` padded to the longest input (or `maxLength`), with `mask` and
 *   `lengths` for the inputs.
 * - targets: numbers give `[b]`; sequences are padded the same way to their own longest length, and
 *   `sampleWeights` (`[b, T']`, 0 at padded target steps) tells a loss which target steps count.
 */
export function collate(examples: readonly Example[], options: CollateOptions = {}): SequenceData {
  checkOptions('collate(options)', options, collateOptionKeys);
  return collateExamples(examples, options);
}

/** {@link collate} for the batchers, whose options hold more than the collate options (checked by them). */
export function collateExamples(examples: readonly Example[], options: CollateOptions): SequenceData {
  if (!Array.isArray(examples) || examples.length === 0) {
    invalidArgument('examples', examples, 'a non-empty array of { input, target? }');
  }
  // Only the padding options are passed on: inputs and targets each have their own value and dtype.
  const shared = { maxLength: options.maxLength, padding: options.padding, truncating: options.truncating };
  const inputOptions = resolvePadOptions(
    { ...shared, value: options.padValue ?? 0, dtype: options.dtype },
    'post',
    {
      value: 'padValue',
      dtype: 'dtype',
    },
  );
  examples.forEach((e, i) => {
    if (typeof e !== 'object' || e === null)
      invalidArgument(`examples[${i}]`, e, 'an example { input, target? }');
  });
  const inputs = padResolved(
    examples.map((e) => e.input),
    inputOptions,
    'examples',
    (i) => `examples[${i}].input`,
  );
  const withTarget = examples.filter((e) => e.target !== undefined).length;
  if (withTarget === 0) return { inputs: inputs.values, mask: inputs.mask, lengths: inputs.lengths };
  if (withTarget !== examples.length) {
    const missing = examples.findIndex((e) => e.target === undefined);
    invalidArgument(`examples[${missing}].target`, undefined, 'a target, as the other examples have');
  }
  const scalar = typeof examples[0]!.target === 'number';
  examples.forEach((e, i) => {
    if ((typeof e.target === 'number') !== scalar) {
      invalidArgument(
        `examples[${i}].target`,
        e.target,
        scalar ? 'a number (like examples[0])' : 'a sequence',
      );
    }
  });
  if (scalar) {
    const values = examples.map((e) => e.target as number);
    const dtype =
      options.targetDtype === undefined || options.targetDtype === null
        ? values.every(Number.isInteger)
          ? 'int32'
          : 'float32'
        : checkOneOf('targetDtype', options.targetDtype, ['float32', 'int32'] as const);
    values.forEach((v, i) => {
      if (Number.isNaN(v) || (dtype === 'int32' && !Number.isInteger(v))) {
        invalidArgument(`examples[${i}].target`, v, dtype === 'int32' ? 'an integer' : 'a number');
      }
    });
    const data = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    return {
      inputs: inputs.values,
      targets: { data, shape: [examples.length] },
      mask: inputs.mask,
      lengths: inputs.lengths,
    };
  }
  const targets = padResolved(
    examples.map((e) => e.target as Sequence),
    resolvePadOptions({ ...shared, value: options.targetPadValue ?? 0, dtype: options.targetDtype }, 'post', {
      value: 'targetPadValue',
      dtype: 'targetDtype',
    }),
    'examples',
    (i) => `examples[${i}].target`,
  );
  return {
    inputs: inputs.values,
    targets: targets.values,
    mask: inputs.mask,
    lengths: inputs.lengths,
    sampleWeights: targets.mask,
  };
}

export interface PaddedBatchOptions extends BatchOptions, CollateOptions {
  /**
   * Groups examples of similar input length (see `bucketByLength`): `true` sorts by length, `{ boundaries }`
   * uses fixed buckets. Default false.
   */
  bucket?: boolean | { boundaries: readonly number[] };
}

/**
 * Batches variable-length examples, padding each batch to its longest member; `indices` name the examples.
 *
 * @example
 * for (const batch of paddedBatches(examples, { batchSize: 32, shuffle: true, seed: 1, bucket: true })) { … }
 */
export function* paddedBatches(
  examples: readonly Example[],
  options: PaddedBatchOptions,
): Generator<SequenceBatch> {
  checkOptions('paddedBatches(options)', options, [...batchOptionKeys, ...collateOptionKeys, 'bucket']);
  const batchSize = checkPositiveInteger('batchSize', options?.batchSize);
  if (!Array.isArray(examples)) invalidArgument('examples', examples, 'an array of { input, target? }');
  const bucket = options.bucket ?? false;
  if (typeof bucket === 'object' && bucket !== null) {
    checkOptions('paddedBatches(options.bucket)', bucket, ['boundaries']);
  } else if (typeof bucket !== 'boolean') {
    invalidArgument('bucket', bucket, 'true, false or { boundaries }');
  }
  let groups: Int32Array[];
  if (bucket) {
    const lengths = examples.map((e, i) => {
      const input = (e as Partial<Example> | null)?.input;
      if (typeof input !== 'object' || input === null || typeof input.length !== 'number') {
        invalidArgument(`examples[${i}].input`, input, 'an array of numbers or of number vectors');
      }
      return Math.min(input.length, options.maxLength ?? Number.POSITIVE_INFINITY);
    });
    groups = bucketByLength(lengths, {
      batchSize,
      ...(typeof bucket === 'object' && { boundaries: bucket.boundaries }),
      shuffle: options.shuffle ?? false,
      seed: options.seed ?? 0,
      epoch: options.epoch ?? 0,
      dropRemainder: options.dropRemainder ?? false,
    });
  } else {
    groups = chunkIndices(exampleOrder(examples.length, options), batchSize, options.dropRemainder);
  }
  for (const indices of groups) {
    yield {
      ...collateExamples(
        Array.from(indices, (i) => examples[i]!),
        options,
      ),
      indices,
    };
  }
}
