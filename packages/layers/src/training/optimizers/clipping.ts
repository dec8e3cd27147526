/**
 * Gradient clipping as Keras 3 does it: by each gradient's L2 norm (`clipnorm`), by the joint L2 norm of all
 * gradients (`globalClipnorm`), or entry by entry (`clipvalue`).
 */
import type { Backend } from '@seqmodel/core';

/** `g · clipnorm / max(‖g‖, clipnorm)`: unchanged when its norm is at most `clipnorm`. */
export function clipByNorm<T>(backend: Backend<T>, gradient: T, clipnorm: number): T {
  const norm = backend.sqrt(backend.sum(backend.mul(gradient, gradient)));
  return backend.div(backend.mul(gradient, clipnorm), backend.maximum(norm, clipnorm));
}

/**
 * Every gradient times `clipnorm / max(‖(g₁, …, gₙ)‖, clipnorm)`, so that the joint norm is at most `clipnorm` and
 * the direction is kept. A non-finite joint norm makes every gradient NaN (as Keras), rather than hiding it.
 */
export function clipByGlobalNorm<T>(backend: Backend<T>, gradients: readonly T[], clipnorm: number): T[] {
  const norm = jointNorm(backend, gradients);
  const scale = backend.add(backend.div(clipnorm, backend.maximum(norm, clipnorm)), backend.sub(norm, norm));
  return gradients.map((g) => backend.mul(g, scale));
}

/** Every entry clipped into [-clipvalue, clipvalue]. */
export function clipByValue<T>(backend: Backend<T>, gradient: T, clipvalue: number): T {
  return backend.clip(gradient, -clipvalue, clipvalue);
}

/** The joint L2 norm of `gradients` (for logging and tests), read back to the host. */
export function globalNorm<T>(backend: Backend<T>, gradients: readonly T[]): number {
  const norm = backend.tidy(() => jointNorm(backend, gradients));
  try {
    return backend.dataSync(norm)[0]!;
  } finally {
    backend.dispose(norm);
  }
}

/** `‖(g₁, …, gₙ)‖` as a scalar tensor (intermediates left to the caller's tidy). */
function jointNorm<T>(backend: Backend<T>, gradients: readonly T[]): T {
  return backend.sqrt(
    gradients.map((g) => backend.sum(backend.mul(g, g))).reduce((a, b) => backend.add(a, b)),
  );
}
