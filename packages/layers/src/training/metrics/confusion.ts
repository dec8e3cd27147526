/**
 * What the confusion-matrix metrics (AUC, precision, recall) read of a batch: labels, predictions and weights back on
 * the host in float64, checked. Every entry of the predictions is a sample (Keras flattens them). Weights come from
 * the mask and sample weights: one per row (`[batch]`, `[batch, time]`), broadcast along the last axis, or, as Keras
 * also takes them, one per entry (a sample weight of the predictions' shape).
 */
import { type Backend, formatShape, SeqmodelError, shapesEqual } from '@seqmodel/core';
import { combinedWeights, type LossWeighting, sameShapeLabels } from '../losses/loss.js';

export interface HostBatch {
  /** Labels in [0, 1], one per prediction. */
  readonly labels: Float64Array;
  readonly predictions: Float64Array;
  /** One weight per prediction; undefined for all ones. */
  readonly weights: Float64Array | undefined;
  /** Entries per row: the predictions' last axis (1 for predictions given as `[n]`). */
  readonly width: number;
  /** The predictions' shape as given. */
  readonly shape: readonly number[];
  /**
   * The predictions' shape after Keras' `squeeze_or_expand_to_same_rank` against the labels (what its `top_k` and
   * `class_id` see): `[n]` predictions with `[n, 1]` labels become `[n, 1]`, `[b, t, 1]` ones with `[b, t]` labels
   * `[b, t]`.
   */
  readonly kerasShape: readonly number[];
}

/** Keras' `squeeze_or_expand_to_same_rank(y_pred, y_true)`, on shapes: the predictions' shape it leaves. */
function alignedToLabels(pred: readonly number[], labels: readonly number[]): readonly number[] {
  if (pred.length === labels.length + 1 && pred.at(-1) === 1) {
    return labels.length === 1 ? pred : pred.slice(0, -1);
  }
  if (labels.length === pred.length + 1 && labels.at(-1) === 1 && pred.length === 1) return [...pred, 1];
  return pred;
}

/** Reads a batch for `metric` (its name in errors); labels outside [0, 1] are refused. */
export function readBatch<T>(
  backend: Backend<T>,
  metric: string,
  yTrue: T,
  yPred: T,
  weighting: LossWeighting<T>,
): HostBatch {
  const given = backend.shape(yPred);
  if (given.length === 0) {
    throw new SeqmodelError(
      `${metric}: predictions of shape [] (a scalar); expected one prediction per sample`,
    );
  }
  // One prediction per sample, `[n]`, is `[n, 1]`: Keras' `m.update_state([0, 1], [0.2, 0.7])`.
  const shape = given.length === 1 ? [given[0]!, 1] : given;
  const rows = shape.slice(0, -1);
  let labels = new Float64Array(0);
  let predictions = new Float64Array(0);
  let weights: Float64Array | undefined;
  // Read inside the tidy, which frees the float32 labels and the weights; returned through the closure.
  backend.tidy(() => {
    const pred = given.length === 1 ? backend.reshape(yPred, shape) : yPred;
    const y = sameShapeLabels(backend, metric, yTrue, pred);
    const sample = weighting.sampleWeight;
    if (sample !== undefined && given.length >= 2 && shapesEqual(backend.shape(sample), given)) {
      // One weight per entry, times the row's mask.
      const { weights: mask } = combinedWeights(backend, metric, rows, { mask: weighting.mask });
      const entry = backend.dtype(sample) === 'float32' ? sample : backend.cast(sample, 'float32');
      const combined = mask === undefined ? entry : backend.mul(entry, backend.reshape(mask, [...rows, 1]));
      weights = Float64Array.from(backend.dataSync(combined));
    } else {
      const { weights: perRow } = combinedWeights(backend, metric, rows, weighting);
      if (perRow !== undefined) {
        // `[...rows]` (a weight shaped to broadcast against the rows made whole), then along each row's entries.
        const whole = backend.mul(perRow, backend.fill(rows, 1));
        weights = Float64Array.from(
          backend.dataSync(backend.mul(backend.reshape(whole, [...rows, 1]), backend.fill(shape, 1))),
        );
      }
    }
    labels = Float64Array.from(backend.dataSync(y));
    predictions = Float64Array.from(backend.dataSync(pred));
  });
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i]! >= 0 && labels[i]! <= 1)) {
      throw new SeqmodelError(
        `${metric}: labels must lie in [0, 1], received ${labels[i]} at flat index ${i} of labels ${formatShape(backend.shape(yTrue))}`,
      );
    }
  }
  return {
    labels,
    predictions,
    weights,
    width: shape[shape.length - 1]!,
    shape: given,
    kerasShape: alignedToLabels(given, backend.shape(yTrue)),
  };
}
