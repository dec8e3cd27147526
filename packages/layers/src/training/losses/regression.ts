/**
 * Regression losses: mean squared, absolute, absolute percentage and squared logarithmic error, Huber, log-cosh and
 * cosine similarity, each reducing the last axis per sample (Keras 3).
 */
import { type Backend, checkNumberInRange, l2Normalize, mean, softplus, square } from '@seqmodel/core';
import { EPSILON, type LossOptions, SameShapeLoss } from './loss.js';

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

/** 100 · mean(|yTrue − yPred| / max(|yTrue|, ε), axis −1), ε = 1e-7 (Keras 3). */
export class MeanAbsolutePercentageError extends SameShapeLoss {
  readonly className = 'MeanAbsolutePercentageError';

  constructor(options: LossOptions = {}) {
    super('meanAbsolutePercentageError', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const scale = backend.maximum(backend.abs(yTrue), EPSILON);
    return backend.mul(mean(backend, backend.abs(backend.div(backend.sub(yTrue, yPred), scale)), -1), 100);
  }
}

/** mean((log(max(yPred, ε) + 1) − log(max(yTrue, ε) + 1))², axis −1), ε = 1e-7 (Keras 3). */
export class MeanSquaredLogarithmicError extends SameShapeLoss {
  readonly className = 'MeanSquaredLogarithmicError';

  constructor(options: LossOptions = {}) {
    super('meanSquaredLogarithmicError', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const logOf = (x: T) => backend.log(backend.add(backend.maximum(x, EPSILON), 1));
    return mean(backend, square(backend, backend.sub(logOf(yPred), logOf(yTrue))), -1);
  }
}

/**
 * mean(log(cosh(yPred − yTrue)), axis −1), computed as e + softplus(−2e) − log 2, which neither overflows nor loses
 * the small values (Keras 3 computes it so).
 */
export class LogCosh extends SameShapeLoss {
  readonly className = 'LogCosh';

  constructor(options: LossOptions = {}) {
    super('logCosh', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const e = backend.sub(yPred, yTrue);
    const logCosh = backend.sub(backend.add(e, softplus(backend, backend.mul(e, -2))), Math.LN2);
    return mean(backend, logCosh, -1);
  }
}

/**
 * −Σ (yTrue / ‖yTrue‖) · (yPred / ‖yPred‖) along the last axis: −1 for the same direction, 0 orthogonal, 1 opposite.
 * A norm below ε = 1e-7 counts as ε (Keras 3), so a zero vector gives 0 and a finite gradient.
 */
export class CosineSimilarity extends SameShapeLoss {
  readonly className = 'CosineSimilarity';

  constructor(options: LossOptions = {}) {
    super('cosineSimilarity', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const normalize = (x: T) => l2Normalize(backend, x, -1, EPSILON);
    return backend.neg(backend.sum(backend.mul(normalize(yTrue), normalize(yPred)), -1));
  }
}

/** Mean absolute percentage error (`'mape'`). */
export function meanAbsolutePercentageError(options?: LossOptions): MeanAbsolutePercentageError {
  return new MeanAbsolutePercentageError(options);
}

/** Mean squared logarithmic error (`'msle'`). */
export function meanSquaredLogarithmicError(options?: LossOptions): MeanSquaredLogarithmicError {
  return new MeanSquaredLogarithmicError(options);
}

/** Log-cosh (`'logCosh'`, Keras' `log_cosh`). */
export function logCosh(options?: LossOptions): LogCosh {
  return new LogCosh(options);
}

/** Negative cosine similarity along the last axis (`'cosineSimilarity'`). */
export function cosineSimilarity(options?: LossOptions): CosineSimilarity {
  return new CosineSimilarity(options);
}
