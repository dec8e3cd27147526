/**
 * `@seqmodel/layers`: Keras-style layers and models over core's `Backend` contract. Recurrent layers run any
 * registered cell (with the backend's fused kernel when it has one), with masks, states, Bidirectional and stacked
 * variants; `sequential()` and the functional API (`input()`, `layer.apply`, `model()`) compose them; models print
 * summaries, stream one step at a time, and save to and load from seqmodel's own format and Keras / tfjs-layers files
 * (other packages add Keras classes with `registerKerasLayer`); weights load from and save to PyTorch state dicts
 * (`.safetensors`, `torch.save` files; other packages add layers with `registerTorchLayer`).
 */
// Registers the built-in layer classes with the layer registry, so that saved models naming them load.
import './layers/builtins.js';

export { CallContext, type CallContextInit, PendingUpdates, type StateKey } from './engine/context.js';
export { Graph } from './engine/graph.js';
export {
  type BuildEnv,
  type CallArgs,
  type FromConfigContext,
  type InputSpec,
  Layer,
  type LayerApplyOptions,
  type LayerArgs,
  type LayerOutputs,
  type SerializedLayer,
  type StateOwner,
  type SymbolicApplyOptions,
} from './engine/layer.js';
export { checkMask, lengthsToMask, maskFromLengths } from './engine/masks.js';
export { toSnakeCase } from './engine/naming.js';
export type {
  ApplyOptions,
  CarriedPassOutputs,
  CarriedStates,
  OutputsWithMasks,
  PassHooks,
  PassModel,
  WeightOverrides,
} from './engine/pass.js';
export type { RecurrentProbes, RecurrentTraceRecord, RecurrentTracer } from './engine/recurrent-trace.js';
export {
  deserializeLayer,
  getLayerClass,
  type LayerClass,
  listLayerClasses,
  registerLayer,
  serializeLayer,
  unregisterLayer,
} from './engine/registry.js';
export { type Dim, formatShapeSpec, type ShapeSpec } from './engine/shape-spec.js';
export { type InputArgs, InputNode, input, LayerNode, SymbolicTensor } from './engine/symbolic.js';
export { dropoutMask, lastValidStep, reverseTime } from './engine/tensor-utils.js';
export { LayerWeight } from './engine/weight.js';
export * from './layers/index.js';
export { Callback } from './models/callback.js';
export {
  Functional,
  type FunctionalArgs,
  model,
  type NodeConfig,
  type TensorRef,
} from './models/functional.js';
export type {
  InspectObjective,
  InspectOptions,
  ModelInspection,
  RecurrentInspection,
} from './models/inspect.js';
export {
  Model,
  type ModelArgs,
  type ModelOutput,
  type OutputCount,
  type PredictInput,
  type PredictOptions,
  type SerializedModel,
  type WeightData,
  type WeightValue,
} from './models/model.js';
export { type LayerDeserializer, Sequential, type SequentialArgs, sequential } from './models/sequential.js';
export { ModelStream, type StepOptions } from './models/stream.js';
export type { SummaryOptions } from './models/summary.js';
export {
  ModelCheckpoint,
  type ModelCheckpointOptions,
  modelCheckpoint,
} from './saving/checkpoint.js';
export type {
  KerasArtifacts,
  KerasModelFiles,
  KerasModelJson,
  KerasModelSource,
  KerasQuantization,
  KerasWeightSpec,
  KerasWeightsGroup,
} from './saving/keras/artifacts.js';
export { type LoadKerasOptions, loadKerasModel } from './saving/keras/load.js';
export type {
  KerasCallSpec,
  KerasExportContext,
  KerasImportContext,
  KerasLayerConfig,
  KerasLayerMapping,
  KerasWeightNamesContext,
  NestedKerasOptions,
} from './saving/keras/mapping.js';
export type {
  KerasConfigReader,
  KerasDialect,
  KerasReadOptions,
  UnknownKeyPolicy,
} from './saving/keras/option-reader.js';
export {
  getKerasLayerMapping,
  listKerasLayerClasses,
  registerKerasLayer,
  unregisterKerasLayer,
} from './saving/keras/registry.js';
export { kerasArtifactsFromModel, type SaveKerasOptions, saveKerasModel } from './saving/keras/save.js';
export type { KerasTrainingConfig } from './saving/keras/training-config.js';
export {
  deserializeModel,
  deserializeWeights,
  type LoadModelOptions,
  type ModelArtifacts,
  modelFromJSON,
  type SaveModelOptions,
  serializeModel,
  serializeWeights,
  type WeightsArtifacts,
} from './saving/native/artifacts.js';
export type {
  SerializedCompile,
  SerializedLoss,
  SerializedMetric,
} from './saving/native/compile-config.js';
export {
  LEGACY_WEIGHTS_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  MODEL_JSON_FILE,
  type ModelJSON,
  type SlotManifestEntry,
  type TrainingJSON,
  WEIGHTS_FORMAT,
  WEIGHTS_JSON_FILE,
  type WeightsJSON,
  type WeightsManifest,
  type WeightsManifestEntry,
} from './saving/native/manifest.js';
export {
  type ArtifactsSink,
  type ArtifactsSource,
  loadModel,
  loadWeights,
  readArtifacts,
  saveModel,
  saveWeights,
} from './saving/native/save-load.js';
export * from './saving/torch/index.js';
export * from './training/index.js';
