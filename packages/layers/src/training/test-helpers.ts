/**
 * Helpers for the training tests (not exported): a quiet tfjs CPU backend, float64 reads from the reference backend,
 * small seeded data, and an optimizer that records its gradients.
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { type Backend, createRng } from '@seqmodel/core';
import {
  Optimizer,
  type OptimizerVariable,
  type UpdateArgs,
  type UpdateResult,
} from './optimizers/optimizer.js';

/** `@seqmodel/backend-cpu` with its default options (it keeps tfjs' "install the node backend" notice quiet). */
export function cpuBackend(): ReturnType<typeof createCpuBackend> {
  return createCpuBackend();
}

/** Values in float64 on the reference backend (its `dataSync` rounds to float32), float32 elsewhere. */
export function flat<T>(backend: Backend<T>, t: T): number[] {
  const ref = backend as unknown as { toFloat64?: (x: T) => Float64Array };
  return Array.from(typeof ref.toFloat64 === 'function' ? ref.toFloat64(t) : backend.dataSync(t));
}

/** A scalar's value; the tensor is freed. */
export function scalar<T>(backend: Backend<T>, t: T): number {
  const v = flat(backend, t)[0]!;
  backend.dispose(t);
  return v;
}

/** Seeded uniform values in [lo, hi). */
export function seeded(n: number, seed: number | string, lo = -1, hi = 1): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.uniform(lo, hi));
}

/** An optimizer that records the gradients it is given (per update, per variable) and leaves the weights alone. */
export class Recorder extends Optimizer {
  readonly className = 'Recorder';
  readonly grads: number[][][] = [];

  constructor() {
    super('recorder', 0);
  }

  protected slotSpecs() {
    return [];
  }

  protected update<U>({ value }: UpdateArgs<U>): UpdateResult<U> {
    return { value, slots: {} };
  }

  override applyGradients<U>(
    b: Backend<U>,
    grads: readonly U[],
    variables: readonly OptimizerVariable[],
  ): void {
    this.grads.push(grads.map((g) => Array.from(b.dataSync(g))));
    super.applyGradients(b, grads, variables);
  }
}
