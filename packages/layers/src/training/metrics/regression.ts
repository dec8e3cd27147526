/**
 * Regression metrics: mean squared error, its root and mean absolute error, averaged over the last axis per sample.
 */
import { type Backend, mean, square } from '@seqmodel/core';
import { sameShapeLabels } from '../losses/loss.js';
import { checkMetricOptions, MeanMetric } from './metric.js';

/** mean((yTrue - yPred)², axis -1), averaged over samples (and unmasked steps). */
export class MeanSquaredErrorMetric extends MeanMetric {
  constructor(options: { readonly name?: string } = {}) {
    super(checkMetricOptions('meanSquaredError', options).name ?? 'meanSquaredError');
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return squaredErrors(backend, this.name, yTrue, yPred);
  }
}

/** mean((yTrue − yPred)², axis −1) per sample. */
function squaredErrors<T>(backend: Backend<T>, name: string, yTrue: T, yPred: T): T {
  const labels = sameShapeLabels(backend, name, yTrue, yPred);
  return mean(backend, square(backend, backend.sub(yPred, labels)), -1);
}

/**
 * √ of the mean squared error over everything seen (Keras' `RootMeanSquaredError`): the root of the running mean,
 * not the mean of per-batch roots.
 */
export class RootMeanSquaredErrorMetric extends MeanMetric {
  constructor(options: { readonly name?: string } = {}) {
    super(checkMetricOptions('rootMeanSquaredError', options).name ?? 'rootMeanSquaredError');
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return squaredErrors(backend, this.name, yTrue, yPred);
  }

  protected override transform(mean: number): number {
    return Math.sqrt(mean);
  }
}

/** mean(|yTrue - yPred|, axis -1), averaged over samples (and unmasked steps). */
export class MeanAbsoluteErrorMetric extends MeanMetric {
  constructor(options: { readonly name?: string } = {}) {
    super(checkMetricOptions('meanAbsoluteError', options).name ?? 'meanAbsoluteError');
  }

  protected values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const labels = sameShapeLabels(backend, this.name, yTrue, yPred);
    return mean(backend, backend.abs(backend.sub(yPred, labels)), -1);
  }
}

export function meanSquaredError(options?: { readonly name?: string }): MeanSquaredErrorMetric {
  return new MeanSquaredErrorMetric(options);
}

export function meanAbsoluteError(options?: { readonly name?: string }): MeanAbsoluteErrorMetric {
  return new MeanAbsoluteErrorMetric(options);
}

export function rootMeanSquaredError(options?: { readonly name?: string }): RootMeanSquaredErrorMetric {
  return new RootMeanSquaredErrorMetric(options);
}
