/**
 * `@seqmodel/datasets`: data for sequence models. Seeded synthetic tasks that show what a recurrent cell can and
 * cannot remember, small real data sets shipped in the package, CSV and text loaders that stream, tokenizers, and
 * the transforms that turn sequences into batches: windows, normalization, splits, padding, masks, bucketing,
 * shuffling. Batches are typed arrays with shapes; `toTensors` turns them into tensors of any `Backend`.
 */

// Arrays, data sets and batches.
export {
  type BatchOptions,
  batches,
  chunkIndices,
  numBatches,
  numExamples,
  type SequenceBatch,
  type SequenceData,
  selectExamples,
  shuffledIndices,
} from './batch.js';
// Loaders.
export {
  type CsvOptions,
  CsvParser,
  type CsvRow,
  type CsvTable,
  loadCsv,
  type MissingPolicy,
  parseCsv,
  streamCsv,
  tableColumn,
} from './io/csv.js';
export { type Chunk, type DataSource, loadText, openSource, streamLines, streamText } from './io/source.js';
// Real data shipped in the package.
export {
  loadMobyDick,
  loadSeattleWeather,
  loadUsBirths,
  mobyDickUrl,
  type SeattleWeatherColumn,
  SHIPPED_DATASETS,
  type ShippedDataset,
  type ShippedLoadOptions,
  seattleWeatherUrl,
  shippedDataset,
  usBirthsUrl,
} from './real-data.js';
// Async pipelines.
export {
  type AsyncBatchOptions,
  batchAsync,
  mapAsync,
  prefetch,
  shuffleAsync,
  windowsAsync,
} from './stream/async.js';
// Synthetic tasks.
export { type AddingProblemOptions, addingProblem } from './tasks/adding-problem.js';
export { type CopyTaskOptions, copyTask } from './tasks/copy-task.js';
export { type DistractedRecallOptions, distractedRecallTask } from './tasks/distracted-recall.js';
export {
  type MackeyGlassOptions,
  type MackeyGlassTaskOptions,
  mackeyGlassSeries,
  mackeyGlassTask,
} from './tasks/mackey-glass.js';
export { type MemoryProbeOptions, memoryProbeTask } from './tasks/memory-probe.js';
export { type ParityOptions, parityTask } from './tasks/parity.js';
export {
  type EmbeddedReberOptions,
  type EmbeddedReberTask,
  embeddedReberNextSymbols,
  embeddedReberString,
  embeddedReberTask,
  REBER_SYMBOLS,
  type ReberSymbol,
  reberString,
} from './tasks/reber.js';
export {
  type SineComponent,
  type SineForecastOptions,
  type SineSeriesOptions,
  type SumOfSinesOptions,
  sineForecastTask,
  sineSeries,
  sumOfSinesSeries,
} from './tasks/sine.js';
export type { Baseline, BaselineMetric, Seed, SyntheticTask, TaskInfo } from './tasks/task.js';
export {
  type ToyClassificationOptions,
  toyClassificationTask,
  toyClassPeriod,
} from './tasks/toy-classification.js';
export { type ToyTaggingOptions, toyTaggingTask, toyWordTag } from './tasks/toy-tagging.js';
// Tensors.
export {
  allocLike,
  type DataArray,
  dtypeOf,
  gatherRows,
  oneHot,
  sliceRows,
  type TensorData,
  tensorData,
  toNested,
} from './tensor-data.js';
// Text.
export { type LanguageModelWindowOptions, nextTokenWindows } from './text/language-model.js';
export {
  CharTokenizer,
  type DecodeOptions,
  type EncodeOptions,
  loadTokenizer,
  saveTokenizer,
  type Tokenizer,
  type TokenizerJSON,
  tokenizerFromJSON,
  WordTokenizer,
  type WordTokenizerOptions,
} from './text/tokenizer.js';
export {
  loadVocabulary,
  type SpecialTokens,
  saveVocabulary,
  TokenCounter,
  Vocabulary,
  type VocabularyJSON,
  type VocabularyOptions,
} from './text/vocabulary.js';
export { type BatchTensors, toTensor, toTensors } from './to-tensors.js';
// Transforms.
export { type BucketOptions, bucketByLength, paddingFraction } from './transforms/bucket.js';
export {
  type CollateOptions,
  collate,
  type Example,
  type PaddedBatchOptions,
  paddedBatches,
} from './transforms/collate.js';
export {
  fitMinMaxScaler,
  fitStandardScaler,
  type ScalableData,
  type ScaleOptions,
  Scaler,
  type ScalerJSON,
} from './transforms/normalize.js';
export {
  type PaddedSequences,
  type PaddingSide,
  type PadOptions,
  padSequences,
  type Sequence,
} from './transforms/pad.js';
export {
  randomSplit,
  randomSplitIndices,
  type SplitFractions,
  type Splits,
  splitSizes,
  timeSplit,
} from './transforms/split.js';
export { numWindows, type Series, slidingWindows, type WindowOptions } from './transforms/windows.js';
