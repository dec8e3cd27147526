/**
 * `registerAttentionKernels`: gives seqmodel's cpu and wasm backends the fused scaled dot-product attention kernel
 * (`flash-kernel.ts`), and on request its webgpu backend the WGSL one (`webgpu-kernel.ts`), through core's kernel
 * registry, so that `scaledDotProductAttention` and every layer built on
 * it (`multiHeadAttention`, `attention`) run it where it applies. Registration is explicit, as core's registry
 * wants; backends created before the call pick the kernel up too.
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { invalidArgument, registerKernel } from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import { SCALED_DOT_PRODUCT_KERNEL, type ScaledDotProductKernel } from '../functional/kernel.js';
import type { FlashEngine } from './flash-engine.js';
import { flashAttentionKernel } from './flash-kernel.js';
import { JsFlashEngine } from './js-engine.js';
import { cpuTensorMemory, wasmTensorMemory } from './tensor-memory.js';
import { WasmFlashEngine } from './wasm-engine.js';
import { webgpuFlashKernel } from './webgpu-kernel.js';

/** The backends the flash kernel can be registered for, by seqmodel backend name. */
export const flashKernelBackends = ['cpu', 'wasm', 'webgpu'] as const;
export type FlashKernelBackend = (typeof flashKernelBackends)[number];

/**
 * The backends `registerAttentionKernels()` registers for without `options.backends`: cpu and wasm. The webgpu
 * kernel is registered only when asked for (`backends: ['cpu', 'wasm', 'webgpu']`).
 */
export const defaultFlashKernelBackends: readonly FlashKernelBackend[] = ['cpu', 'wasm'];

/**
 * The engine for a tfjs backend: WebAssembly SIMD on tfjs-backend-wasm where the JavaScript engine has SIMD (all
 * current browsers and Node), JavaScript otherwise (which keeps the memory bound, at JavaScript's speed).
 */
export function defaultFlashEngine(tfjsBackendName: string): FlashEngine {
  return (tfjsBackendName === 'wasm' ? WasmFlashEngine.create() : undefined) ?? new JsFlashEngine();
}

/**
 * The flash kernel for `backend` (on tfjs-backend-cpu or tfjs-backend-wasm), on `engine` (default
 * {@link defaultFlashEngine}; pass one to read its `peakArenaBytes`).
 */
export function createFlashKernel(
  backend: TfjsBackend,
  engine?: FlashEngine,
): ScaledDotProductKernel<tf.Tensor> {
  const name = backend.tfjsBackendName;
  return flashAttentionKernel(backend, {
    engine: engine ?? defaultFlashEngine(name),
    memory: name === 'wasm' ? wasmTensorMemory(name) : cpuTensorMemory,
  });
}

export interface RegisterAttentionKernelsOptions {
  /** Backend names to register for, among `cpu`, `wasm` and `webgpu` (default `cpu` and `wasm`). */
  readonly backends?: readonly FlashKernelBackend[];
}

/**
 * Registers the flash attention kernel (kind `attention`, name `scaledDotProduct`) for seqmodel's `cpu` and `wasm`
 * backends (by default) and `webgpu` (when listed in `options.backends`: the WGSL programs), replacing an earlier registration (calling it twice is harmless). Undo it with core's
 * `unregisterKernel`, or run one call on the generic path with `fused: 'never'`.
 *
 * @example
 * import { registerAttentionKernels } from '@seqmodel/attention/kernels';
 * registerAttentionKernels();
 * const backend = await createWasmBackend(); // multiHeadAttention now runs the flash kernel there
 * registerAttentionKernels({ backends: ['webgpu'] }); // and on createWebgpuBackend()'s backend
 */
export function registerAttentionKernels(options: RegisterAttentionKernelsOptions = {}): void {
  const backends = options.backends ?? defaultFlashKernelBackends;
  if (!Array.isArray(backends) || backends.some((b) => !flashKernelBackends.includes(b))) {
    invalidArgument(
      'registerAttentionKernels(options.backends)',
      backends,
      `a list of ${flashKernelBackends.join(', ')}`,
    );
  }
  for (const backend of backends) {
    registerKernel<TfjsBackend>(
      {
        backend,
        ...SCALED_DOT_PRODUCT_KERNEL,
        kernel: (b) => (backend === 'webgpu' ? webgpuFlashKernel(b) : createFlashKernel(b)),
      },
      { replace: true },
    );
  }
}
