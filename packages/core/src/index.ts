/**
 * `@seqmodel/core`: the tensor-agnostic heart of seqmodel. It defines the `Ops` and `Backend` contracts, the cell
 * plugin API and registry, the built-in cells, initializers, a seeded RNG, parameter math and a float64 reference
 * backend. It depends on no tensor library.
 */
export {
  type Activation,
  type ActivationName,
  getActivation,
  isActivationName,
  listActivations,
} from './activations.js';
export type {
  Backend,
  KernelFor,
  KernelKinds,
  KernelTable,
  MemoryInfo,
  TensorContainer,
  TypedArray,
  ValueAndGrads,
} from './backend.js';
export {
  type Batch,
  type BatchField,
  type BatchToTensorsOptions,
  batchToTensors,
  type Lengths,
  type TensorBatch,
} from './batch.js';
export type {
  AnyCellPlugin,
  CellDims,
  CellOptionsInput,
  CellPlugin,
  CellStepArgs,
  CellStepResult,
  ParamSpec,
  ParamTensors,
  StateSpec,
} from './cell.js';
export {
  type BaseCellOptions,
  baseCellDefaults,
  builtInCells,
  type GruOptions,
  gru,
  type LstmOptions,
  lstm,
  lstmBiasInitializer,
  type SimpleRnnOptions,
  simpleRNN,
  validateBaseOptions,
} from './cells/index.js';
export * from './compiler/index.js';
export { type DebugLogger, debugLog, debugLogOnce, setDebugLogger } from './debug.js';
export {
  affine,
  batchMatMul,
  batchNormalize,
  elu,
  erf,
  gelu,
  geluNew,
  hardSigmoid,
  hardSigmoidKeras3,
  l2Normalize,
  logSoftmax,
  mean,
  mish,
  relu6,
  rsqrt,
  selu,
  sliceLast,
  softmax,
  softplus,
  softsign,
  splitLast,
  square,
  swish,
  variance,
  zerosLike,
} from './derived-ops.js';
export {
  checkBoolean,
  checkNumberInRange,
  checkOneOf,
  checkPositiveInteger,
  describeValue,
  invalidArgument,
  SeqmodelError,
} from './errors.js';
export type { AnyFusedKernel, FusedKernel, KernelKind, KnownKernelKind } from './fused-kernel.js';
export {
  type HostArray,
  type HostTensor,
  hostDtype,
  isHostTensor,
  isNestedNumbers,
  isRagged,
  type TensorLike,
  tensorFromNested,
  toBackendTensor,
} from './host-tensor.js';
export {
  computeFans,
  type FanMode,
  type InitializerConfig,
  type InitializerName,
  type InitializerSpec,
  initialize,
  listInitializers,
  resolveInitializer,
  type VarianceDistribution,
} from './init/initializers.js';
export {
  type AnyBackend,
  checkFusedKernel,
  checkKernelKind,
  defaultKernelRegistry,
  formatKernelKey,
  type KernelDefinition,
  type KernelKey,
  type KernelRegistration,
  KernelRegistry,
  listKernels,
  type RegisterKernelOptions,
  registerKernel,
  type TensorOf,
  unregisterKernel,
} from './kernel-registry.js';
export {
  anyName,
  createKernelTable,
  type FusedPolicy,
  findKernel,
  type KernelTableOptions,
  kernelsOf,
  selectKernel,
  sequenceKernelMap,
} from './kernel-table.js';
export {
  assertFinite,
  assertSequenceFinite,
  checkMaskValues,
  firstNonFinite,
  unravelIndex,
} from './numerics.js';
export type { DType, NestedArray, Operand, Ops, OptionalOps } from './ops.js';
export { optionKeys } from './option-keys.js';
export { checkOptions, closestName, didYouMean, isPlainObject } from './options.js';
export {
  type CellConfig,
  checkParams,
  countParams,
  explainParamCount,
  initParams,
  initParamTensors,
  outputSizeOf,
  type ParamCountExplanation,
  type ParamCountTerm,
  type ParamValues,
  paramSpecs,
  resolveCellDims,
  resolveCellOptions,
  stateSpecs,
} from './params.js';
export {
  checkSequenceArgs,
  runSequence,
  type SequenceInfo,
  type SequenceTrace,
  scanCell,
  type TraceSequenceArgs,
  traceSequence,
} from './recurrence.js';
export { createReferenceBackend, ReferenceBackend, RefTensor } from './reference/reference-backend.js';
export {
  type CellRef,
  CellRegistry,
  getCell,
  listCells,
  type RegisterOptions,
  registerCell,
  resolveCell,
  unregisterCell,
} from './registry.js';
export { createRng, type Rng } from './rng.js';
export type { FusedSequenceKernel, SequenceArgs, SequenceResult } from './sequence.js';
export {
  broadcastShapes,
  checkRank,
  checkShape,
  formatShape,
  normalizeAxis,
  resolveReshape,
  type Shape,
  shapesEqual,
  sizeOfShape,
  stridesOf,
} from './shape.js';
export {
  type BackendSpecificationVersion,
  backendSpecificationVersions,
  type CellSpecificationVersion,
  cellSpecificationVersions,
  checkBackend,
  checkBackendSpecification,
  checkCellSpecification,
} from './specification.js';
