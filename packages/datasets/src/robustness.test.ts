/**
 * The robustness suite for `@seqmodel/datasets`: bad arguments generated over every public entry point (tasks,
 * loaders, the CSV reader, tokenizers, vocabulary, windowing, padding, bucketing, batching, collate), each call
 * classified by core's rule (`@seqmodel/core/testing`: clear error / silent / unclear error / crash / leak / changed) and required to be a
 * clear error: a `SeqmodelError` whose message names the argument and says what was received or expected.
 *
 * Option values come from categories (a positive integer, a boolean, a fraction, ...): fixed bad values of each
 * category plus values drawn by fast-check from a fixed seed, so that the suite is the same on every run.
 */
import { createReferenceBackend } from '@seqmodel/core';
import { type RobustnessCase, robustnessChecks } from '@seqmodel/core/testing';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addingProblem,
  batchAsync,
  batches,
  bucketByLength,
  CharTokenizer,
  chunkIndices,
  collate,
  copyTask,
  distractedRecallTask,
  embeddedReberTask,
  fitMinMaxScaler,
  fitStandardScaler,
  gatherRows,
  loadCsv,
  loadMobyDick,
  loadSeattleWeather,
  loadText,
  loadUsBirths,
  mackeyGlassSeries,
  mackeyGlassTask,
  mapAsync,
  memoryProbeTask,
  nextTokenWindows,
  numBatches,
  numExamples,
  numWindows,
  oneHot,
  paddedBatches,
  padSequences,
  parityTask,
  parseCsv,
  prefetch,
  randomSplit,
  randomSplitIndices,
  Scaler,
  selectExamples,
  shuffleAsync,
  shuffledIndices,
  sineForecastTask,
  sineSeries,
  sliceRows,
  slidingWindows,
  streamCsv,
  streamLines,
  sumOfSinesSeries,
  tableColumn,
  tensorData,
  timeSplit,
  tokenizerFromJSON,
  toNested,
  toTensors,
  toyClassificationTask,
  toyTaggingTask,
  Vocabulary,
  WordTokenizer,
  windowsAsync,
} from './index.js';

const seed = 20_240_611;
const draw = <T>(arb: fc.Arbitrary<T>, n = 2): T[] => fc.sample(arb, { seed, numRuns: n });

/** Bad values by what the option expects, each with a label for the case's name. */
type Category = readonly [label: string, value: unknown][];
const labelled = (values: readonly unknown[]): [string, unknown][] =>
  values.map((v) => [
    typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : String(v),
    v,
  ]);

const notNumbers: Category = labelled(['4', true, {}, [2]]);
const positiveInteger: Category = [
  ...labelled([0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY]),
  ...labelled(draw(fc.integer({ min: -1000, max: 0 }))),
  ...labelled(draw(fc.double({ min: 0.01, max: 100, noInteger: true, noNaN: true }))),
  ...notNumbers,
];
const nonNegativeInteger: Category = labelled([-1, 1.5, Number.NaN, '2', ...draw(fc.integer({ max: -1 }))]);
const finiteNumber: Category = labelled([Number.NaN, Number.POSITIVE_INFINITY, '1', {}]);
const positiveNumber: Category = labelled([0, -2, Number.NaN, Number.POSITIVE_INFINITY, '3']);
const nonNegativeNumber: Category = labelled([
  -0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '1',
  ...draw(fc.double({ max: -1e-3, min: -1e6, noNaN: true })),
]);
const fraction: Category = labelled([-0.1, 1.5, Number.NaN, '0.5']);
const boolean: Category = labelled(['yes', 1, {}]);
const seedValue: Category = labelled([1.5, Number.NaN, {}, true, [1]]);
// `null` means the default, as `undefined` does (documented in the README), so it is not a bad value.
const choice: Category = labelled(['bogus', 3]);
const notAnOptionsObject: Category = labelled([5, 'fast', [1], null]);

interface OptionsSpec {
  readonly entry: string;
  /** A valid options object; each case replaces one key. */
  readonly base: Readonly<Record<string, unknown>>;
  readonly keys: Readonly<Record<string, Category>>;
  readonly call: (options: unknown) => unknown;
  /** A misspelt option name, for the unknown-option case. */
  readonly misspelt: string;
  /** How errors name the options argument (default `(options)`, as in `batches(options)`). */
  readonly optionsArgument?: string;
}

