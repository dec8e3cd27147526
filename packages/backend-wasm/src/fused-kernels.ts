/**
 * The fused kernels `createWasmBackend()` uses by default, keyed by cell name: simpleRNN, LSTM and GRU (both
 * `resetAfter` variants) from `@seqmodel/backend-tfjs`'s `hostFusedKernels`, with every matrix product on XNNPACK
 * (`XnnpackGemm`) and the gate arithmetic in JavaScript, except LSTM and GRU (without `resetAfter`) steps with the
 * default activations, which run on WebAssembly SIMD (`SimdGates`); and under `*` the compiled kernel, which serves
 * every other cell (plugins included) with WebAssembly SIMD generated from the cell's step
 * (`wasmSimdGenerator`). Arguments none of them supports (a softmax activation, a step the compiler cannot lower)
 * run through core's generic loop, with the reason logged.
 */
import {
  anyCell,
  compiledSequenceKernel,
  hostFusedKernels,
  type TfjsBackend,
  type TfjsFusedKernelEntry,
} from '@seqmodel/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { wasmSimdGenerator } from './compiled/wasm-generator.js';
import { SimdGates } from './simd-gates.js';
import { XnnpackGemm } from './xnnpack-gemm.js';

const xnnpack = (backend: TfjsBackend) => new XnnpackGemm(tf.engine().findBackend(backend.tfjsBackendName));

/** The compiled kernel of the wasm backend: WebAssembly SIMD generated from a cell's step, products on XNNPACK. */
export const wasmCompiledKernel: TfjsFusedKernelEntry = (backend) =>
  compiledSequenceKernel(backend, { gemm: xnnpack(backend), generator: wasmSimdGenerator });

export const wasmFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {
  ...hostFusedKernels({
    gemm: xnnpack,
    // LSTM and GRU steps with Keras' default activations on WebAssembly SIMD (where the engine has it).
    vectorGates: () => SimdGates.create(),
  }),
  [anyCell]: wasmCompiledKernel,
};
