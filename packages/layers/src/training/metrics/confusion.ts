/**
 * What the confusion-matrix metrics (AUC, precision, recall) read of a batch: labels, predictions and weights back on
 * the host in float64, checked. Every entry of the predictions is a sample (Keras flattens them), weighted by its
 * row's sample weight and mask; one prediction per sample may come as `[n]`.
 */
import { type Backend, formatShape, SeqmodelError } from '@seqmodel/core';
import { combinedWeights, type LossWeighting, sameShapeLabels } from '../losses/loss.js';

export interface HostBatch {
  /** Labels in [0, 1], one per prediction. */
  readonly labels: Float64Array;
  readonly predictions: Float64Array;
  /** One weight per row (mask and sample weight combined); undefined for all ones. */
  readonly rowWeights: Float64Array | undefined;
  /** Entries per row: the predictions' last axis (1 for predictions given as `[n]`). */
  readonly width: number;
  /** The predictions' shape as given. */
  readonly shape: readonly number[];
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
  let labels = new Float64Array(0);
  let predictions = new Float64Array(0);
  let rowWeights: Float64Array | undefined;
  // Read inside the tidy, which frees the float32 labels and the weights; returned through the closure.
  backend.tidy(() => {
    const rows = shape.slice(0, -1);
    const pred = given.length === 1 ? backend.reshape(yPred, shape) : yPred;
    const y = sameShapeLabels(backend, metric, yTrue, pred);
    const { weights } = combinedWeights(backend, metric, rows, weighting);
    labels = Float64Array.from(backend.dataSync(y));
    predictions = Float64Array.from(backend.dataSync(pred));
    if (weights !== undefined) {
      rowWeights = Float64Array.from(backend.dataSync(backend.mul(weights, backend.fill(rows, 1))));
    }
  });
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i]! >= 0 && labels[i]! <= 1)) {
      throw new SeqmodelError(
        `${metric}: labels must lie in [0, 1], received ${labels[i]} at flat index ${i} of labels ${formatShape(backend.shape(yTrue))}`,
      );
    }
  }
  return { labels, predictions, rowWeights, width: shape[shape.length - 1]!, shape: given };
}
