/** The seqmodel backends the bench knows, created by name. */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { createWasmBackend, wasmInfo } from '@seqmodel/backend-wasm';

export const benchBackendNames = ['cpu', 'wasm'] as const;
export type BenchBackendName = (typeof benchBackendNames)[number];

export interface BenchBackend {
  readonly name: BenchBackendName;
  readonly backend: TfjsBackend;
  /** One line about the backend's setup (SIMD, threads, ...). */
  readonly details: string;
}

/** Which seqmodel path runs the cell: the backend's fused kernels (the default) or core's generic loop. */
export const benchPaths = ['fused', 'generic'] as const;
export type BenchPath = (typeof benchPaths)[number];

export async function createBenchBackend(
  name: BenchBackendName,
  path: BenchPath = 'fused',
): Promise<BenchBackend> {
  // `fusedKernels: false` leaves the built-in fused kernels out, so every cell runs through the generic loop.
  const kernels = path === 'fused' ? {} : { fusedKernels: false as const };
  if (name === 'cpu') {
    return {
      name,
      backend: createCpuBackend(kernels),
      details: `tfjs-backend-cpu (JavaScript), seqmodel ${path} path`,
    };
  }
  const backend = await createWasmBackend(kernels);
  const info = await wasmInfo();
  const details = `tfjs-backend-wasm, SIMD ${info?.simd ? 'on' : 'off'}, ${info?.numThreads ?? 1} thread(s), seqmodel ${path} path`;
  return { name, backend, details };
}
