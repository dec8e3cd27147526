/**
 * Bucketing by length: batch sequences of similar length together so that little of each padded batch is
 * padding. With `boundaries` it works like tf.data's `bucket_by_sequence_length`; without, it sorts by length
 * (ties in seeded random order) and cuts the sorted list into batches. Either way the batch order is shuffled when
 * `shuffle` is set.
 */
import { checkOptions, checkPositiveInteger, createRng, invalidArgument, optionKeys } from '@seqmodel/core';
import { chunkIndices, exampleOrder } from '../batch.js';
import { checkArrayLike, flag, shuffleOptions } from '../checks.js';

export interface BucketOptions {
  batchSize: number;
  /**
   * Ascending length boundaries: bucket 0 holds lengths `< boundaries[0]`, bucket i lengths in
   * `[boundaries[i−1], boundaries[i])`, the last bucket the rest. Default: sort by length.
   */
  boundaries?: readonly number[];
  /** Shuffles examples within buckets and the order of the batches (default false). */
  shuffle?: boolean;
  seed?: number | string;
  epoch?: number;
  /** Leaves out each bucket's last batch when it is smaller than `batchSize` (default false). */
  dropRemainder?: boolean;
}

const bucketKeys = optionKeys<BucketOptions>({
  batchSize: true,
  boundaries: true,
  shuffle: true,
  seed: true,
  epoch: true,
  dropRemainder: true,
});

/** Batches of example indices grouped by length. */
export function bucketByLength(lengths: ArrayLike<number>, options: BucketOptions): Int32Array[] {
  checkOptions('bucketByLength(options)', options, bucketKeys);
  const batchSize = checkPositiveInteger('batchSize', options?.batchSize);
  checkArrayLike('lengths', lengths, 'an array of sequence lengths');
  const dropRemainder = flag('dropRemainder', options.dropRemainder, false);
  const { shuffle, seed, epoch } = shuffleOptions(options);
  const n = lengths.length;
  for (let i = 0; i < n; i++) {
    const v = lengths[i]!;
    if (!Number.isInteger(v) || v < 0) invalidArgument(`lengths[${i}]`, v, 'a non-negative integer');
  }
  const order = Array.from(exampleOrder(n, options));
  let batches: Int32Array[];
  const boundaries = options.boundaries;
  if (boundaries !== undefined && boundaries !== null) {
    if (!Array.isArray(boundaries)) {
      invalidArgument('boundaries', boundaries, 'an array of strictly ascending positive integers');
    }
    boundaries.forEach((b, i) => {
      if (!Number.isInteger(b) || b < 1 || (i > 0 && b <= boundaries[i - 1]!)) {
        invalidArgument(`boundaries[${i}]`, b, 'strictly ascending positive integers');
      }
    });
    const buckets: number[][] = Array.from({ length: boundaries.length + 1 }, () => []);
    for (const i of order) {
      let b = 0;
      while (b < boundaries.length && lengths[i]! >= boundaries[b]!) b++;
      buckets[b]!.push(i);
    }
    batches = buckets.flatMap((bucket) => chunkIndices(bucket, batchSize, dropRemainder));
  } else {
    // Array.prototype.sort is stable, so equal lengths keep the (possibly shuffled) order.
    order.sort((a, b) => lengths[a]! - lengths[b]!);
    batches = chunkIndices(order, batchSize, dropRemainder);
  }
  if (shuffle) createRng(seed).fork(`buckets:${epoch}`).shuffle(batches);
  return batches;
}

/**
 * Fraction of the cells of padded batches that are padding, when each batch is padded to its longest sequence:
 * `1 − Σ lengths / Σ_batches (batch size · longest)`.
 */
export function paddingFraction(lengths: ArrayLike<number>, batches: readonly ArrayLike<number>[]): number {
  checkArrayLike('lengths', lengths, 'an array of sequence lengths');
  checkArrayLike('batches', batches, 'an array of batches of example indices');
  let real = 0;
  let cells = 0;
  for (const batch of batches) {
    let longest = 0;
    for (let j = 0; j < batch.length; j++) {
      const len = lengths[batch[j]!]!;
      real += len;
      longest = Math.max(longest, len);
    }
    cells += longest * batch.length;
  }
  return cells === 0 ? 0 : 1 - real / cells;
}
