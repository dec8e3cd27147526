/**
 * Helpers for the training tests (not exported): a quiet tfjs CPU backend, float64 reads from the reference backend,
 * and small seeded data.
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { type Backend, createRng } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';

/** `@seqmodel/backend-cpu`, without tfjs' "install the node backend" notice. */
export function cpuBackend(): ReturnType<typeof createCpuBackend> {
  tf.env().set('IS_TEST', true);
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
