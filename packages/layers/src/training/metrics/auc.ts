/**
 * The area under the ROC or precision-recall curve, as Keras 3's `AUC`: predictions in [0, 1] (probabilities, or
 * logits with `fromLogits`) are compared with a grid of thresholds, the weighted true and false positives and
 * negatives at each threshold are accumulated over the batches, and `result` sums the curve through those points.
 *
 * The thresholds are Keras': `numThresholds` (200) evenly spaced, the first just below 0 and the last just above 1
 * (`−1e-7` and `1 + 1e-7`), or `[−1e-7, ...thresholds, 1 + 1e-7]` when given. A prediction counts as positive at a
 * threshold it is greater than; with evenly spaced thresholds (the default) the predictions are first clipped into
 * [0, 1] and bucketed as Keras does (`ceil(p · (n − 1)) − 1` in float32), so values outside [0, 1] count as 0 or 1.
 * Labels are in [0, 1], and any nonzero label is a positive. Every entry of the predictions is a sample, weighted by its row's sample
 * weight and mask; with `multiLabel` the last axis holds separate labels, each with its own curve, and the result is
 * the mean of their areas. The counts are accumulated on the host in float64.
 *
 * Summation: `'interpolation'` (the default) takes trapezoids for ROC and, for PR, Davis & Goadrich's interpolation of
 * precision between the thresholds (as Keras); `'minoring'` and `'majoring'` take the lower or higher end of each step.
 */
import {
  type Backend,
  checkBoolean,
  checkOneOf,
  checkPositiveInteger,
  formatShape,
  SeqmodelError,
} from '@seqmodel/core';
import type { LossWeighting } from '../losses/loss.js';
import { readBatch } from './confusion.js';
import { checkMetricOptions, Metric } from './metric.js';

export type AucCurve = 'ROC' | 'PR';
export type AucSummation = 'interpolation' | 'minoring' | 'majoring';

export interface AucOptions {
  readonly name?: string;
  /** How many evenly spaced thresholds (default 200, at least 2); ignored when `thresholds` is given. */
  readonly numThresholds?: number;
  /** `'ROC'` (default) or `'PR'` (precision against recall). */
  readonly curve?: AucCurve;
  readonly summationMethod?: AucSummation;
  /** Thresholds in [0, 1] to use instead of the evenly spaced ones (−1e-7 and 1 + 1e-7 are added). */
  readonly thresholds?: readonly number[];
  /** Treat the last axis as separate labels, each with its own curve, and report the mean area (default false). */
  readonly multiLabel?: boolean;
  /** The predictions are logits: a sigmoid turns them into probabilities first (default false). */
  readonly fromLogits?: boolean;
}

const EPSILON = 1e-7;

/** Keras' thresholds: the given ones, or `count − 2` evenly spaced in (0, 1), between −ε and 1 + ε; float32 values. */
function thresholdGrid(name: string, options: AucOptions): number[] {
  let inner: number[];
  if (options.thresholds !== undefined) {
    const given = options.thresholds;
    if (!Array.isArray(given) || given.some((t) => typeof t !== 'number' || !(t >= 0 && t <= 1))) {
      throw new SeqmodelError(
        `${name} thresholds: expected an array of numbers in [0, 1], received ${JSON.stringify(given)}`,
      );
    }
    // Sorted, as Keras sorts them.
    inner = [...given].sort((a, b) => a - b);
  } else {
    const count = options.numThresholds ?? 200;
    if (checkPositiveInteger(`${name} numThresholds`, count) < 2) {
      throw new SeqmodelError(`${name} numThresholds: expected an integer >= 2, received ${count}`);
    }
    inner = Array.from({ length: count - 2 }, (_, i) => (i + 1) / (count - 1));
  }
  return [0 - EPSILON, ...inner, 1 + EPSILON].map(Math.fround);
}

/** Keras' `is_evenly_distributed_thresholds`: at least 3, each within numpy's `allclose` of `i / (n − 1)`. */
function evenlySpaced(values: readonly number[]): boolean {
  const n = values.length;
  return n >= 3 && values.every((v, i) => Math.abs(v - i / (n - 1)) <= EPSILON + 1e-5 * (i / (n - 1)));
}

