/**
 * Metrics as Keras 3 keeps them: stateful objects that accumulate over the batches of an epoch (`updateState`) and
 * report one number (`result`) until `resetState`. A mean metric computes per-sample values on the backend, weights
 * them by the predictions' mask and sample weights (masked steps do not count), and accumulates the weighted sum and
 * the sum of weights on the host in float64.
 */
import { type Backend, checkOptions, invalidArgument, sizeOfShape } from '@seqmodel/core';
import { combinedWeights, type LossWeighting } from '../losses/loss.js';

/** Checks a metric factory's options (`name` and the metric's `own` keys); returns them. */
export function checkMetricOptions<O extends { readonly name?: string }>(
  factory: string,
  options: O,
  own: readonly string[] = [],
): O {
  return checkOptions<O>(`${factory} options`, options, ['name', ...own]);
}

export abstract class Metric {
  readonly name: string;

  constructor(name: string) {
    if (typeof name !== 'string' || name.length === 0)
      invalidArgument('metric name', name, 'a non-empty string');
    this.name = name;
  }

  /** Adds one batch. Labels that do not fit the predictions are errors naming the metric and both shapes. */
  abstract updateState<T>(backend: Backend<T>, yTrue: T, yPred: T, weighting?: LossWeighting<T>): void;

  /** The value over every batch since the last reset (0 before any). */
  abstract result(): number;

  abstract resetState(): void;
}

/** The weighted mean of per-sample values: Keras' `MeanMetricWrapper`. */
export abstract class MeanMetric extends Metric {
  private total = 0;
  private count = 0;

  /** Checks the labels and returns per-sample values (the predictions' shape without the last axis). */
  protected abstract values<T>(backend: Backend<T>, yTrue: T, yPred: T): T;

  updateState<T>(backend: Backend<T>, yTrue: T, yPred: T, weighting: LossWeighting<T> = {}): void {
    const sums = backend.tidy(() => {
      const values = this.values(backend, yTrue, yPred);
      const shape = backend.shape(values);
      const { weights } = combinedWeights(backend, this.name, shape, weighting);
      if (weights === undefined)
        return backend.stack([backend.sum(values), backend.fill([], sizeOfShape(shape))], 0);
      const w = backend.mul(weights, backend.fill(shape, 1));
      return backend.stack([backend.sum(backend.mul(values, w)), backend.sum(w)], 0);
    });
    try {
      const [total, count] = backend.dataSync(sums);
      this.total += total!;
      this.count += count!;
    } finally {
      backend.dispose(sums);
    }
  }

  /** The weighted mean so far (`transform` applied). */
  result(): number {
    return this.transform(this.count === 0 ? 0 : this.total / this.count);
  }

  /** Turns the mean into the reported value (perplexity exponentiates it). */
  protected transform(mean: number): number {
    return mean;
  }

  resetState(): void {
    this.total = 0;
    this.count = 0;
  }
}
