/**
 * Precision and recall, as Keras 3's `Precision` and `Recall`: the weighted true positives, false positives and false
 * negatives accumulated over the batches (on the host, in float64), and `tp / (tp + fp)` or `tp / (tp + fn)` (0 when
 * nothing was counted). A prediction is positive when greater than `thresholds` (0.5), a label when nonzero; every
 * entry of the predictions is a sample, weighted by its row's sample weight and mask. With `topK`, only the k largest
 * predictions of each row (ties to the lower index, as `tf.math.top_k`) can be positive, and the threshold is −∞
 * unless given; with `classId`, only that class (the last axis' entry) counts. One prediction per sample may come as
 * `[n]`; `topK` then ranks the whole vector, as in Keras.
 */
import {
  type Backend,
  checkNumberInRange,
  checkPositiveInteger,
  formatShape,
  SeqmodelError,
} from '@seqmodel/core';
import type { LossWeighting } from '../losses/loss.js';
import { readBatch } from './confusion.js';
import { checkMetricOptions, Metric } from './metric.js';

export interface PrecisionRecallOptions {
  readonly name?: string;
  /**
   * A prediction above it is positive: default 0.5, or −∞ with `topK`. One number: Keras' list of thresholds (a
   * result per threshold) has no single value to report.
   */
  readonly thresholds?: number;
  /** Only the k largest predictions of each row may be positive. */
  readonly topK?: number;
  /** Only this class (an index into the predictions' last axis) counts. */
  readonly classId?: number;
}

abstract class ConfusionMetric extends Metric {
  readonly thresholds: number;
  readonly topK: number | undefined;
  readonly classId: number | undefined;
  protected tp = 0;
  protected fp = 0;
  protected fn = 0;

  constructor(factory: string, options: PrecisionRecallOptions) {
    super(checkMetricOptions(factory, options, ['thresholds', 'topK', 'classId']).name ?? factory);
    if (Array.isArray(options.thresholds)) {
      throw new SeqmodelError(
        `${this.name} thresholds: expected one number in [0, 1], received an array (Keras' list of thresholds reports a result per threshold; make one metric per threshold)`,
      );
    }
    this.topK =
      options.topK === undefined ? undefined : checkPositiveInteger(`${this.name} topK`, options.topK);
    this.thresholds =
      options.thresholds === undefined
        ? this.topK === undefined
          ? 0.5
          : Number.NEGATIVE_INFINITY
        : checkNumberInRange(`${this.name} thresholds`, options.thresholds, 0, 1);
    this.classId =
      options.classId === undefined
        ? undefined
        : checkNumberInRange(`${this.name} classId`, options.classId, 0, Number.MAX_SAFE_INTEGER);
    if (this.classId !== undefined && !Number.isInteger(this.classId)) {
      throw new SeqmodelError(`${this.name} classId: expected an integer >= 0, received ${this.classId}`);
    }
  }

  updateState<T>(backend: Backend<T>, yTrue: T, yPred: T, weighting: LossWeighting<T> = {}): void {
    const { labels, predictions, rowWeights, width, shape } = readBatch(
      backend,
      this.name,
      yTrue,
      yPred,
      weighting,
    );
    if (this.classId !== undefined && this.classId >= width) {
      throw new SeqmodelError(
        `${this.name} classId: ${this.classId} is not a class of predictions ${formatShape(shape)} (expected an index below ${width})`,
      );
    }
    // The entries top-k ranks together: a row, or the whole vector for predictions given as [n].
    const group = shape.length === 1 ? predictions.length : width;
    const kept = this.topK === undefined ? undefined : topKMask(predictions, group, this.topK);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < predictions.length; i++) {
      if (this.classId !== undefined && i % width !== this.classId) continue;
      const weight = rowWeights === undefined ? 1 : rowWeights[Math.floor(i / width)]!;
      const positive = (kept === undefined || kept[i] === 1) && predictions[i]! > this.thresholds;
      if (labels[i] !== 0) {
        if (positive) tp += weight;
        else fn += weight;
      } else if (positive) fp += weight;
    }
    this.tp += tp;
    this.fp += fp;
    this.fn += fn;
  }

  resetState(): void {
    this.tp = 0;
    this.fp = 0;
    this.fn = 0;
  }
}

/** 1 for the `k` largest values of each group of `size` consecutive entries (ties to the lower index), else 0. */
function topKMask(values: Float64Array, size: number, k: number): Uint8Array {
  const mask = new Uint8Array(values.length);
  const order: number[] = [];
  for (let start = 0; start < values.length; start += size) {
    order.length = 0;
    for (let j = 0; j < size; j++) order.push(j);
    // NaN ranks last; equal values keep their index order (sort is stable).
    order.sort((a, b) => rank(values[start + b]!) - rank(values[start + a]!));
    for (let j = 0; j < Math.min(k, size); j++) mask[start + order[j]!] = 1;
  }
  return mask;
}

function rank(v: number): number {
  return Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v;
}

/** The fraction of positive predictions that are right: tp / (tp + fp). */
export class Precision extends ConfusionMetric {
  constructor(options: PrecisionRecallOptions = {}) {
    super('precision', options);
  }

  result(): number {
    return this.tp + this.fp === 0 ? 0 : this.tp / (this.tp + this.fp);
  }
}

/** The fraction of positive labels predicted positive: tp / (tp + fn). */
export class Recall extends ConfusionMetric {
  constructor(options: PrecisionRecallOptions = {}) {
    super('recall', options);
  }

  result(): number {
    return this.tp + this.fn === 0 ? 0 : this.tp / (this.tp + this.fn);
  }
}

export function precision(options?: PrecisionRecallOptions): Precision {
  return new Precision(options);
}

export function recall(options?: PrecisionRecallOptions): Recall {
  return new Recall(options);
}
