/**
 * Losses between distributions or counts, each reducing the last axis per sample (Keras 3): the Kullback-Leibler
 * divergence and the Poisson loss.
 */
import { type Backend, mean } from '@seqmodel/core';
import { EPSILON, type LossOptions, SameShapeLoss } from './loss.js';

/** Σ yTrue · log(yTrue / yPred) along the last axis, both clipped into [ε, 1] first, ε = 1e-7 (Keras 3). */
export class KLDivergence extends SameShapeLoss {
  readonly className = 'KLDivergence';

  constructor(options: LossOptions = {}) {
    super('klDivergence', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    const p = backend.clip(yTrue, EPSILON, 1);
    const q = backend.clip(yPred, EPSILON, 1);
    return backend.sum(backend.mul(p, backend.log(backend.div(p, q))), -1);
  }
}

/** mean(yPred − yTrue · log(yPred + ε), axis −1), ε = 1e-7 (Keras 3): yPred is the predicted rate of counts yTrue. */
export class Poisson extends SameShapeLoss {
  readonly className = 'Poisson';

  constructor(options: LossOptions = {}) {
    super('poisson', options);
  }

  values<T>(backend: Backend<T>, yTrue: T, yPred: T): T {
    return mean(
      backend,
      backend.sub(yPred, backend.mul(yTrue, backend.log(backend.add(yPred, EPSILON)))),
      -1,
    );
  }
}

/** Kullback-Leibler divergence (`'kld'`, Keras' `kl_divergence`). */
export function klDivergence(options?: LossOptions): KLDivergence {
  return new KLDivergence(options);
}

/** Poisson loss (`'poisson'`). */
export function poisson(options?: LossOptions): Poisson {
  return new Poisson(options);
}
