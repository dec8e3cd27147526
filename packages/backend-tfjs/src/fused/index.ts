/**
 * `@seqmodel/backend-tfjs/fused`: what a backend needs to offer fused recurrent kernels, without a tensor library
 * (nothing here imports tfjs): the sequence runner (`SequenceRun`, backpropagation through time on `Float32Array`s),
 * the cells' fused arithmetic and their bindings to cell plugins, the activations with their derivatives, the matrix
 * product interface (`GemmProvider`) with a JavaScript implementation, and the hook for vectorized gates. A tfjs
 * backend gets kernels from them with `hostSequenceKernel` / `hostFusedKernels` (the package's main entry); a
 * backend on another tensor library reads its tensors into arrays and drives `SequenceRun` itself.
 */
export {
  activate,
  type FusedActivationName,
  fusedActivationNames,
  gateExp,
  gateSigmoid,
  gateTanh,
  isFusedActivation,
  multiplyByDerivative,
} from './activations.js';
export { bindingRefusal, builtInCellBindings, type FusedCellBinding } from './cell-bindings.js';
export { FusedCellBase, type GatedCellActivations, GatedCellBase } from './cells/cell-base.js';
export { GruCell, type GruCellOptions } from './cells/gru.js';
export { LstmCell } from './cells/lstm.js';
export { SimpleRnnCell } from './cells/simple-rnn.js';
export { CompiledRun, type CompiledRunConfig, type CompiledRunInputs } from './compiled/compiled-run.js';
export {
  functionConstructorRefusal,
  type HostInstance,
  type HostPassGenerator,
  type HostProgram,
  InstancePool,
} from './compiled/host-program.js';
export { javascriptGenerator } from './compiled/javascript-generator.js';
// All of gemm.ts: the matrix-product provider interface and the helpers every provider uses.
export * from './gemm.js';
export { JsGemm } from './js-gemm.js';
export {
  addRow,
  type FusedCell,
  SequenceRun,
  type SequenceRunConfig,
  type SequenceRunInputs,
  type WeightGradientBlock,
} from './sequence-run.js';
export type {
  GateStepArgs,
  GruCandidateArgs,
  GruResetArgs,
  LstmStepArgs,
  VectorGates,
} from './vector-gates.js';