const examples = [
  { input: [1, 2, 3], target: [1, 0, 1] },
  { input: [4, 5], target: [0, 1] },
];
const series = Float32Array.from({ length: 20 }, (_, i) => Math.sin(i));
const task = addingProblem({ numSamples: 4, length: 3 });
const tokenizer = CharTokenizer.fit('abc');

const optionSpecs: OptionsSpec[] = [
  {
    entry: 'addingProblem',
    base: { numSamples: 2, length: 4 },
    keys: { numSamples: positiveInteger, length: positiveInteger, seed: seedValue },
    call: (o) => addingProblem(o as never),
    misspelt: 'numSample',
  },
  {
    entry: 'copyTask',
    base: { numSamples: 2, sequenceLength: 2, delay: 2 },
    keys: {
      numSamples: positiveInteger,
      sequenceLength: positiveInteger,
      delay: positiveInteger,
      numSymbols: positiveInteger,
      seed: seedValue,
    },
    call: (o) => copyTask(o as never),
    misspelt: 'numSymbol',
  },
  {
    entry: 'distractedRecallTask',
    base: { numSamples: 2 },
    keys: {
      numSamples: positiveInteger,
      length: positiveInteger,
      numTargets: positiveInteger,
      numTargetSymbols: positiveInteger,
      numDistractors: positiveInteger,
      seed: seedValue,
    },
    call: (o) => distractedRecallTask(o as never),
    misspelt: 'numDistractor',
  },
  {
    entry: 'mackeyGlassTask',
    base: { numSamples: 2, inputLength: 3, warmup: 1 },
    keys: {
      numSamples: positiveInteger,
      inputLength: positiveInteger,
      horizon: positiveInteger,
      stride: positiveInteger,
      tau: positiveNumber,
      beta: nonNegativeNumber,
      gamma: nonNegativeNumber,
      n: nonNegativeNumber,
      dt: positiveNumber,
      sampleStep: positiveNumber,
      x0: nonNegativeNumber,
      historyNoise: nonNegativeNumber,
      warmup: nonNegativeNumber,
      noiseStd: nonNegativeNumber,
      seed: seedValue,
    },
    call: (o) => mackeyGlassTask(o as never),
    misspelt: 'Tau',
  },
  {
    entry: 'mackeyGlassSeries',
    base: { length: 5, warmup: 1 },
    keys: { length: positiveInteger, dt: positiveNumber, noiseStd: nonNegativeNumber, seed: seedValue },
    call: (o) => mackeyGlassSeries(o as never),
    misspelt: 'lenght',
  },
  {
    entry: 'memoryProbeTask',
    base: { numSamples: 2, lags: [1, 2], length: 4 },
    keys: {
      numSamples: positiveInteger,
      lags: labelled([[], [0], [1, 1], [2.5], 3, '1,2']),
      length: [...positiveInteger, ['no longer than the largest lag', 2]],
      seed: seedValue,
    },
    call: (o) => memoryProbeTask(o as never),
    misspelt: 'lag',
  },
  {
    entry: 'parityTask',
    base: { numSamples: 2, length: 3 },
    keys: { numSamples: positiveInteger, length: positiveInteger, perStep: boolean, seed: seedValue },
    call: (o) => parityTask(o as never),
    misspelt: 'per_step',
  },
  {
    entry: 'embeddedReberTask',
    base: { numSamples: 2 },
    keys: { numSamples: positiveInteger, maxLength: positiveInteger, seed: seedValue },
    call: (o) => embeddedReberTask(o as never),
    misspelt: 'maxlen',
  },
  {
    entry: 'sineForecastTask',
    base: { numSamples: 2, inputLength: 4 },
    keys: {
      numSamples: positiveInteger,
      inputLength: positiveInteger,
      horizon: positiveInteger,
      numComponents: positiveInteger,
      minPeriod: positiveNumber,
      maxPeriod: positiveNumber,
      amplitude: finiteNumber,
      noiseStd: nonNegativeNumber,
      seed: seedValue,
    },
    call: (o) => sineForecastTask(o as never),
    misspelt: 'horizont',
  },
  {
    entry: 'sineSeries',
    base: { length: 4 },
    keys: {
      length: positiveInteger,
      period: positiveNumber,
      amplitude: finiteNumber,
      phase: finiteNumber,
      noiseStd: nonNegativeNumber,
      seed: seedValue,
    },
    call: (o) => sineSeries(o as never),
    misspelt: 'periode',
  },
  {
    entry: 'sumOfSinesSeries',
    base: { length: 4, components: [{ period: 3 }] },
    keys: {
      length: positiveInteger,
      components: labelled([[], 'x', [{ period: -1 }], [5]]),
      noiseStd: nonNegativeNumber,
    },
    call: (o) => sumOfSinesSeries(o as never),
    misspelt: 'component',
  },
  {
    entry: 'toyClassificationTask',
    base: { numSamples: 2 },
    keys: {
      numSamples: positiveInteger,
      numClasses: positiveInteger,
      minLength: positiveInteger,
      maxLength: positiveInteger,
      minPeriod: positiveNumber,
      maxPeriod: positiveNumber,
      noiseStd: nonNegativeNumber,
      seed: seedValue,
    },
    call: (o) => toyClassificationTask(o as never),
    misspelt: 'numClass',
  },
  {
    entry: 'toyTaggingTask',
    base: { numSamples: 2 },
    keys: {
      numSamples: positiveInteger,
      vocabSize: positiveInteger,
      numTags: positiveInteger,
      numAmbiguous: nonNegativeInteger,
      minLength: positiveInteger,
      maxLength: positiveInteger,
      seed: seedValue,
    },
    call: (o) => toyTaggingTask(o as never),
    misspelt: 'vocab_size',
  },
  {
    entry: 'batches',
    base: { batchSize: 2 },
    keys: {
      batchSize: positiveInteger,
      shuffle: boolean,
      seed: seedValue,
      epoch: nonNegativeInteger,
      dropRemainder: boolean,
    },
    call: (o) => batches(task, o as never),
    misspelt: 'batch_size',
  },
  {
    entry: 'bucketByLength',
    base: { batchSize: 2 },
    keys: {
      batchSize: positiveInteger,
      boundaries: labelled([[3, 2], [0], [1.5], 'x']),
      shuffle: boolean,
      seed: seedValue,
      epoch: nonNegativeInteger,
      dropRemainder: boolean,
    },
    call: (o) => bucketByLength([1, 2, 3], o as never),
    misspelt: 'boundary_list',
  },
  {
    entry: 'paddedBatches',
    base: { batchSize: 1 },
    keys: {
      batchSize: positiveInteger,
      maxLength: positiveInteger,
      padding: choice,
      truncating: choice,
      padValue: labelled([Number.NaN, '0']),
      targetPadValue: labelled([Number.NaN, '0']),
      dtype: choice,
      targetDtype: choice,
      shuffle: boolean,
      bucket: labelled(['yes', 3]),
    },
    call: (o) => paddedBatches(examples, o as never),
    misspelt: 'shufle',
  },
  {
    entry: 'collate',
    base: {},
    keys: {
      maxLength: positiveInteger,
      padding: choice,
      truncating: choice,
      padValue: labelled([Number.NaN, '0']),
      dtype: choice,
      targetDtype: choice,
    },
    call: (o) => collate(examples, o as never),
    misspelt: 'padvalue',
  },
  {
    entry: 'padSequences',
    base: {},
    keys: {
      maxLength: positiveInteger,
      padding: choice,
      truncating: choice,
      value: labelled([Number.NaN, '0', {}]),
      dtype: choice,
    },
    call: (o) => padSequences([[1, 2], [3]], o as never),
    misspelt: 'max_length',
  },
  {
    entry: 'slidingWindows',
    base: { inputLength: 2 },
    keys: {
      inputLength: positiveInteger,
      horizon: positiveInteger,
      stride: positiveInteger,
      gap: nonNegativeInteger,
      targetColumns: labelled([[], [1], [-1], 'x']),
    },
    call: (o) => slidingWindows(series, o as never),
    misspelt: 'input_length',
  },
  {
    entry: 'numWindows',
    base: { inputLength: 2 },
    keys: { inputLength: positiveInteger, stride: positiveInteger, gap: nonNegativeInteger },
    call: (o) => numWindows(20, o as never),
    misspelt: 'strides',
  },
  {
    entry: 'nextTokenWindows',
    base: { sequenceLength: 2 },
    keys: { sequenceLength: positiveInteger, stride: positiveInteger },
    call: (o) => nextTokenWindows([1, 2, 3, 4, 5], o as never),
    misspelt: 'seqLength',
  },
  {
    entry: 'timeSplit',
    base: { train: 0.5 },
    keys: { train: fraction, validation: fraction, test: fraction },
    call: (o) => timeSplit(series, o as never),
    misspelt: 'Test',
    optionsArgument: 'fractions',
  },
  {
    entry: 'fitMinMaxScaler',
    base: {},
    keys: { featureRange: labelled([[1, 0], [0], 'x', [0, Number.NaN]]) },
    call: (o) => fitMinMaxScaler(series, o as never),
    misspelt: 'feature_range',
  },
  {
    entry: 'Scaler.transform',
    base: {},
    keys: { columns: labelled([[1], [-1], 'x']) },
    call: (o) => fitStandardScaler(series).transform(series, o as never),
    misspelt: 'column',
  },
  {
    entry: 'CharTokenizer.fit',
    base: {},
    keys: {
      minCount: positiveInteger,
      maxSize: positiveInteger,
      specialTokens: labelled(['x', { pad: 5 }, { unk: '' }, { bos: '<pad>' }]),
    },
    call: (o) => CharTokenizer.fit('abc', o as never),
    misspelt: 'min_count',
  },
  {
    entry: 'WordTokenizer.fit',
    base: {},
    keys: { lowercase: boolean, minCount: positiveInteger },
    call: (o) => WordTokenizer.fit('a b', o as never),
    misspelt: 'lowerCase',
  },
  {
    entry: 'encode',
    base: {},
    keys: { addBos: boolean, addEos: boolean },
    call: (o) => tokenizer.encode('ab', o as never),
    misspelt: 'addBOS',
  },
  {
    entry: 'decode',
    base: {},
    keys: { skipSpecial: boolean },
    call: (o) => tokenizer.decode([1], o as never),
    misspelt: 'skip_special',
  },
  {
    entry: 'Vocabulary.build',
    base: {},
    keys: { minCount: positiveInteger, maxSize: positiveInteger },
    call: (o) => Vocabulary.build(['a'], o as never),
    misspelt: 'max_size',
  },
  {
    entry: 'parseCsv',
    base: {},
    keys: {
      delimiter: labelled(['', '"', 5, '\n']),
      header: boolean,
      columnNames: labelled(['a', [1]]),
      columns: labelled([[], 'a', [{}], [5], ['nope']]),
      dateColumn: labelled([true, 'nope', 9]),
      parseDate: labelled(['iso']),
      missing: choice,
      fillValue: labelled([Number.NaN, 'x', 1e39]),
      missingValues: labelled(['NA', [1]]),
    },
    call: (o) => parseCsv('a,b\n1,2\n', o as never),
    misspelt: 'delimeter',
  },
  {
    entry: 'loadCsv',
    base: {},
    keys: { encoding: choice, missing: choice, delimiter: labelled(['']) },
    call: (o) => loadCsv(['a\n1\n'], o as never),
    misspelt: 'encodng',
  },
  {
    entry: 'streamCsv',
    base: {},
    keys: { encoding: choice, missing: labelled(['interpolate', 'bogus']) },
    call: (o) => streamCsv(['a\n1\n'], o as never),
    misspelt: 'header_row',
  },
  {
    entry: 'loadText',
    base: {},
    keys: { encoding: choice },
    call: (o) => loadText(['x'], o as never),
    misspelt: 'charset',
  },
  {
    entry: 'streamLines',
    base: {},
    keys: { encoding: choice },
    call: (o) => streamLines(['x'], o as never),
    misspelt: 'encodings',
  },
  {
    entry: 'shuffleAsync',
    base: { bufferSize: 2 },
    keys: { bufferSize: positiveInteger, seed: seedValue },
    call: (o) => shuffleAsync([1, 2, 3], o as never),
    misspelt: 'buffer_size',
  },
  {
    entry: 'batchAsync',
    base: { batchSize: 1 },
    keys: { batchSize: positiveInteger, dropRemainder: boolean, padding: choice },
    call: (o) => batchAsync(examples, o as never),
    misspelt: 'batch_size',
  },
  {
    entry: 'windowsAsync',
    base: { inputLength: 2 },
    keys: { inputLength: positiveInteger, horizon: positiveInteger, gap: nonNegativeInteger },
    call: (o) => windowsAsync([[1], [2], [3], [4]], o as never),
    misspelt: 'horizn',
  },
  {
    entry: 'loadSeattleWeather',
    base: {},
    keys: { columns: labelled([['nope'], 'wind']), source: labelled([42, {}]) },
    call: (o) => loadSeattleWeather(o as never),
    misspelt: 'column',
  },
];

