/**
 * Perplexity: exp of the mean crossentropy per token (as keras-nlp's `Perplexity`), for language models and other
 * next-token predictors. Labels are class ids (sparse) or one-hot rows, told apart by their shape; masked steps do
 * not count.
 */
import {
  type Backend,
  checkBoolean,
  formatShape,
  logSoftmax,
  SeqmodelError,
  shapesEqual,
} from '@seqmodel/core';
import { logProbabilities, sparseLabels } from '../losses/crossentropy.js';
import { accuracyKind } from './accuracy.js';
import { checkMetricOptions, MeanMetric } from './metric.js';

export interface PerplexityOptions {
  readonly name?: string;
  /** Predictions are logits (default false: probabilities, clipped into [1e-7, 1 − 1e-7]). */
  readonly fromLogits?: boolean;
}

export class Perplexity extends MeanMetric {
  readonly fromLogits: boolean;

  constructor(options: PerplexityOptions = {}) {
    super(checkMetricOptions('perplexity', options, ['fromLogits']).name ?? 'perplexity');
    this.fromLogits = checkBoolean(`${this.name} fromLogits`, options.fromLogits ?? false);
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const pred = backend.shape(yPred);
    const logP = this.fromLogits ? logSoftmax(backend, yPred) : logProbabilities(backend, yPred);
    let oneHot: T;
    if (pred.length >= 2 && accuracyKind(backend.shape(yTrue), pred) === 'sparse') {
      oneHot = backend.oneHot(sparseLabels(backend, this.name, yTrue, yPred), pred[pred.length - 1]!);
    } else {
      const labels = backend.shape(yTrue);
      if (!shapesEqual(labels, pred)) {
        throw new SeqmodelError(
          `${this.name}: labels shape ${formatShape(labels)} does not fit predictions ${formatShape(pred)}: expected ${formatShape(pred.slice(0, -1))} of int class ids or ${formatShape(pred)} of one-hot rows`,
        );
      }
      oneHot = backend.dtype(yTrue) === 'float32' ? yTrue : backend.cast(yTrue, 'float32');
    }
    return backend.neg(backend.sum(backend.mul(oneHot, logP), -1));
  }

  protected override transform(mean: number): number {
    return Math.exp(mean);
  }
}

export function perplexity(options?: PerplexityOptions): Perplexity {
  return new Perplexity(options);
}
