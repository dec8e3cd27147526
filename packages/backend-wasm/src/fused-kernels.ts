/**
 * The fused kernels `createWasmBackend()` uses by default: under `*`, the compiled kernel, which serves every cell
 * (the built-in ones and plugins) with WebAssembly SIMD generated from the cell's step by core's compiler
 * (`wasmSimdGenerator`) and every matrix product on XNNPACK (`XnnpackGemm`). It replaced the hand-written simpleRNN,
 * LSTM and GRU kernels (and their SIMD gates), which it matched or beat in interleaved runs (`seqmodel-bench
 * paths`). Steps it cannot compile (a softmax activation, a reduction) run through core's generic loop, with the
 * reason logged.
 */
import {
  anyCell,
  type CompiledKernelOptions,
  compiledKernelFactory,
  type TfjsBackend,
  type TfjsFusedKernelEntry,
} from '@seqmodel/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { wasmSimdGenerator } from './compiled/wasm-generator.js';
import { XnnpackGemm } from './xnnpack-gemm.js';

const xnnpack = (backend: TfjsBackend) => new XnnpackGemm(tf.engine().findBackend(backend.tfjsBackendName));

/**
 * {@link wasmCompiledKernel} with options: `wrapGemm` wraps its matrix products (to time or trace them).
 *
 * @example
 * // anyCell ('*', every cell) and the GemmProvider type come from @seqmodel/backend-tfjs.
 * const kernel = wasmCompiledKernelWith({ wrapGemm: (gemm) => myTimer.wrap(gemm) });
 * const backend = await createWasmBackend({ kernels: [{ kind: 'sequence', name: anyCell, kernel }] });
 */
export const wasmCompiledKernelWith: (options?: CompiledKernelOptions) => TfjsFusedKernelEntry =
  compiledKernelFactory('wasmCompiledKernelWith', xnnpack, wasmSimdGenerator);

/** The compiled kernel of the wasm backend: WebAssembly SIMD generated from a cell's step, products on XNNPACK. */
export const wasmCompiledKernel: TfjsFusedKernelEntry = wasmCompiledKernelWith();

export const wasmFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {
  [anyCell]: wasmCompiledKernel,
};
