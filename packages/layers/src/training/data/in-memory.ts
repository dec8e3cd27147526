/**
 * In-memory data (Keras' array data adapter): `fit(x, y, options)`'s tensors, `{ data, shape }` host arrays or nested
 * arrays of numbers, one per model input / output, with optional per-input `mask` or `lengths` and `sampleWeight`,
 * converted to tensors once and cut into batches by row (shuffled with a seed, or in order).
 */
import { type Backend, type Batch, checkPositiveInteger, SeqmodelError } from '@seqmodel/core';
import { sliceAxis } from '../../engine/tensor-utils.js';
import {
  ARGUMENT_LABELS,
  type Counts,
  type FieldLabels,
  type StepBatch,
  type StepBatchOptions,
  toStepBatch,
} from './batch.js';

/** In-memory data converted to tensors, cut into batches by row. */
export class InMemoryData<T> {
  private constructor(
    private readonly backend: Backend<T>,
    readonly xs: T[],
    readonly ys: T[],
    readonly masks: (T | undefined)[],
    readonly lengths: (number[] | undefined)[],
    private weights: T | undefined,
    readonly size: number,
    /** Tensors made from host arrays (freed by `dispose`). */
    private readonly owned: T[],
  ) {}

  /**
   * Converts `data` (core's batch contract: `fit`'s `x`, `y`, `mask`, `lengths` and `sampleWeight`, or a batch given
   * as validation data); errors name its fields by `labels` after `what`. `options`: see `toStepBatch`.
   */
  static from<T>(
    backend: Backend<T>,
    what: string,
    counts: Counts,
    data: Batch<unknown>,
    labels: FieldLabels = ARGUMENT_LABELS,
    options: StepBatchOptions = {},
  ): InMemoryData<T> {
    const b = toStepBatch<T>(backend, data, counts, what, labels, options);
    return new InMemoryData(backend, b.xs, b.ys, b.masks, b.lengths, b.sampleWeight, b.size, b.owned);
  }

  /** `[n]` or `[n, time]` sample weights, or undefined. */
  get sampleWeight(): T | undefined {
    return this.weights;
  }

  /** Replaces the sample weights with `weights` (a tensor made for this data set, which now owns it). */
  replaceSampleWeight(weights: T): void {
    if (this.weights !== undefined && this.owned.includes(this.weights)) {
      this.owned.splice(this.owned.indexOf(this.weights), 1);
      this.backend.dispose(this.weights);
    }
    this.weights = weights;
    this.owned.push(weights);
  }

  /** Rows [start, start + count) as a new data set (its tensors made here and owned by it). */
  rows(start: number, count: number): InMemoryData<T> {
    const owned: T[] = [];
    const b = this.backend;
    const take = (t: T) => {
      const part = sliceAxis(b, t, 0, start, count);
      owned.push(part);
      return part;
    };
    try {
      return new InMemoryData(
        b,
        this.xs.map(take),
        this.ys.map(take),
        this.masks.map((m) => (m === undefined ? undefined : take(m))),
        this.lengths.map((l) => l?.slice(start, start + count)),
        this.sampleWeight === undefined ? undefined : take(this.sampleWeight),
        count,
        owned,
      );
    } catch (error) {
      b.dispose(owned);
      throw error;
    }
  }

  /**
   * Splits off the last `fraction` of the rows for validation (Keras' `validationSplit`: before shuffling). Both
   * parts are new data sets; this one is unchanged.
   */
  split(fraction: number, what: string): { train: InMemoryData<T>; validation: InMemoryData<T> } {
    const at = Math.floor(this.size * (1 - fraction));
    if (at < 1 || at >= this.size) {
      throw new SeqmodelError(
        `${what} validationSplit: ${fraction} of ${this.size} samples leaves ${at} for training and ${this.size - at} for validation; both need at least 1`,
      );
    }
    const train = this.rows(0, at);
    try {
      return { train, validation: this.rows(at, this.size - at) };
    } catch (error) {
      train.dispose();
      throw error;
    }
  }

  /** Number of batches of `batchSize`. */
  numBatches(batchSize: number): number {
    return Math.ceil(this.size / batchSize);
  }

  /** Batches of `batchSize` rows in `order` (row indices; in order when omitted). */
  *batches(batchSize: number, order?: Int32Array): Generator<StepBatch<T>> {
    checkPositiveInteger('batchSize', batchSize);
    const b = this.backend;
    for (let start = 0; start < this.size; start += batchSize) {
      const count = Math.min(batchSize, this.size - start);
      if (order === undefined && start === 0 && count === this.size) {
        // One batch of everything: the tensors themselves.
        yield {
          xs: this.xs,
          ys: this.ys,
          masks: this.masks,
          lengths: this.lengths,
          sampleWeight: this.sampleWeight,
          size: count,
          owned: [],
        };
        continue;
      }
      const owned: T[] = [];
      let indices: T | undefined;
      let rows: number[] | undefined;
      if (order !== undefined) {
        rows = Array.from(order.subarray(start, start + count));
        indices = b.tensor(Int32Array.from(rows), [count], 'int32');
      }
      try {
        const take = (t: T) => {
          const part = indices !== undefined ? b.gather(t, indices, 0) : sliceAxis(b, t, 0, start, count);
          owned.push(part);
          return part;
        };
        const batch: StepBatch<T> = {
          xs: this.xs.map(take),
          ys: this.ys.map(take),
          masks: this.masks.map((m) => (m === undefined ? undefined : take(m))),
          lengths: this.lengths.map((l) =>
            l === undefined
              ? undefined
              : rows !== undefined
                ? rows.map((r) => l[r]!)
                : l.slice(start, start + count),
          ),
          sampleWeight: this.sampleWeight === undefined ? undefined : take(this.sampleWeight),
          size: count,
          owned,
        };
        yield batch;
      } catch (error) {
        b.dispose(owned);
        throw error;
      } finally {
        if (indices !== undefined) b.dispose(indices);
      }
    }
  }

  dispose(): void {
    this.backend.dispose(this.owned);
  }
}
