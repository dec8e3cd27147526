/**
 * `@seqmodel/backend-tfjs`: seqmodel's `Backend` contract on TensorFlow.js (tfjs-core 4.22), written once and
 * shared by every tfjs-based seqmodel backend. Backend packages (`@seqmodel/backend-cpu`, `@seqmodel/backend-wasm`,
 * ...) register their tfjs backend and call `createTfjsBackend`; fused kernels of any kind plug in through its
 * `kernels` option or, from another package, through core's `registerKernel`, and can use `customGradient` for
 * their backward pass. `hostSequenceKernel` makes a fused `sequence` kernel from a cell's fused arithmetic (the
 * tensor-library-free pieces are in `@seqmodel/backend-tfjs/fused`).
 */
export {
  activateTfjsBackend,
  initializedTfjsBackend,
  initTfjsBackend,
  tfjsBackendNameOf,
} from './backend-switching.js';
export { type CustomGradientSpec, customGradient, type GradientEntry } from './custom-gradient.js';
export { type FusedActivationName, fusedActivationNames } from './fused/activations.js';
export { builtInCellBindings, type FusedCellBinding } from './fused/cell-bindings.js';
// All of gemm.ts: the matrix-product provider interface and the helpers every provider uses.
export * from './fused/gemm.js';
export {
  type HostFusedKernelsConfig,
  type HostSequenceKernelConfig,
  hostFusedKernels,
  hostSequenceKernel,
} from './fused/host-sequence-kernels.js';
export { JsGemm } from './fused/js-gemm.js';
export type {
  GateStepArgs,
  GruCandidateArgs,
  GruResetArgs,
  LstmStepArgs,
  VectorGates,
} from './fused/vector-gates.js';
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
