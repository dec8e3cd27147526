/**
 * Precision and recall, as Keras 3's `Precision` and `Recall`: the weighted true positives, false positives and false
 * negatives accumulated over the batches (on the host, in float64), and `tp / (tp + fp)` or `tp / (tp + fn)` (0 when
 * nothing was counted). A prediction is positive when greater than `thresholds` (0.5, compared in float32), a label
 * when nonzero; every entry of the predictions is a sample, weighted by its row's sample weight and mask (or by a
 * sample weight of the predictions' shape). With `topK`, only the k largest predictions of each row (ties to the
 * lower index, as `tf.math.top_k`) can be positive, the others set to Keras' `NEG_INF` (−1e10), which is also the
 * threshold unless one is given; with `classId`, only that class (the last axis' entry) counts. Rows are as Keras
 * sees them after matching the predictions' rank to the labels': `[n]` predictions with `[n]` labels are one row
 * (top k of the whole vector), with `[n, 1]` labels n rows of one.
 */
import {
  type Backend,
  checkNumberInRange,
  checkPositiveInteger,
  formatShape,
  invalidArgument,
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

/** Keras' `NEG_INF` (`metrics_utils.py`): what its top-k filter puts in place of the predictions it drops. */
const NEG_INF = Math.fround(-1e10);

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
    // Keras compares in float32.
    this.thresholds = Math.fround(
      options.thresholds === undefined
        ? this.topK === undefined
          ? 0.5
          : NEG_INF
        : checkNumberInRange(`${this.name} thresholds`, options.thresholds, 0, 1),
    );
    const classId = options.classId;
    if (classId !== undefined && !(Number.isSafeInteger(classId) && classId >= 0)) {
      invalidArgument(`${this.name} classId`, classId, 'an integer >= 0 (an index into the classes)');
    }
    this.classId = classId;
  }

  updateState<T>(backend: Backend<T>, yTrue: T, yPred: T, weighting: LossWeighting<T> = {}): void {
    const { labels, predictions, weights, kerasShape } = readBatch(
      backend,
      this.name,
      yTrue,
      yPred,
      weighting,
    );
    // Rows as Keras sees them: the last axis of the predictions matched to the labels' rank.
    const group = kerasShape.at(-1)!;
    if (this.classId !== undefined) {
      if (kerasShape.length < 2) {
        throw new SeqmodelError(
          `${this.name} classId: predictions ${formatShape(kerasShape)} have no class axis; expected [samples, classes] (or more axes) with classId`,
        );
      }
      if (this.classId >= group) {
        throw new SeqmodelError(
          `${this.name} classId: ${this.classId} is not a class of predictions ${formatShape(kerasShape)} (expected an index below ${group})`,
        );
      }
    }
    const kept = this.topK === undefined ? undefined : topKMask(predictions, group, this.topK);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < predictions.length; i++) {
      if (this.classId !== undefined && i % group !== this.classId) continue;
      const weight = weights === undefined ? 1 : weights[i]!;
      // Outside the top k, Keras sets the prediction to NEG_INF. (The predictions were read back as float32.)
      const value = kept === undefined || kept[i] === 1 ? predictions[i]! : NEG_INF;
      const positive = value > this.thresholds;
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