/** Cases with a misspelt option name, a non-object options argument, and each bad value of each option. */
function optionCases(spec: OptionsSpec): RobustnessCase[] {
  const cases: RobustnessCase[] = [
    {
      entry: spec.entry,
      argument: `unknown option ${JSON.stringify(spec.misspelt)}`,
      received: `option ${spec.misspelt}`,
      call: () => spec.call({ ...spec.base, [spec.misspelt]: 1 }),
    },
  ];
  for (const [label, value] of notAnOptionsObject) {
    cases.push({
      entry: spec.entry,
      argument: spec.optionsArgument ?? '(options)',
      received: label,
      call: () => spec.call(value),
    });
  }
  for (const [key, category] of Object.entries(spec.keys)) {
    for (const [label, value] of category) {
      cases.push({
        entry: spec.entry,
        argument: key,
        received: `${key}: ${label}`,
        call: () => spec.call({ ...spec.base, [key]: value }),
      });
    }
  }
  return cases;
}

const data = task;
const vocabulary = tokenizer.vocabulary;
const rows = tensorData(Float32Array.from([1, 2, 3, 4]), [2, 2]);
const reference = createReferenceBackend();

/** Bad arguments other than options, one by one. */
const argumentCases: RobustnessCase[] = [
  // Batching.
  {
    entry: 'batches',
    argument: 'inputs',
    received: 'a data set without inputs',
    call: () => batches({} as never, { batchSize: 2 }),
  },
  {
    entry: 'batches',
    argument: 'targets',
    received: 'targets of another length',
    call: () =>
      batches({ inputs: task.inputs, targets: tensorData(new Float32Array(3), [3, 1]) }, { batchSize: 2 }),
  },
  {
    entry: 'numExamples',
    argument: 'inputs',
    received: 'a number',
    call: () => numExamples({ inputs: 5 } as never),
  },
  { entry: 'numBatches', argument: 'numExamples', received: '-1', call: () => numBatches(-1, 2) },
  { entry: 'numBatches', argument: 'numExamples', received: '2.5', call: () => numBatches(2.5, 2) },
  { entry: 'numBatches', argument: 'batchSize', received: '0', call: () => numBatches(5, 0) },
  { entry: 'shuffledIndices', argument: 'n', received: '-1', call: () => shuffledIndices(-1) },
  { entry: 'shuffledIndices', argument: 'n', received: '2.5', call: () => shuffledIndices(2.5) },
  {
    entry: 'shuffledIndices',
    argument: 'seed',
    received: 'an object',
    call: () => shuffledIndices(3, {} as never),
  },
  { entry: 'chunkIndices', argument: 'order', received: 'a number', call: () => chunkIndices(5 as never, 2) },
  { entry: 'chunkIndices', argument: 'batchSize', received: '0', call: () => chunkIndices([1, 2], 0) },
  {
    entry: 'selectExamples',
    argument: 'indices[0]',
    received: 'an index past the end',
    call: () => selectExamples(data, [99]),
  },
  { entry: 'selectExamples', argument: 'indices[0]', received: '-1', call: () => selectExamples(data, [-1]) },
  // Bucketing and padding.
  {
    entry: 'bucketByLength',
    argument: 'lengths[0]',
    received: '-1',
    call: () => bucketByLength([-1], { batchSize: 1 }),
  },
  {
    entry: 'bucketByLength',
    argument: 'lengths',
    received: 'null',
    call: () => bucketByLength(null as never, { batchSize: 1 }),
  },
  {
    entry: 'bucketByLength',
    argument: 'lengths[1]',
    received: '1.5',
    call: () => bucketByLength([1, 1.5], { batchSize: 1 }),
  },
  {
    entry: 'paddingFraction',
    argument: 'batches',
    received: 'a number',
    call: async () => (await import('./index.js')).paddingFraction([1, 2], 3 as never),
  },
  {
    entry: 'padSequences',
    argument: 'sequences',
    received: 'a string',
    call: () => padSequences('abc' as never),
  },
  {
    entry: 'padSequences',
    argument: 'sequences[1]',
    received: 'a string inside',
    call: () => padSequences([[1], 'x'] as never),
  },
  {
    entry: 'padSequences',
    argument: 'sequences[0][0]',
    received: 'NaN',
    call: () => padSequences([[Number.NaN]]),
  },
  {
    entry: 'padSequences',
    argument: 'sequences[0][0]',
    received: '1.5 with dtype int32',
    call: () => padSequences([[1.5]], { dtype: 'int32' }),
  },
  {
    entry: 'padSequences',
    argument: 'sequences[1][0]',
    received: 'a vector among numbers',
    call: () => padSequences([[1], [[1, 2]]] as never),
  },
  { entry: 'collate', argument: 'examples', received: 'an empty array', call: () => collate([]) },
  {
    entry: 'collate',
    argument: 'examples[0]',
    received: 'an example without input',
    call: () => collate([{}] as never),
  },
  {
    entry: 'collate',
    argument: 'examples[0].input',
    received: 'a number',
    call: () => collate([{ input: 5 }] as never),
  },
  {
    entry: 'collate',
    argument: 'examples[1].target',
    received: 'a missing target',
    call: () => collate([{ input: [1], target: 1 }, { input: [2] }]),
  },
  {
    entry: 'paddedBatches',
    argument: 'examples',
    received: 'a string',
    call: () => paddedBatches('abc' as never, { batchSize: 1 }),
  },
  // Windows and splits.
  {
    entry: 'slidingWindows',
    argument: 'series',
    received: 'a string',
    call: () => slidingWindows('abc' as never, { inputLength: 2 }),
  },
  {
    entry: 'slidingWindows',
    argument: 'inputLength + gap + horizon',
    received: 'a window longer than the series',
    call: () => slidingWindows(new Float32Array(3), { inputLength: 5 }),
  },
  { entry: 'numWindows', argument: 'time', received: '-1', call: () => numWindows(-1, { inputLength: 2 }) },
  {
    entry: 'nextTokenWindows',
    argument: 'ids',
    received: 'a string',
    call: () => nextTokenWindows('abcde' as never, { sequenceLength: 2 }),
  },
  {
    entry: 'nextTokenWindows',
    argument: 'ids[0]',
    received: '1.5',
    call: () => nextTokenWindows([1.5, 2, 3, 4], { sequenceLength: 2 }),
  },
  {
    entry: 'nextTokenWindows',
    argument: 'sequenceLength',
    received: 'more than the ids',
    call: () => nextTokenWindows([1], { sequenceLength: 2 }),
  },
  {
    entry: 'timeSplit',
    argument: 'series',
    received: 'a string',
    call: () => timeSplit('abc' as never, { train: 0.5 }),
  },
  {
    entry: 'timeSplit',
    argument: 'fractions',
    received: 'null',
    call: () => timeSplit(series, null as never),
  },
  {
    entry: 'timeSplit',
    argument: 'train + validation + test',
    received: 'fractions above 1',
    call: () => timeSplit(series, { train: 0.6, test: 0.6 }),
  },
  {
    entry: 'randomSplitIndices',
    argument: 'n',
    received: '-1',
    call: () => randomSplitIndices(-1, { train: 1 }),
  },
  {
    entry: 'randomSplit',
    argument: 'inputs',
    received: 'an empty object',
    call: () => randomSplit({} as never, { train: 1 }),
  },
  // Scaling.
  {
    entry: 'fitStandardScaler',
    argument: 'train',
    received: 'an empty series',
    call: () => fitStandardScaler(new Float32Array(0)),
  },
  {
    entry: 'fitStandardScaler',
    argument: 'train',
    received: 'a string',
    call: () => fitStandardScaler('x' as never),
  },
  {
    entry: 'Scaler.fromJSON',
    argument: 'json.kind',
    received: '"bogus"',
    call: () => Scaler.fromJSON({ kind: 'bogus', center: [0], scale: [1] } as never),
  },
  {
    entry: 'Scaler.fromJSON',
    argument: 'json',
    received: 'null',
    call: () => Scaler.fromJSON(null as never),
  },
  {
    entry: 'Scaler.fromJSON',
    argument: 'json.scale',
    received: 'a zero scale',
    call: () => Scaler.fromJSON({ kind: 'standard', center: [0], scale: [0] }),
  },
  {
    entry: 'Scaler.transform',
    argument: 'x',
    received: 'a string',
    call: () => fitStandardScaler(series).transform('x' as never),
  },
  // Host arrays.
  {
    entry: 'tensorData',
    argument: 'shape',
    received: 'a shape of another size',
    call: () => tensorData(new Float32Array(3), [2, 2]),
  },
  {
    entry: 'tensorData',
    argument: 'shape',
    received: 'a negative dimension',
    call: () => tensorData(new Float32Array(0), [-1]),
  },
  {
    entry: 'tensorData',
    argument: 'data',
    received: 'a plain array',
    call: () => tensorData([1, 2] as never, [2]),
  },
  {
    entry: 'gatherRows',
    argument: 'indices[0]',
    received: 'a row past the end',
    call: () => gatherRows(rows, [5]),
  },
  { entry: 'sliceRows', argument: 'start', received: 'start after end', call: () => sliceRows(rows, 2, 1) },
  {
    entry: 'sliceRows',
    argument: 'end',
    received: 'an end past the rows',
    call: () => sliceRows(rows, 0, 9),
  },
  {
    entry: 'oneHot',
    argument: 'ids',
    received: 'an id of -1',
    call: () => oneHot(tensorData(Int32Array.from([-1]), [1]), 3),
  },
  {
    entry: 'oneHot',
    argument: 'depth',
    received: '0',
    call: () => oneHot(tensorData(Int32Array.from([0]), [1]), 0),
  },
  { entry: 'toNested', argument: 'x', received: 'a string', call: () => toNested('x' as never) },
  { entry: 'toTensors', argument: 'backend', received: 'null', call: () => toTensors(null as never, task) },
  {
    entry: 'toTensors',
    argument: 'inputs',
    received: 'a batch without inputs',
    call: () => toTensors(reference, {} as never),
  },
  // Text.
  {
    entry: 'CharTokenizer.fit',
    argument: 'texts',
    received: 'a number',
    call: () => CharTokenizer.fit(42 as never),
  },
  {
    entry: 'CharTokenizer.fit',
    argument: 'texts[1]',
    received: 'a number among strings',
    call: () => CharTokenizer.fit(['a', 3] as never),
  },
  {
    entry: 'WordTokenizer.fit',
    argument: 'texts',
    received: 'null',
    call: () => WordTokenizer.fit(null as never),
  },
  {
    entry: 'CharTokenizer.fitAsync',
    argument: 'chunks',
    received: 'a number',
    call: () => CharTokenizer.fitAsync(42 as never),
  },
  { entry: 'encode', argument: 'text', received: 'a number', call: () => tokenizer.encode(42 as never) },
  {
    entry: 'decode',
    argument: 'id',
    received: 'an id past the vocabulary',
    call: () => tokenizer.decode([99]),
  },
  { entry: 'decode', argument: 'id', received: '1.5', call: () => tokenizer.decode([1.5]) },
  { entry: 'decode', argument: 'ids', received: 'null', call: () => tokenizer.decode(null as never) },
  {
    entry: 'tokenizerFromJSON',
    argument: 'json',
    received: 'text that is not JSON',
    call: () => tokenizerFromJSON('not json'),
  },
  {
    entry: 'tokenizerFromJSON',
    argument: 'json.type',
    received: '"bogus"',
    call: () => tokenizerFromJSON({ type: 'bogus' } as never),
  },
  {
    entry: 'tokenizerFromJSON',
    argument: 'json',
    received: 'a tokenizer without a vocabulary',
    call: () => tokenizerFromJSON({ type: 'char' } as never),
  },
  {
    entry: 'Vocabulary',
    argument: 'tokens',
    received: 'a string',
    call: () => new Vocabulary('abc' as never),
  },
  {
    entry: 'Vocabulary',
    argument: 'tokens[1]',
    received: 'a repeated token',
    call: () => new Vocabulary(['a', 'a']),
  },
  {
    entry: 'Vocabulary',
    argument: 'specialTokens.unk',
    received: 'a token not in the vocabulary',
    call: () => new Vocabulary(['a'], { unk: '<unk>' }),
  },
  {
    entry: 'Vocabulary.fromJSON',
    argument: 'json',
    received: 'text that is not JSON',
    call: () => Vocabulary.fromJSON('{oops'),
  },
  {
    entry: 'Vocabulary.fromJSON',
    argument: 'json',
    received: 'tokens that are not an array',
    call: () => Vocabulary.fromJSON({ tokens: 5 } as never),
  },
  {
    entry: 'Vocabulary.fromCounts',
    argument: 'counts',
    received: 'a string',
    call: () => Vocabulary.fromCounts('x' as never),
  },
  {
    entry: 'Vocabulary.fromCounts',
    argument: 'counts',
    received: 'a negative count',
    call: () => Vocabulary.fromCounts(new Map([['a', -1]])),
  },
  { entry: 'Vocabulary.tokenOf', argument: 'id', received: '-1', call: () => vocabulary.tokenOf(-1) },
  {
    entry: 'Vocabulary.idOf',
    argument: 'token',
    received: 'a number',
    call: () => vocabulary.idOf(5 as never),
  },
  // CSV and text sources.
  { entry: 'parseCsv', argument: 'text', received: 'a number', call: () => parseCsv(42 as never) },
  {
    entry: 'parseCsv',
    argument: 'line 2, column "a"',
    received: 'a non-numeric cell',
    call: () => parseCsv('a\nx\n'),
  },
  {
    entry: 'parseCsv',
    argument: 'line 2, column "a"',
    received: 'a hexadecimal cell',
    call: () => parseCsv('a\n0x1A\n'),
  },
  {
    entry: 'parseCsv',
    argument: 'line 2, column "a"',
    received: 'a cell overflowing to Infinity',
    call: () => parseCsv('a\n1e999\n'),
  },
  { entry: 'parseCsv', argument: 'line 3', received: 'a ragged row', call: () => parseCsv('a,b\n1,2\n3\n') },
  {
    entry: 'tableColumn',
    argument: 'name',
    received: 'a missing column',
    call: () => tableColumn(parseCsv('a\n1\n'), 'nope'),
  },
  { entry: 'loadText', argument: 'source', received: 'a number', call: () => loadText(42 as never) },
  {
    entry: 'loadText',
    argument: 'source',
    received: 'a missing file',
    call: () => loadText('/no/such/seqmodel/file.txt'),
  },
  {
    entry: 'loadText',
    argument: 'source',
    received: 'invalid UTF-8',
    call: () => loadText([Uint8Array.of(0x61, 0xff)]),
  },
  {
    entry: 'loadText',
    argument: 'source',
    received: 'chunks that are numbers',
    call: () => loadText([1, 2] as never),
  },
  { entry: 'loadCsv', argument: 'source', received: 'null', call: () => loadCsv(null as never) },
  {
    entry: 'loadUsBirths',
    argument: 'source',
    received: 'a number',
    call: () => loadUsBirths({ source: 42 as never }),
  },
  {
    entry: 'loadMobyDick',
    argument: 'source',
    received: 'an object',
    call: () => loadMobyDick({ source: {} as never }),
  },
  // Async pipelines.
  { entry: 'mapAsync', argument: 'fn', received: 'a string', call: () => mapAsync([1], 'f' as never) },
  { entry: 'mapAsync', argument: 'source', received: 'a number', call: () => mapAsync(5 as never, (x) => x) },
  { entry: 'prefetch', argument: 'bufferSize', received: '0', call: () => prefetch([1], 0) },
  {
    entry: 'windowsAsync',
    argument: 'rows[1]',
    received: 'rows of different widths',
    call: () => windowsAsync([[1], [2, 3], [4]], { inputLength: 1 }),
  },
  {
    entry: 'batchAsync',
    argument: 'examples',
    received: 'a number',
    call: () => batchAsync(5 as never, { batchSize: 1 }),
  },
];

const cases: RobustnessCase[] = [...optionSpecs.flatMap(optionCases), ...argumentCases];
const checks = await robustnessChecks(cases, { suite: '@seqmodel/datasets', minimum: 150 });

describe('datasets robustness: every bad argument is a clear error', () => {
  for (const check of checks) it(check.name, check.run);

  it('covers every entry point', () => {
    expect(new Set(cases.map((c) => c.entry)).size).toBeGreaterThanOrEqual(60);
  });
});
