/**
 * `@seqmodel/backend-tfjs`: seqmodel's `Backend` contract on TensorFlow.js (tfjs-core 4.22), written once and
 * shared by every tfjs-based seqmodel backend. Backend packages (`@seqmodel/backend-cpu`, `@seqmodel/backend-wasm`,
 * ...) register their tfjs backend and call `createTfjsBackend`; fused kernels of any kind plug in through its
 * `kernels` option or, from another package, through core's `registerKernel`, and can use `customGradient` for
 * their backward pass. `compiledSequenceKernel` makes the fused `sequence` kernel of every cell, compiled from the
 * cell's step by core's compiler; the tensor-library-free pieces are re-exported here and, without tfjs, from
 * `@seqmodel/backend-tfjs/fused`.
 */
export {
  activateTfjsBackend,
  initializedTfjsBackend,
  initTfjsBackend,
  tfjsBackendNameOf,
} from './backend-switching.js';
export { type CustomGradientSpec, customGradient, type GradientEntry } from './custom-gradient.js';
export {
  anyCell,
  type CompiledKernelOptions,
  type CompiledSequenceKernelConfig,
  compiledKernelFactory,
  compiledSequenceKernel,
  float32Refusal,
} from './fused/compiled-sequence-kernels.js';
// Everything of the tensor-library-free entry (`@seqmodel/backend-tfjs/fused`): the compiled-plan runtime, the
// JavaScript generator, the gate activations, the GemmProvider interface and JsGemm.
export * from './fused/index.js';
export { gpuCompiledSequenceKernel } from './gpu/compiled/gpu-compiled-kernel.js';
export {
  type RecordProgramsOptions,
  recordCompiledGpuPrograms,
} from './gpu/compiled/record-programs.js';
export { builtInGpuCells, type GpuCell } from './gpu/gpu-cells.js';
export { gpuFusedKernels, gpuSequenceKernel, type StepLauncher } from './gpu/gpu-sequence-kernel.js';
export { checkLaunch, type ProgramInput, type ShaderLang, type StepProgram } from './gpu/shader-lang.js';
export {
  createTfjsBackend,
  type FactoryKernelOptions,
  factoryKernelOptions,
  TfjsBackend,
  type TfjsBackendOptions,
  type TfjsFusedKernel,
  type TfjsFusedKernelEntry,
  type TfjsKernelDefinition,
  type TfjsMemoryInfo,
} from './tfjs-backend.js';
