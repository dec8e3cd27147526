/**
 * The fused kernels `createCpuBackend()` uses by default, keyed by cell name: simpleRNN, LSTM and GRU (both
 * `resetAfter` variants) from `@seqmodel/backend-tfjs`'s `hostFusedKernels`, with every matrix product in
 * JavaScript (`JsGemm`, ~4-5 GFLOP/s in V8 against ~0.5-0.8 for tfjs-backend-cpu's matMul). Arguments they do not
 * support (softmax activations, plugin cells) run through core's generic loop, with the reason logged.
 */
import { hostFusedKernels, JsGemm, type TfjsFusedKernelEntry } from '@seqmodel/backend-tfjs';

export const cpuFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = hostFusedKernels({
  gemm: () => new JsGemm(),
});
