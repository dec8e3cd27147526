/**
 * Regression losses: mean squared error, mean absolute error and Huber, each averaged over the last axis per
 * sample (Keras 3).
 */
import { type Backend, checkNumberInRange, mean, square } from '@seqmodel/core';
import { type LossOptions, SameShapeLoss } from './loss.js';

/** mean((yTrue - yPred)², axis -1). */
export class MeanSquaredError extends SameShapeLoss {
  readonly className = 'MeanSquaredError';

  constructor(options: LossOptions = {}) {
    super('meanSquaredError', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return mean(backend, square(backend, backend.sub(yPred, yTrue)), -1);
  }
}

/** mean(|yTrue - yPred|, axis -1). */
export class MeanAbsoluteError extends SameShapeLoss {
  readonly className = 'MeanAbsoluteError';

  constructor(options: LossOptions = {}) {
    super('meanAbsoluteError', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return mean(backend, backend.abs(backend.sub(yPred, yTrue)), -1);
  }
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  readonly delta?: number;
}

/**
 * Huber: ½e² for |e| ≤ delta, delta·(|e| − ½·delta) beyond, averaged over the last axis. Computed as
 * ½·q² + delta·(|e| − q) with q = min(|e|, delta), which is the same function with no branch.
 */
export class Huber extends SameShapeLoss {
  readonly className = 'Huber';
  readonly delta: number;

  constructor(options: HuberOptions = {}) {
    super('huber', options, ['delta']);
    this.delta = checkNumberInRange(
      `${this.name} delta`,
      options.delta ?? 1,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
    );
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const absError = backend.abs(backend.sub(yPred, yTrue));
    const quadratic = backend.minimum(absError, this.delta);
    const linear = backend.sub(absError, quadratic);
    const perEntry = backend.add(
      backend.mul(square(backend, quadratic), 0.5),
      backend.mul(linear, this.delta),
    );
    return mean(backend, perEntry, -1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), delta: this.delta };
  }
}

/** Mean squared error (`'mse'`). */
export function meanSquaredError(options?: LossOptions): MeanSquaredError {
  return new MeanSquaredError(options);
}

/** Mean absolute error (`'mae'`). */
export function meanAbsoluteError(options?: LossOptions): MeanAbsoluteError {
  return new MeanAbsoluteError(options);
}

/** Huber loss (`'huber'`), `delta` 1 by default. */
export function huber(options?: HuberOptions): Huber {
  return new Huber(options);
}
