/**
 * Every exported function of the package that takes an options object rejects a key it does not know, naming the
 * function, the key, the closest valid option where one is close, and the options it accepts.
 */
import { SeqmodelError } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import {
  addingProblem,
  batchAsync,
  batches,
  bucketByLength,
  CharTokenizer,
  collate,
  copyTask,
  distractedRecallTask,
  embeddedReberTask,
  fitMinMaxScaler,
  fitStandardScaler,
  loadMobyDick,
  loadSeattleWeather,
  loadUsBirths,
  mackeyGlassSeries,
  mackeyGlassTask,
  nextTokenWindows,
  numWindows,
  paddedBatches,
  padSequences,
  parityTask,
  randomSplit,
  randomSplitIndices,
  shuffleAsync,
  sineForecastTask,
  sineSeries,
  slidingWindows,
  sumOfSinesSeries,
  timeSplit,
  toyClassificationTask,
  toyTaggingTask,
  Vocabulary,
  WordTokenizer,
  windowsAsync,
} from './index.js';

const data = addingProblem({ numSamples: 4, length: 3 });
const series = Float32Array.from({ length: 20 }, (_, i) => i);
const examples = [{ input: [1, 2], target: 1 }];
const tokenizer = CharTokenizer.fit('abc');

async function drain(iterable: AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
  for await (const _ of iterable) {
    // Consumed for its errors.
  }
}

