/**
 * The fused kernels `createCpuBackend()` uses by default: under `*`, the compiled kernel, which serves every cell
 * (the built-in ones and plugins) with JavaScript generated from the cell's step by core's compiler
 * (`javascriptGenerator`) and every matrix product in JavaScript (`JsGemm`, ~4-5 GFLOP/s in V8 against ~0.5-0.8 for
 * tfjs-backend-cpu's matMul). It replaced the hand-written simpleRNN, LSTM and GRU kernels, which it matched or beat
 * in interleaved runs (`seqmodel-bench paths`). Steps it cannot compile (a softmax activation, a reduction) run
 * through core's generic loop, with the reason logged.
 */
import {
  anyCell,
  type CompiledKernelOptions,
  compiledKernelFactory,
  JsGemm,
  javascriptGenerator,
  type TfjsFusedKernelEntry,
} from '@seqmodel/backend-tfjs';

/**
 * {@link cpuCompiledKernel} with options: `wrapGemm` wraps its matrix products (to time or trace them).
 *
 * @example
 * // anyCell ('*', every cell) and the GemmProvider type come from @seqmodel/backend-tfjs.
 * const kernel = cpuCompiledKernelWith({ wrapGemm: (gemm) => myTimer.wrap(gemm) });
 * const backend = createCpuBackend({ kernels: [{ kind: 'sequence', name: anyCell, kernel }] });
 */
export const cpuCompiledKernelWith: (options?: CompiledKernelOptions) => TfjsFusedKernelEntry =
  compiledKernelFactory('cpuCompiledKernelWith', () => new JsGemm(), javascriptGenerator);

/** The compiled kernel of the cpu backend: JavaScript generated from a cell's step, products on `JsGemm`. */
export const cpuCompiledKernel: TfjsFusedKernelEntry = cpuCompiledKernelWith();

export const cpuFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {
  [anyCell]: cpuCompiledKernel,
};
