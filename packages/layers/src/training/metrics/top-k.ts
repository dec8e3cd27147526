/**
 * Top-k accuracy, as Keras 3's `TopKCategoricalAccuracy` and `SparseTopKCategoricalAccuracy` (k = 5 by default): a
 * sample counts when its label's prediction is among the k largest of its row, that is when fewer than k classes
 * have a larger prediction (classes tied with it at the boundary all count as in the top k, as Keras' `in_top_k` does on its JAX and PyTorch
 * backends; TensorFlow's counts no row holding a non-finite value).
 * A NaN prediction for the label counts as the smallest.
 */
import { type Backend, checkPositiveInteger, formatShape, SeqmodelError, shapesEqual } from '@seqmodel/core';
import { sparseLabels } from '../losses/crossentropy.js';
import { checkMetricOptions, MeanMetric } from './metric.js';

export interface TopKAccuracyOptions {
  readonly name?: string;
  /** How many of the largest predictions count (default 5). */
  readonly k?: number;
}

/** 1 where the prediction for class `labels` (int ids, one per row) is in its row's top `k`, else 0. */
function inTopK<T>(backend: Backend<T>, labels: T, yPred: T, k: number): T {
  const classes = backend.shape(yPred).at(-1)!;
  const axis = backend.shape(yPred).length - 1;
  // The label's prediction, read with `where` so that an infinity elsewhere in the row does not make it NaN.
  const read = backend.sum(backend.where(backend.oneHot(labels, classes), yPred, 0), axis, true);
  const atLabel = backend.where(backend.equal(read, read), read, -Infinity);
  return backend.greater(k, backend.sum(backend.greater(yPred, atLabel), axis));
}

function checkK(metric: string, k: number | undefined): number {
  return checkPositiveInteger(`${metric} k`, k ?? 5);
}

/** Top-k accuracy for one-hot (or any) labels of the predictions' shape: the label is the argmax of `yTrue`. */
export class TopKCategoricalAccuracy extends MeanMetric {
  readonly k: number;

  constructor(options: TopKAccuracyOptions = {}) {
    super(checkMetricOptions('topKCategoricalAccuracy', options, ['k']).name ?? 'topKCategoricalAccuracy');
    this.k = checkK(this.name, options.k);
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const pred = backend.shape(yPred);
    const labels = backend.shape(yTrue);
    if (pred.length < 2 || !shapesEqual(pred, labels)) {
      throw new SeqmodelError(
        `${this.name}: labels shape ${formatShape(labels)} does not fit predictions ${formatShape(pred)}: expected ${formatShape(pred)} of one-hot rows (class ids need sparseTopKCategoricalAccuracy)`,
      );
    }
    return inTopK(backend, backend.argMax(yTrue, pred.length - 1), yPred, this.k);
  }
}

/** Top-k accuracy for int class-id labels (the predictions' shape without the last axis, or with a last axis of 1). */
export class SparseTopKCategoricalAccuracy extends MeanMetric {
  readonly k: number;

  constructor(options: TopKAccuracyOptions = {}) {
    super(
      checkMetricOptions('sparseTopKCategoricalAccuracy', options, ['k']).name ??
        'sparseTopKCategoricalAccuracy',
    );
    this.k = checkK(this.name, options.k);
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return inTopK(
      backend,
      sparseLabels(backend, this.name, yTrue, yPred, 'topKCategoricalAccuracy'),
      yPred,
      this.k,
    );
  }
}

export function topKCategoricalAccuracy(options?: TopKAccuracyOptions): TopKCategoricalAccuracy {
  return new TopKCategoricalAccuracy(options);
}

export function sparseTopKCategoricalAccuracy(options?: TopKAccuracyOptions): SparseTopKCategoricalAccuracy {
  return new SparseTopKCategoricalAccuracy(options);
}