/** [call, the message's start]: the call passes one misspelt option. */
const cases: [string, () => unknown, string][] = [
  [
    'addingProblem',
    () => addingProblem({ num_samples: 3 } as never),
    'addingProblem(options): unknown option "num_samples" (did you mean "numSamples"?); known options: numSamples, length, seed',
  ],
  [
    'copyTask',
    () => copyTask({ sequenceLen: 3 } as never),
    'copyTask(options): unknown option "sequenceLen" (did you mean "sequenceLength"?)',
  ],
  [
    'distractedRecallTask',
    () => distractedRecallTask({ numTarget: 2 } as never),
    'distractedRecallTask(options): unknown option "numTarget" (did you mean "numTargets"?)',
  ],
  [
    'mackeyGlassTask',
    () => mackeyGlassTask({ Tau: 17 } as never),
    'mackeyGlassTask(options): unknown option "Tau" (did you mean "tau"?)',
  ],
  [
    'mackeyGlassSeries',
    () => mackeyGlassSeries({ length: 5, betta: 0.2 } as never),
    'mackeyGlassSeries(options): unknown option "betta" (did you mean "beta"?)',
  ],
  [
    'parityTask',
    () => parityTask({ per_step: true } as never),
    'parityTask(options): unknown option "per_step" (did you mean "perStep"?)',
  ],
  [
    'embeddedReberTask',
    () => embeddedReberTask({ maxlength: 9 } as never),
    'embeddedReberTask(options): unknown option "maxlength" (did you mean "maxLength"?)',
  ],
  [
    'sineForecastTask',
    () => sineForecastTask({ horizont: 2 } as never),
    'sineForecastTask(options): unknown option "horizont" (did you mean "horizon"?)',
  ],
  [
    'sineSeries',
    () => sineSeries({ length: 5, periode: 3 } as never),
    'sineSeries(options): unknown option "periode" (did you mean "period"?)',
  ],
  [
    'sumOfSinesSeries',
    () => sumOfSinesSeries({ length: 5, components: [{ period: 3 }], noisestd: 1 } as never),
    'sumOfSinesSeries(options): unknown option "noisestd" (did you mean "noiseStd"?)',
  ],
  [
    'sumOfSinesSeries components',
    () => sumOfSinesSeries({ length: 5, components: [{ period: 3, amplitud: 1 }] } as never),
    'sumOfSinesSeries(options.components[0]): unknown option "amplitud" (did you mean "amplitude"?)',
  ],
  [
    'toyClassificationTask',
    () => toyClassificationTask({ numClass: 3 } as never),
    'toyClassificationTask(options): unknown option "numClass" (did you mean "numClasses"?)',
  ],
  [
    'toyTaggingTask',
    () => toyTaggingTask({ vocab_size: 3 } as never),
    'toyTaggingTask(options): unknown option "vocab_size" (did you mean "vocabSize"?)',
  ],
  [
    'batches',
    () => [...batches(data, { batch_size: 2 } as never)],
    'batches(options): unknown option "batch_size" (did you mean "batchSize"?); known options: batchSize, shuffle, seed, epoch, dropRemainder',
  ],
  [
    'bucketByLength',
    () => bucketByLength([1, 2], { batchsize: 2 } as never),
    'bucketByLength(options): unknown option "batchsize" (did you mean "batchSize"?)',
  ],
  [
    'collate',
    () => collate(examples, { padvalue: 0 } as never),
    'collate(options): unknown option "padvalue" (did you mean "padValue"?)',
  ],
  [
    'paddedBatches',
    () => [...paddedBatches(examples, { batchSize: 1, shufle: true } as never)],
    'paddedBatches(options): unknown option "shufle" (did you mean "shuffle"?)',
  ],
  [
    'paddedBatches bucket',
    () => [...paddedBatches(examples, { batchSize: 1, bucket: { boundries: [2] } } as never)],
    'paddedBatches(options.bucket): unknown option "boundries" (did you mean "boundaries"?)',
  ],
  [
    'padSequences',
    () => padSequences([[1]], { max_length: 2 } as never),
    'padSequences(options): unknown option "max_length" (did you mean "maxLength"?)',
  ],
  [
    'slidingWindows',
    () => slidingWindows(series, { input_length: 2 } as never),
    'slidingWindows(options): unknown option "input_length" (did you mean "inputLength"?)',
  ],
  [
    'numWindows',
    () => numWindows(20, { inputLength: 2, strides: 2 } as never),
    'numWindows(options): unknown option "strides" (did you mean "stride"?)',
  ],
  [
    'timeSplit',
    () => timeSplit(series, { train: 0.5, Test: 0.5 } as never),
    'fractions: unknown option "Test" (did you mean "test"?)',
  ],
  [
    'randomSplit',
    () => randomSplit(data, { train: 0.5, valid: 0.5 } as never),
    'fractions: unknown option "valid"; known options: train, validation, test',
  ],
  [
    'randomSplitIndices',
    () => randomSplitIndices(4, { trian: 1 } as never),
    'fractions: unknown option "trian"',
  ],
  [
    'Scaler.transform',
    () => fitStandardScaler(series).transform(series, { column: [0] } as never),
    'transform(options): unknown option "column" (did you mean "columns"?)',
  ],
  [
    'Scaler.inverseTransform',
    () => fitStandardScaler(series).inverseTransform(series, { cols: [0] } as never),
    'inverseTransform(options): unknown option "cols"',
  ],
  [
    'fitMinMaxScaler',
    () => fitMinMaxScaler(series, { feature_range: [0, 1] } as never),
    'fitMinMaxScaler(options): unknown option "feature_range" (did you mean "featureRange"?)',
  ],
  [
    'nextTokenWindows',
    () => nextTokenWindows([1, 2, 3], { sequence_length: 1 } as never),
    'nextTokenWindows(options): unknown option "sequence_length" (did you mean "sequenceLength"?)',
  ],
  [
    'CharTokenizer.fit',
    () => CharTokenizer.fit('ab', { min_count: 1 } as never),
    'CharTokenizer.fit(options): unknown option "min_count" (did you mean "minCount"?)',
  ],
  [
    'CharTokenizer.fit lowercase',
    () => CharTokenizer.fit('ab', { lowercase: true } as never),
    'CharTokenizer.fit(options): unknown option "lowercase"; known options: minCount, maxSize, specialTokens',
  ],
  [
    'WordTokenizer.fit',
    () => WordTokenizer.fit('a b', { lowerCase: false } as never),
    'WordTokenizer.fit(options): unknown option "lowerCase" (did you mean "lowercase"?)',
  ],
  [
    'WordTokenizer',
    () => new WordTokenizer(tokenizer.vocabulary, { lower: true } as never),
    'WordTokenizer(options): unknown option "lower"',
  ],
  [
    'encode',
    () => tokenizer.encode('ab', { addBOS: true } as never),
    'encode(options): unknown option "addBOS" (did you mean "addBos"?)',
  ],
  [
    'decode',
    () => tokenizer.decode([1], { skip_special: true } as never),
    'decode(options): unknown option "skip_special" (did you mean "skipSpecial"?)',
  ],
  [
    'Vocabulary.build',
    () => Vocabulary.build(['a'], { max_size: 9 } as never),
    'Vocabulary.build(options): unknown option "max_size" (did you mean "maxSize"?)',
  ],
  [
    'Vocabulary.fromCounts specialTokens',
    () => Vocabulary.fromCounts(new Map(), { specialTokens: { UNK: null } } as never),
    'specialTokens: unknown option "UNK" (did you mean "unk"?); known options: pad, unk, bos, eos',
  ],
  [
    'Vocabulary specialTokens',
    () => new Vocabulary(['a'], { paddding: 'a' } as never),
    'specialTokens: unknown option "paddding"',
  ],
];

