/**
 * The fused kernels `createWasmBackend()` uses by default, keyed by cell name: simpleRNN, LSTM and GRU (both
 * `resetAfter` variants) from `@seqmodel/backend-tfjs`'s `hostFusedKernels`, with every matrix product on XNNPACK
 * (`XnnpackGemm`) and the gate arithmetic in JavaScript, except LSTM and GRU (without `resetAfter`) steps with the
 * default activations, which run on WebAssembly SIMD (`SimdGates`). Arguments they do not support (softmax activations, plugin cells) run through
 * core's generic loop, with the reason logged.
 */
import { hostFusedKernels, type TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { SimdGates } from './simd-gates.js';
import { XnnpackGemm } from './xnnpack-gemm.js';

export const wasmFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = hostFusedKernels({
  gemm: (backend) => new XnnpackGemm(tf.engine().findBackend(backend.tfjsBackendName)),
  // LSTM and GRU steps with Keras' default activations on WebAssembly SIMD (where the engine has it).
  vectorGates: () => SimdGates.create(),
});
