/**
 * Hinge losses for classifiers with outputs in (−∞, ∞) (Keras 3): `hinge` and `squaredHinge` for labels −1 and 1
 * (labels 0 and 1 are taken as −1 and 1 when every label is 0 or 1, as Keras does), `categoricalHinge` for one-hot
 * labels.
 */
import { type Backend, mean, square } from '@seqmodel/core';
import { type LossOptions, SameShapeLoss } from './loss.js';

/**
 * The labels as −1 and 1: when every label is 0 or 1, y ↦ 2y − 1; otherwise as they are. Written as y + b·(y − 1)
 * with b = 1 when the labels are binary (a scalar 0 or 1), so that it needs no branch on read-back values.
 */
function hingeLabels<T>(backend: Backend<T>, yTrue: T): T {
  const other = backend.sub(1, backend.add(backend.equal(yTrue, 0), backend.equal(yTrue, 1)));
  const binary = backend.equal(backend.sum(other), 0);
  return backend.add(yTrue, backend.mul(binary, backend.sub(yTrue, 1)));
}

/** max(1 − y · yPred, 0) entry by entry, the labels as −1 and 1 ({@link hingeLabels}). */
function margins<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
  return backend.relu(backend.sub(1, backend.mul(hingeLabels(backend, yTrue), yPred)));
}

/** mean(max(1 − yTrue · yPred, 0), axis −1). */
export class Hinge extends SameShapeLoss {
  readonly className = 'Hinge';

  constructor(options: LossOptions = {}) {
    super('hinge', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return mean(backend, margins(backend, yTrue, yPred), -1);
  }
}

/** mean(max(1 − yTrue · yPred, 0)², axis −1). */
export class SquaredHinge extends SameShapeLoss {
  readonly className = 'SquaredHinge';

  constructor(options: LossOptions = {}) {
    super('squaredHinge', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return mean(backend, square(backend, margins(backend, yTrue, yPred)), -1);
  }
}

/**
 * max(neg − pos + 1, 0) with pos = Σ yTrue · yPred and neg = max((1 − yTrue) · yPred) along the last axis: the margin
 * of the true class over the best other one, for one-hot labels.
 */
export class CategoricalHinge extends SameShapeLoss {
  readonly className = 'CategoricalHinge';

  constructor(options: LossOptions = {}) {
    super('categoricalHinge', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const pos = backend.sum(backend.mul(yTrue, yPred), -1);
    const neg = backend.max(backend.mul(backend.sub(1, yTrue), yPred), -1);
    return backend.relu(backend.add(backend.sub(neg, pos), 1));
  }
}

/** Hinge loss (`'hinge'`). */
export function hinge(options?: LossOptions): Hinge {
  return new Hinge(options);
}

/** Squared hinge loss (`'squaredHinge'`). */
export function squaredHinge(options?: LossOptions): SquaredHinge {
  return new SquaredHinge(options);
}

/** Categorical hinge loss (`'categoricalHinge'`). */
export function categoricalHinge(options?: LossOptions): CategoricalHinge {
  return new CategoricalHinge(options);
}