const asyncCases: [string, () => Promise<unknown>, string][] = [
  [
    'loadUsBirths',
    () => loadUsBirths({ Source: 'x' } as never),
    'loadUsBirths(options): unknown option "Source" (did you mean "source"?); known options: source',
  ],
  [
    'loadSeattleWeather',
    () => loadSeattleWeather({ column: ['wind'] } as never),
    'loadSeattleWeather(options): unknown option "column" (did you mean "columns"?)',
  ],
  [
    'loadMobyDick',
    () => loadMobyDick({ url: 'x' } as never),
    'loadMobyDick(options): unknown option "url"; known options: source',
  ],
  [
    'CharTokenizer.fitAsync',
    () => CharTokenizer.fitAsync((async function* () {})(), { maxsize: 3 } as never),
    'CharTokenizer.fitAsync(options): unknown option "maxsize" (did you mean "maxSize"?)',
  ],
  [
    'WordTokenizer.fitAsync',
    () => WordTokenizer.fitAsync((async function* () {})(), { mincount: 3 } as never),
    'WordTokenizer.fitAsync(options): unknown option "mincount" (did you mean "minCount"?)',
  ],
  [
    'windowsAsync',
    () => drain(windowsAsync([[1], [2]], { inputLength: 1, horizn: 1 } as never)),
    'windowsAsync(options): unknown option "horizn" (did you mean "horizon"?)',
  ],
  [
    'shuffleAsync',
    () => drain(shuffleAsync([1], { buffer_size: 1 } as never)),
    'shuffleAsync(options): unknown option "buffer_size" (did you mean "bufferSize"?)',
  ],
  [
    'batchAsync',
    () => drain(batchAsync(examples, { batchSize: 1, drop_remainder: true } as never)),
    'batchAsync(options): unknown option "drop_remainder" (did you mean "dropRemainder"?)',
  ],
];

describe('unknown options', () => {
  it.each(cases)('%s', (_, call, message) => {
    expect(call).toThrow(SeqmodelError);
    expect(call).toThrow(message);
  });

  it.each(asyncCases)('%s', async (_, call, message) => {
    await expect(call()).rejects.toThrow(SeqmodelError);
    await expect(call()).rejects.toThrow(message);
  });

  it('still accepts every documented option', () => {
    expect(() => [
      ...paddedBatches(examples, {
        batchSize: 1,
        shuffle: true,
        seed: 1,
        epoch: 0,
        dropRemainder: false,
        bucket: { boundaries: [2] },
        padding: 'post',
        maxLength: 3,
        truncating: 'post',
        padValue: 0,
        targetPadValue: 0,
        dtype: 'int32',
        targetDtype: 'int32',
      }),
    ]).not.toThrow();
    expect(
      mackeyGlassTask({
        numSamples: 2,
        inputLength: 3,
        horizon: 1,
        stride: 1,
        tau: 17,
        beta: 0.2,
        gamma: 0.1,
        n: 10,
        dt: 0.1,
        sampleStep: 1,
        x0: 1.2,
        historyNoise: 0.1,
        warmup: 10,
        noiseStd: 0,
        seed: 3,
      }).inputs.shape,
    ).toEqual([2, 3, 1]);
    expect(
      WordTokenizer.fit('A b', {
        lowercase: false,
        minCount: 1,
        maxSize: 10,
        specialTokens: { bos: null },
      }).tokenize('A'),
    ).toEqual(['A']);
  });
});
