/**
 * Sequence data sets held in memory and the batches cut from them. A data set is a few aligned arrays whose first
 * axis is the example: inputs, optional targets, an optional `[n, time]` mask with its lengths, and optional
 * per-step sample weights (for targets that only count at some steps). It is core's batch contract (`Batch`) with
 * one host array per field, so that `model.fit` takes data sets and their batches as they are.
 */
import {
  type Batch,
  checkOptions,
  checkPositiveInteger,
  createRng,
  invalidArgument,
  optionKeys,
  SeqmodelError,
} from '@seqmodel/core';
import { checkArrayLike, checkNonNegativeInteger, checkSeed, flag, shuffleOptions } from './checks.js';
import { type DataArray, gatherRows, type TensorData } from './tensor-data.js';

/** Aligned arrays whose axis 0 is the example: core's `Batch` of host arrays, one per field. */
export interface SequenceData extends Batch<TensorData> {
  /** `[n, time, features]` float32 values or `[n, time]` int32 token ids. */
  readonly inputs: TensorData;
  /** Targets, aligned with the inputs on axis 0. */
  readonly targets?: TensorData;
  /** `[n, time]`, 1 for real steps and 0 for padding. */
  readonly mask?: TensorData<Float32Array>;
  /** Number of real steps in each example (`[n]`). */
  readonly lengths?: Int32Array;
  /** Weights of each target (`[n]` or `[n, time]`); a weight of 0 leaves that target out of the loss. */
  readonly sampleWeights?: TensorData<Float32Array>;
}

/** One batch: the same arrays for `batchSize` (or fewer) examples, plus which examples they are. */
export interface SequenceBatch extends SequenceData {
  /** Indices of the batch's examples in the data set they came from. */
  readonly indices: Int32Array;
}

export interface BatchOptions {
  /** Examples per batch (the last batch may be smaller unless `dropRemainder`). */
  batchSize: number;
  /** Shuffles the order of the examples (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). The same seed and epoch give the same order everywhere. */
  seed?: number | string;
  /** Epoch number mixed into the seed so that every epoch has its own order (default 0). */
  epoch?: number;
  /** Leaves out a last batch smaller than `batchSize` (default false). */
  dropRemainder?: boolean;
}

/** The options of `batches` (shared by the other batchers). */
export const batchOptionKeys = optionKeys<BatchOptions>({
  batchSize: true,
  shuffle: true,
  seed: true,
  epoch: true,
  dropRemainder: true,
});

/** The number of examples in `data` (its axis 0), checking that every array agrees. */
export function numExamples(data: SequenceData): number {
  if (typeof data !== 'object' || data === null) {
    invalidArgument('data', data, 'a data set { inputs, targets?, mask?, lengths?, sampleWeights? }');
  }
  const inputs: unknown = data.inputs;
  if (typeof inputs !== 'object' || inputs === null || !Array.isArray((inputs as TensorData).shape)) {
    invalidArgument('inputs', inputs, 'host data { data, shape } (every data set has inputs)');
  }
  const n = data.inputs.shape[0];
  if (n === undefined)
    invalidArgument('inputs.shape', data.inputs.shape, 'rank >= 1 (axis 0 is the example)');
  const check = (name: string, size: number | undefined) => {
    if (size !== undefined && size !== n) {
      throw new SeqmodelError(`${name}: expected ${n} examples (as in inputs), received ${size}`);
    }
  };
  check('targets', data.targets?.shape[0]);
  check('mask', data.mask?.shape[0]);
  check('lengths', data.lengths?.length);
  check('sampleWeights', data.sampleWeights?.shape[0]);
  return n;
}

/** The examples `indices` of `data`, as a batch. */
export function selectExamples(data: SequenceData, indices: ArrayLike<number>): SequenceBatch {
  const idx = Int32Array.from(indices);
  const pick = <A extends DataArray>(x: TensorData<A> | undefined) => (x ? gatherRows(x, idx) : undefined);
  return {
    inputs: gatherRows(data.inputs, idx),
    ...(data.targets && { targets: pick(data.targets)! }),
    ...(data.mask && { mask: pick(data.mask)! }),
    ...(data.lengths && { lengths: Int32Array.from(idx, (i) => data.lengths![i]!) }),
    ...(data.sampleWeights && { sampleWeights: pick(data.sampleWeights)! }),
    indices: idx,
  };
}

/** `[0, n)` in a seeded random order (Fisher–Yates with core's RNG). */
export function shuffledIndices(n: number, seed: number | string = 0, epoch = 0): Int32Array {
  checkNonNegativeInteger('n', n);
  checkSeed('seed', seed);
  checkNonNegativeInteger('epoch', epoch);
  const order = Array.from({ length: n }, (_, i) => i);
  createRng(seed).fork(`epoch:${epoch}`).shuffle(order);
  return Int32Array.from(order);
}

/** `[0, n)` in order, or shuffled by `seed` and `epoch` when `shuffle` is set (the order every batcher starts from). */
export function exampleOrder(
  n: number,
  options: { shuffle?: boolean; seed?: number | string; epoch?: number },
): Int32Array {
  const { shuffle, seed, epoch } = shuffleOptions(options);
  return shuffle ? shuffledIndices(n, seed, epoch) : Int32Array.from({ length: n }, (_, i) => i);
}

/** Groups `order` into batches of `batchSize` indices. */
export function chunkIndices(
  order: ArrayLike<number>,
  batchSize: number,
  dropRemainder = false,
): Int32Array[] {
  checkArrayLike('order', order, 'an array of example indices');
  checkPositiveInteger('batchSize', batchSize);
  flag('dropRemainder', dropRemainder, false);
  const out: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(start + batchSize, order.length);
    if (dropRemainder && end - start < batchSize) break;
    out.push(Int32Array.from({ length: end - start }, (_, i) => order[start + i]!));
  }
  return out;
}

/**
 * Cuts `data` into batches, in order or shuffled with a seed. Like a PyTorch `DataLoader` over an in-memory
 * data set: iterate it once per epoch, passing the epoch number so that each epoch is shuffled differently.
 */
export function* batches(data: SequenceData, options: BatchOptions): Generator<SequenceBatch> {
  checkOptions('batches(options)', options, batchOptionKeys);
  checkPositiveInteger('batchSize', options?.batchSize);
  const order = exampleOrder(numExamples(data), options);
  for (const idx of chunkIndices(order, options.batchSize, options.dropRemainder)) {
    yield selectExamples(data, idx);
  }
}

/** How many batches `batches(data, options)` yields. */
export function numBatches(numExamples: number, batchSize: number, dropRemainder = false): number {
  checkNonNegativeInteger('numExamples', numExamples);
  checkPositiveInteger('batchSize', batchSize);
  flag('dropRemainder', dropRemainder, false);
  return dropRemainder ? Math.floor(numExamples / batchSize) : Math.ceil(numExamples / batchSize);
}