/** How many of the ascending `thresholds` `p` is greater than. */
function bucketOf(p: number, thresholds: readonly number[]): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p > thresholds[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Weighted true/false positives and negatives per threshold of one curve. */
interface Confusion {
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly tn: Float64Array;
  readonly fn: Float64Array;
}

export class AUC extends Metric {
  readonly curve: AucCurve;
  readonly summationMethod: AucSummation;
  readonly multiLabel: boolean;
  readonly fromLogits: boolean;
  /** The thresholds, ascending, with −1e-7 first and 1 + 1e-7 last. */
  readonly thresholds: readonly number[];
  /** Whether the thresholds are evenly spaced: Keras then clips the predictions and buckets them by arithmetic. */
  private readonly evenlySpaced: boolean;
  /** Weight of positives (p) and negatives (n) per label and bucket (how many thresholds the prediction exceeds). */
  private positives: Float64Array[] = [];
  private negatives: Float64Array[] = [];

  constructor(options: AucOptions = {}) {
    const checked = checkMetricOptions('auc', options, [
      'numThresholds',
      'curve',
      'summationMethod',
      'thresholds',
      'multiLabel',
      'fromLogits',
    ]);
    super(checked.name ?? 'auc');
    this.curve = checkOneOf(`${this.name} curve`, options.curve ?? 'ROC', ['ROC', 'PR']);
    this.summationMethod = checkOneOf(
      `${this.name} summationMethod`,
      options.summationMethod ?? 'interpolation',
      ['interpolation', 'minoring', 'majoring'],
    );
    this.multiLabel = checkBoolean(`${this.name} multiLabel`, options.multiLabel ?? false);
    this.fromLogits = checkBoolean(`${this.name} fromLogits`, options.fromLogits ?? false);
    this.thresholds = thresholdGrid(this.name, options);
    this.evenlySpaced =
      options.thresholds === undefined || evenlySpaced([0, ...this.thresholds.slice(1, -1), 1]);
  }

  updateState<T>(backend: Backend<T>, yTrue: T, yPred: T, weighting: LossWeighting<T> = {}): void {
    const { labels, predictions, weights, width, shape } = readBatch(
      backend,
      this.name,
      yTrue,
      yPred,
      weighting,
    );
    const curves = this.multiLabel ? width : 1;
    if (this.positives.length > 0 && this.positives.length !== curves) {
      throw new SeqmodelError(
        `${this.name}: predictions ${formatShape(shape)} have ${width} labels, but earlier batches had ${this.positives.length} (multiLabel keeps one curve per label)`,
      );
    }
    if (this.positives.length === 0) {
      const buckets = this.thresholds.length + 1;
      this.positives = Array.from({ length: curves }, () => new Float64Array(buckets));
      this.negatives = Array.from({ length: curves }, () => new Float64Array(buckets));
    }
    const n = this.thresholds.length;
    for (let i = 0; i < predictions.length; i++) {
      const weight = weights === undefined ? 1 : weights[i]!;
      if (weight === 0) continue;
      const p = Math.fround(this.fromLogits ? 1 / (1 + Math.exp(-predictions[i]!)) : predictions[i]!);
      // How many thresholds the prediction exceeds. Evenly spaced: Keras' bucket `ceil(p · (n − 1)) − 1` (at least 0:
      // every clipped prediction exceeds −ε) of the prediction clipped into [0, 1], in float32.
      const bucket = this.evenlySpaced
        ? Math.max(Math.ceil(Math.fround(Math.min(Math.max(p, 0), 1) * (n - 1))) - 1, 0) + 1
        : bucketOf(p, this.thresholds);
      const curve = this.multiLabel ? i % width : 0;
      // Keras casts the labels to bool: any nonzero label is a positive.
      if (labels[i] !== 0) this.positives[curve]![bucket]! += weight;
      else this.negatives[curve]![bucket]! += weight;
    }
  }

  /** The confusion counts per threshold of each curve (one, or one per label with `multiLabel`). */
  confusion(): Confusion[] {
    const n = this.thresholds.length;
    return this.positives.map((pos, c) => {
      const neg = this.negatives[c]!;
      const tp = new Float64Array(n);
      const fp = new Float64Array(n);
      const tn = new Float64Array(n);
      const fn = new Float64Array(n);
      // A prediction in bucket b exceeds thresholds 0..b−1: positive there, negative from threshold b on.
      let above = 0;
      let aboveNeg = 0;
      for (let t = n - 1; t >= 0; t--) {
        above += pos[t + 1]!;
        aboveNeg += neg[t + 1]!;
        tp[t] = above;
        fp[t] = aboveNeg;
      }
      const totalPos = pos.reduce((a, v) => a + v, 0);
      const totalNeg = neg.reduce((a, v) => a + v, 0);
      for (let t = 0; t < n; t++) {
        fn[t] = totalPos - tp[t]!;
        tn[t] = totalNeg - fp[t]!;
      }
      return { tp, fp, tn, fn };
    });
  }

  result(): number {
    if (this.positives.length === 0) return 0;
    // Clamped into [0, 1]: rounding in the float64 sums can land a perfect curve at 1 + 2e-16.
    const areas = this.confusion().map((c) => Math.min(Math.max(this.area(c), 0), 1));
    return areas.reduce((a, v) => a + v, 0) / areas.length;
  }

  private area({ tp, fp, tn, fn }: Confusion): number {
    const n = tp.length;
    const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
    if (this.curve === 'PR' && this.summationMethod === 'interpolation') {
      // Davis & Goadrich (2006): precision interpolated between thresholds along the true positives.
      let sum = 0;
      for (let i = 0; i < n - 1; i++) {
        const dtp = tp[i]! - tp[i + 1]!;
        const p0 = tp[i]! + fp[i]!;
        const p1 = tp[i + 1]! + fp[i + 1]!;
        const slope = ratio(dtp, Math.max(p0 - p1, 0));
        const intercept = tp[i + 1]! - slope * p1;
        const pRatio = p0 > 0 && p1 > 0 ? ratio(p0, Math.max(p1, 0)) : 1;
        sum += ratio(slope * (dtp + intercept * Math.log(pRatio)), Math.max(tp[i + 1]! + fn[i + 1]!, 0));
      }
      return sum;
    }
    const recall = (i: number) => ratio(tp[i]!, tp[i]! + fn[i]!);
    const x = (i: number) => (this.curve === 'ROC' ? ratio(fp[i]!, fp[i]! + tn[i]!) : recall(i));
    const y = (i: number) => (this.curve === 'ROC' ? recall(i) : ratio(tp[i]!, tp[i]! + fp[i]!));
    let sum = 0;
    for (let i = 0; i < n - 1; i++) {
      const height =
        this.summationMethod === 'interpolation'
          ? (y(i) + y(i + 1)) / 2
          : this.summationMethod === 'minoring'
            ? Math.min(y(i), y(i + 1))
            : Math.max(y(i), y(i + 1));
      sum += (x(i) - x(i + 1)) * height;
    }
    return sum;
  }

  resetState(): void {
    this.positives = [];
    this.negatives = [];
  }
}

/** The area under the ROC (or PR) curve (`'auc'`). */
export function auc(options?: AucOptions): AUC {
  return new AUC(options);
}
