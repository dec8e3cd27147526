/**
 * The fused kernels `createCpuBackend()` uses by default, keyed by cell name: simpleRNN, LSTM and GRU (both
 * `resetAfter` variants) from `@seqmodel/backend-tfjs`'s `hostFusedKernels`, and under `*` the compiled kernel,
 * which serves every other cell (plugins included) with code generated from the cell's step (JavaScript). Every
 * matrix product runs in JavaScript (`JsGemm`, ~4-5 GFLOP/s in V8 against ~0.5-0.8 for tfjs-backend-cpu's
 * matMul). Arguments none of them supports (a softmax activation, a step the compiler cannot lower) run through
 * core's generic loop, with the reason logged.
 */
import {
  anyCell,
  compiledSequenceKernel,
  hostFusedKernels,
  JsGemm,
  javascriptGenerator,
  type TfjsFusedKernelEntry,
} from '@seqmodel/backend-tfjs';

/** The compiled kernel of the cpu backend: JavaScript generated from a cell's step, products on `JsGemm`. */
export const cpuCompiledKernel: TfjsFusedKernelEntry = (backend) =>
  compiledSequenceKernel(backend, { gemm: new JsGemm(), generator: javascriptGenerator });

export const cpuFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {
  ...hostFusedKernels({ gemm: () => new JsGemm() }),
  [anyCell]: cpuCompiledKernel,
};
