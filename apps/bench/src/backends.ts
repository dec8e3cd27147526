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

export async function createBenchBackend(name: BenchBackendName): Promise<BenchBackend> {
  if (name === 'cpu') {
    // The generic path: fused kernels (when there are some) are benchmarked separately.
    return {
      name,
      backend: createCpuBackend({ fusedKernels: false }),
      details: 'tfjs-backend-cpu (JavaScript)',
    };
  }
  const backend = await createWasmBackend({ fusedKernels: false });
  const info = await wasmInfo();
  const details = `tfjs-backend-wasm, SIMD ${info?.simd ? 'on' : 'off'}, ${info?.numThreads ?? 1} thread(s)`;
  return { name, backend, details };
}
