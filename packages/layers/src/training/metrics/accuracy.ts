/**
 * Accuracy metrics: binary (a threshold on each entry), categorical (argmax of one-hot labels against argmax of the
 * predictions) and sparse categorical (class ids against the argmax), and `accuracy`, which picks one from the
 * shapes of the first batch as Keras' `'accuracy'` string does.
 */
import {
  type Backend,
  checkNumberInRange,
  formatShape,
  mean,
  SeqmodelError,
  shapesEqual,
} from '@seqmodel/core';
import { sparseLabels } from '../losses/crossentropy.js';
import type { LossWeighting } from '../losses/loss.js';
import { sameShapeLabels } from '../losses/loss.js';
import { checkMetricOptions, MeanMetric, Metric } from './metric.js';

export interface BinaryAccuracyOptions {
  readonly name?: string;
  /** Predictions above it count as 1 (default 0.5; use 0 for logits). */
  readonly threshold?: number;
}

/** mean(yTrue == (yPred > threshold)) over the last axis. */
export class BinaryAccuracy extends MeanMetric {
  readonly threshold: number;

  constructor(options: BinaryAccuracyOptions = {}) {
    super(checkMetricOptions('binaryAccuracy', options, ['threshold']).name ?? 'binaryAccuracy');
    this.threshold = options.threshold ?? 0.5;
    if (typeof this.threshold !== 'number' || !Number.isFinite(this.threshold)) {
      throw new SeqmodelError(
        `${this.name} threshold: expected a finite number, received ${String(options.threshold)}`,
      );
    }
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const labels = sameShapeLabels(backend, this.name, yTrue, yPred);
    return mean(backend, backend.equal(labels, backend.greater(yPred, this.threshold)), -1);
  }
}

/** argmax(yTrue) == argmax(yPred) along the last axis, for one-hot labels of the predictions' shape. */
export class CategoricalAccuracy extends MeanMetric {
  constructor(options: { readonly name?: string } = {}) {
    super(checkMetricOptions('categoricalAccuracy', options).name ?? 'categoricalAccuracy');
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const pred = backend.shape(yPred);
    const labels = backend.shape(yTrue);
    if (!shapesEqual(pred, labels)) {
      throw new SeqmodelError(
        `${this.name}: labels shape ${formatShape(labels)} does not fit predictions ${formatShape(pred)}: expected ${formatShape(pred)} of one-hot rows`,
      );
    }
    const axis = pred.length - 1;
    return backend.equal(backend.argMax(yTrue, axis), backend.argMax(yPred, axis));
  }
}

/** labels == argmax(yPred) along the last axis, for class-id labels. */
export class SparseCategoricalAccuracy extends MeanMetric {
  constructor(options: { readonly name?: string } = {}) {
    super(checkMetricOptions('sparseCategoricalAccuracy', options).name ?? 'sparseCategoricalAccuracy');
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const labels = sparseLabels(backend, this.name, yTrue, yPred, 'categoricalAccuracy');
    return backend.equal(labels, backend.argMax(yPred, backend.shape(yPred).length - 1));
  }
}

/** Which accuracy fits labels of `labels` shape for predictions of `pred` shape (Keras' rule for `'accuracy'`). */
export function accuracyKind(
  labels: readonly number[],
  pred: readonly number[],
): 'binary' | 'categorical' | 'sparse' {
  if (pred[pred.length - 1] === 1) return 'binary';
  if (labels.length < pred.length) return 'sparse';
  if (labels.length === pred.length && labels[labels.length - 1] === 1) return 'sparse';
  return 'categorical';
}

/**
 * Accuracy of the kind the first batch's shapes call for: binary when the predictions' last axis is 1, sparse when
 * the labels are class ids (one axis fewer, or a last axis of 1), categorical otherwise.
 */
export class Accuracy extends Metric {
  private inner: MeanMetric | undefined;
  readonly threshold: number;

  constructor(options: BinaryAccuracyOptions = {}) {
    super(checkMetricOptions('accuracy', options, ['threshold']).name ?? 'accuracy');
    this.threshold = checkNumberInRange(
      `${this.name} threshold`,
      options.threshold ?? 0.5,
      -Number.MAX_VALUE,
      Number.MAX_VALUE,
    );
  }

  /** The metric chosen from the first batch (undefined before it). */
  get resolved(): MeanMetric | undefined {
    return this.inner;
  }

  updateState<T>(backend: Backend<T>, yTrue: T, yPred: T, weighting?: LossWeighting<T>): void {
    if (this.inner === undefined) {
      const kind = accuracyKind(backend.shape(yTrue), backend.shape(yPred));
      this.inner =
        kind === 'binary'
          ? new BinaryAccuracy({ name: this.name, threshold: this.threshold })
          : kind === 'sparse'
            ? new SparseCategoricalAccuracy({ name: this.name })
            : new CategoricalAccuracy({ name: this.name });
    }
    this.inner.updateState(backend, yTrue, yPred, weighting);
  }

  result(): number {
    return this.inner?.result() ?? 0;
  }

  resetState(): void {
    this.inner?.resetState();
  }
}

export function binaryAccuracy(options?: BinaryAccuracyOptions): BinaryAccuracy {
  return new BinaryAccuracy(options);
}

export function categoricalAccuracy(options?: { readonly name?: string }): CategoricalAccuracy {
  return new CategoricalAccuracy(options);
}

export function sparseCategoricalAccuracy(options?: { readonly name?: string }): SparseCategoricalAccuracy {
  return new SparseCategoricalAccuracy(options);
}

export function accuracy(options?: BinaryAccuracyOptions): Accuracy {
  return new Accuracy(options);
}
