/** Helpers for this package's tests (not exported): a quiet tfjs CPU backend, seeded values, float64 reads. */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { type Backend, createRng, ReferenceBackend, type RefTensor } from '@seqmodel/core';

/** `@seqmodel/backend-cpu` with its default options (it keeps tfjs' "install the node backend" notice quiet). */
export function cpuBackend(): ReturnType<typeof createCpuBackend> {
  return createCpuBackend();
}

/** Seeded float32-representable normals. */
export function normals(n: number, seed: number | string): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(rng.normal()));
}

/** Values in float64 on the reference backend, float32 elsewhere. */
export function values<T>(backend: Backend<T>, x: T): number[] {
  return Array.from(
    backend instanceof ReferenceBackend ? backend.toFloat64(x as unknown as RefTensor) : backend.dataSync(x),
  );
}
