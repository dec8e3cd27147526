/**
 * Training for `@seqmodel/layers`: losses and metrics (as the `losses` and `metrics` namespaces), optimizers and
 * learning-rate schedules, callbacks (early stopping, a progress bar, custom ones), and the machinery behind
 * `model.compile`, `fit`, `evaluate`, `trainOnBatch` and `testOnBatch`, truncated BPTT included.
 */

// `Callback` itself is exported from `models/callback.ts`, typed with the model class that training does not know.
export type { CallbackHooks, CallbackLike, Logs, TrainingParams } from './callbacks/callback.js';
export { CSVLogger, type CsvLoggerOptions, type CsvSink, csvLogger } from './callbacks/csv-logger.js';
export { EarlyStopping, type EarlyStoppingOptions, earlyStopping } from './callbacks/early-stopping.js';
export { History } from './callbacks/history.js';
export {
  type EpochSchedule,
  LearningRateScheduler,
  type LearningRateSchedulerOptions,
  learningRateScheduler,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  reduceLROnPlateau,
} from './callbacks/learning-rate.js';
export type { MonitorMode } from './callbacks/monitor.js';
export {
  formatDuration,
  formatLogValue,
  ProgressBar,
  type ProgressBarOptions,
  type ProgressStream,
  progressBar,
} from './callbacks/progress-bar.js';
export { TerminateOnNaN, type TerminateOnNaNOptions, terminateOnNaN } from './callbacks/terminate-on-nan.js';
export type { CompileArgs } from './compile.js';
export type { HostTensor, LengthsLike, TensorLike, TensorsLike } from './data/batch.js';
export type { ClassWeight } from './data/class-weight.js';
export type { DataBatch, Dataset } from './data/dataset.js';
export * as losses from './losses/index.js';
export { Loss, type LossOptions, type LossWeighting, type Reduction } from './losses/loss.js';
export * as metrics from './metrics/index.js';
export { Metric } from './metrics/metric.js';
export {
  Adadelta,
  type AdadeltaOptions,
  Adagrad,
  type AdagradOptions,
  Adam,
  Adamax,
  type AdamaxOptions,
  type AdamOptions,
  AdamW,
  type AdamWOptions,
  adadelta,
  adagrad,
  adam,
  adamax,
  adamW,
  clipByGlobalNorm,
  clipByNorm,
  clipByValue,
  deserializeOptimizer,
  getOptimizer,
  globalNorm,
  listOptimizerClasses,
  listOptimizers,
  Nadam,
  type NadamOptions,
  nadam,
  Optimizer,
  type OptimizerClass,
  type OptimizerConfig,
  type OptimizerOptions,
  type OptimizerSlotValue,
  type OptimizerState,
  type OptimizerVariable,
  RMSprop,
  type RmspropOptions,
  rmsprop,
  type SerializedOptimizer,
  SGD,
  type SgdOptions,
  type SlotSpec,
  serializeOptimizer,
  sgd,
  type UpdateArgs,
  type UpdateResult,
} from './optimizers/index.js';
export type {
  DataOptions,
  EvaluateDatasetOptions,
  EvaluateOptions,
  FitBaseOptions,
  FitDatasetOptions,
  FitOptions,
  OnBatchOptions,
  ValidationData,
} from './options.js';
export {
  type CosineDecayOptions,
  cosineDecay,
  type ExponentialDecayOptions,
  exponentialDecay,
  type LearningRate,
  type LearningRateSchedule,
  type PiecewiseConstantDecayOptions,
  piecewiseConstantDecay,
  type StepDecayOptions,
  stepDecay,
} from './schedules.js';
export type { TbpttOptions } from './tbptt.js';
export type { TrainableModel } from './trainable.js';
