/**
 * The robustness suite: generated bad inputs over the public entry points of `@seqmodel/layers` (imported from the
 * package index, as users do): `fit`, `evaluate`, `predict`, `compile`, the optimizers, schedules, losses, metrics
 * and callbacks, every layer factory, model constructors and configs, `setWeights`, stream and stateful-layer states,
 * and places where a backend belongs. Each case is classified by core's rule (`robustnessChecks` from
 * `@seqmodel/core/testing`: clear error / silent / unclear error / crash / leak / changed) and must be a clear error: a
 * `SeqmodelError` naming the argument and saying what was received or expected, with no tensor left behind and the
 * model predicting (or holding states) exactly as before.
 *
 * Cases are drawn with fast-check from fixed seeds, so the suite is the same on every run: misspellings of every
 * known option (snake_case, a dropped, doubled or swapped letter), values of the wrong type or range for typed
 * options, and bad data written out (wrong shapes, NaN with `checkNumerics`, empty data, masks other than 0/1, token
 * ids out of range or not integers).
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { type RobustnessCase, robustnessChecks } from '@seqmodel/core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import * as fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  activation,
  adagrad,
  adam,
  adamW,
  bidirectional,
  cosineDecay,
  csvLogger,
  dense,
  deserializeLayer,
  dropout,
  earlyStopping,
  embedding,
  exponentialDecay,
  flatten,
  getOptimizer,
  gru,
  input,
  type LSTM,
  learningRateScheduler,
  losses,
  lstm,
  type Model,
  masking,
  metrics,
  model,
  progressBar,
  reduceLROnPlateau,
  repeatVector,
  rmsprop,
  Sequential,
  type SymbolicTensor,
  sequential,
  sgd,
  simpleRNN,
  stacked,
  terminateOnNaN,
  timeDistributed,
} from '../index.js';
import { recurrentKeys } from '../layers/rnn.js';
import {
  EVALUATE_DATASET_KEYS,
  EVALUATE_KEYS,
  FIT_DATASET_KEYS,
  FIT_KEYS,
  IN_MEMORY_FIT_KEYS,
  TEST_ON_BATCH_KEYS,
  TRAIN_ON_BATCH_KEYS,
} from '../training/options.js';
import { cpuBackend, seeded } from '../training/test-helpers.js';

/** A case before its group's witness is attached. */
type BadInputCase = Omit<RobustnessCase, 'observe'>;

type T = tf.Tensor;
const backend = cpuBackend();
const checked = createCpuBackend({ checkNumerics: true });
const SEED = 11;

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: models whose predictions (or states) each case must leave alone.

const X = Array.from({ length: 12 }, (_, i) => seeded(3, `x${i}`));
const Y = X.map((r) => [r[0]! - r[2]!]);
const DATASET = [
  { inputs: X.slice(0, 6), targets: Y.slice(0, 6) },
  { inputs: X.slice(6), targets: Y.slice(6) },
];
const PROBE = [X[0]!, X[1]!];

function regressorOn(b: typeof backend): Model<T> {
  const m = sequential<T>([dense({ units: 4, activation: 'tanh', inputShape: [3] }), dense({ units: 1 })], {
    backend: b,
    seed: 1,
  });
  m.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'mse' });
  return m;
}

const IDS = [
  [1, 2, 3, 4],
  [4, 3, 0, 1],
];
function taggerOn(b: typeof backend): Model<T> {
  const m = sequential<T>(
    [
      embedding({ inputDim: 5, outputDim: 3, inputShape: [null] }),
      lstm({ units: 4, returnSequences: true }),
      dense({ units: 5 }),
    ],
    { backend: b, seed: 2 },
  );
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  return m;
}

const reg = regressorOn(backend);
const regChecked = regressorOn(checked);
const tagger = taggerOn(backend);
const taggerChecked = taggerOn(checked);

/** Reads what a failed call must leave alone (core's `observe`): here `m`'s prediction on `probe`. */
type Witness = () => readonly number[];

function predicting(m: Model<T>, probe: unknown): Witness {
  return () => {
    const y = m.predict(probe as never) as T;
    const out = Array.from(backend.dataSync(y));
    backend.dispose(y);
    return out;
  };
}

const regWitness = predicting(reg, PROBE);
const regCheckedWitness = predicting(regChecked, PROBE);
const taggerWitness = predicting(tagger, IDS);
const taggerCheckedWitness = predicting(taggerChecked, IDS);

// A stateful layer carrying states from one call, and a stream carrying states from one step.
const statefulLayer = lstm({ units: 3, stateful: true, returnSequences: true, inputShape: [null, 2] });
const statefulModel = sequential<T>([statefulLayer], { backend, seed: 3 });
backend.dispose(statefulModel.predict([[[0.1, 0.2]], [[0.3, -0.4]]]) as T);
const streamed = sequential<T>([lstm({ units: 3, name: 'encoder' }), dense({ units: 2 })], {
  backend,
  seed: 4,
  inputShape: [null, 2],
});
const stream = streamed.stream();
const firstStep = backend.tensor([[0.5, -0.5]]);
backend.dispose(stream.step(firstStep) as T);

function statesWitness(read: () => readonly T[] | undefined): Witness {
  return () => (read() ?? []).flatMap((s) => Array.from(backend.dataSync(s)));
}
const statefulWitness = statesWitness(() => statefulLayer.getStates<T>());
const streamWitness = statesWitness(() => stream.getStates('encoder'));

// ---------------------------------------------------------------------------------------------------------------
// Generators.

/** Misspellings of `key`: its snake_case spelling, a letter dropped, doubled or swapped with the next. */
function misspellingsOf(key: string): fc.Arbitrary<string> {
  const at = fc.nat(Math.max(0, key.length - 1));
  return fc.oneof(
    fc.constant(key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)),
    at.map((i) => key.slice(0, i) + key.slice(i + 1)),
    at.map((i) => key.slice(0, i + 1) + key.slice(i)),
    at.map((i) =>
      i + 1 < key.length ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : `${key}s`,
    ),
  );
}

/** `count` distinct misspellings of options in `known`, none of them a known option. */
function misspellings(known: readonly string[], count: number, seed: number): string[] {
  const arbitrary = fc
    .constantFrom(...known)
    .chain(misspellingsOf)
    .filter((k) => k.length > 0 && !known.includes(k));
  return [...new Set(fc.sample(arbitrary, { numRuns: 40, seed }))].slice(0, count);
}

/** Values a positive integer option must refuse (`null` and `undefined` mean "the default", so they are left out). */
const notPositiveInteger = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -50, max: -1 }),
  fc.double({ min: 0.1, max: 40, noNaN: true }).filter((v) => !Number.isInteger(v)),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, '8', true, [8], {}),
);
const notCount = fc.oneof(
  fc.integer({ min: -50, max: -1 }),
  fc.double({ min: 0.1, max: 40, noNaN: true }).filter((v) => !Number.isInteger(v)),
  fc.constantFrom(Number.NaN, '3', false, [1]),
);
const notBoolean = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constantFrom({}, [], Number.NaN));
const notFraction = fc.oneof(
  fc.double({ min: 1, max: 20, noNaN: true }),
  fc.double({ min: -20, max: -0.01, noNaN: true }),
  fc.constantFrom(Number.NaN, '0.5', true),
);
const notRate = fc.oneof(
  fc.double({ min: -10, max: -1e-3, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, '0.1', true, {}, [0.1]),
);

function draw<V>(arbitrary: fc.Arbitrary<V>, count: number, seed: number): V[] {
  return fc.sample(arbitrary, { numRuns: count, seed });
}

/** The entry point a spec's name starts with (`fit(dataset, options)`: `fit`), and the case's `received`. */
function entryOf(name: string, value: string): { entry: string; received: string } {
  const entry = /^[\w.]+/.exec(name)![0];
  const rest = name.slice(entry.length).trim();
  return { entry, received: rest === '' ? value : `${rest} ${value}` };
}

function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Map) return 'a Map';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cases, grouped by what they exercise; each runs against a witness.

interface Group {
  readonly title: string;
  readonly witness: Witness;
  readonly cases: BadInputCase[];
}

const groups: Group[] = [];
const sink = { write: () => {} };

/** Entry points taking an options object: the options they know, and a call with extra options added. */
const optionEntries: readonly {
  readonly name: string;
  readonly known: readonly string[];
  readonly call: (options: Record<string, unknown>) => unknown;
}[] = [
  {
    name: 'fit(x, y, options)',
    known: [...FIT_KEYS, 'stepsPerEpoch'],
    call: (o) => reg.fit(X, Y, { verbose: 0, ...o }),
  },
  {
    name: 'fit(dataset, options)',
    known: [...FIT_DATASET_KEYS, ...IN_MEMORY_FIT_KEYS],
    call: (o) => reg.fit(DATASET, { verbose: 0, ...o }),
  },
  {
    name: 'evaluate(x, y, options)',
    known: EVALUATE_KEYS,
    call: (o) => reg.evaluate(X, Y, o),
  },
  { name: 'evaluate(dataset, options)', known: EVALUATE_DATASET_KEYS, call: (o) => reg.evaluate(DATASET, o) },
  { name: 'predict(x, options)', known: ['batchSize', 'mask', 'lengths'], call: (o) => reg.predict(X, o) },
  { name: 'predict(dataset, options)', known: ['steps'], call: (o) => reg.predict(DATASET, o) },
  {
    name: 'trainOnBatch',
    known: TRAIN_ON_BATCH_KEYS,
    call: (o) => reg.trainOnBatch(X, Y, o),
  },
  { name: 'testOnBatch', known: TEST_ON_BATCH_KEYS, call: (o) => reg.testOnBatch(X, Y, o) },
  {
    name: 'compile',
    known: ['optimizer', 'loss', 'metrics', 'lossWeights'],
    call: (o) => reg.compile({ optimizer: 'adam', loss: 'mse', ...o }),
  },
  {
    name: 'apply',
    known: ['training', 'weights', 'rng', 'mask', 'lengths', 'updateStates'],
    call: (o) => {
      const x = backend.tensor(PROBE);
      try {
        return reg.apply(x, o);
      } finally {
        backend.dispose(x);
      }
    },
  },
  { name: 'summary', known: ['print', 'printFn'], call: (o) => reg.summary({ print: false, ...o }) },
  { name: 'stream.step', known: ['mask'], call: (o) => stream.step(firstStep, o) },
  { name: 'layer.build', known: ['seed'], call: (o) => dense({ units: 2 }).build(backend, [null, 3], o) },
  {
    name: 'dense',
    known: [
      'units',
      'activation',
      'useBias',
      'kernelInitializer',
      'biasInitializer',
      'name',
      'trainable',
      'inputShape',
      'batchSize',
      'batchInputShape',
    ],
    call: (o) => dense({ units: 2, ...o }),
  },
  {
    name: 'embedding',
    known: ['inputDim', 'outputDim', 'maskZero', 'embeddingsInitializer', 'name', 'trainable', 'inputShape'],
    call: (o) => embedding({ inputDim: 4, outputDim: 2, ...o }),
  },
  {
    name: 'lstm',
    known: [...recurrentKeys, 'activation', 'recurrentActivation', 'unitForgetBias', 'name', 'inputShape'],
    call: (o) => lstm({ units: 2, ...o }),
  },
  {
    name: 'gru',
    known: ['units', 'returnSequences', 'resetAfter', 'recurrentActivation', 'goBackwards', 'stateful'],
    call: (o) => gru({ units: 2, ...o }),
  },
  {
    name: 'simpleRNN',
    known: ['units', 'activation', 'returnSequences', 'dropout', 'useBias'],
    call: (o) => simpleRNN({ units: 2, ...o }),
  },
  {
    name: 'dropout',
    known: ['rate', 'noiseShape', 'seed', 'name'],
    call: (o) => dropout({ rate: 0.1, ...o }),
  },
  { name: 'masking', known: ['maskValue', 'name', 'inputShape'], call: (o) => masking(o) },
  {
    name: 'activation',
    known: ['activation', 'name'],
    call: (o) => activation({ activation: 'relu', ...o }),
  },
  { name: 'repeatVector', known: ['n', 'name'], call: (o) => repeatVector({ n: 2, ...o }) },
  { name: 'flatten', known: ['name', 'trainable', 'inputShape'], call: (o) => flatten(o) },
  {
    name: 'timeDistributed',
    known: ['name', 'trainable', 'inputShape'],
    call: (o) => timeDistributed(dense({ units: 2 }), o),
  },
  {
    name: 'bidirectional',
    known: ['mergeMode', 'backwardLayer', 'name'],
    call: (o) => bidirectional(lstm({ units: 2 }), o),
  },
  {
    name: 'stacked',
    known: [
      'cell',
      'units',
      'numLayers',
      'dropout',
      'residual',
      'returnSequences',
      'returnState',
      'recurrentDropout',
    ],
    call: (o) => stacked({ cell: 'gru', units: 2, numLayers: 2, ...o }),
  },
  {
    name: 'sequential',
    known: ['name', 'backend', 'seed', 'inputShape', 'batchSize', 'batchInputShape'],
    call: (o) => sequential([dense({ units: 1 })], o),
  },
  {
    name: 'model',
    known: ['inputs', 'outputs', 'name', 'backend', 'seed'],
    call: (o) => {
      const x = input({ shape: [2] });
      return model({ inputs: x, outputs: dense({ units: 1 }).apply(x) as SymbolicTensor, ...o });
    },
  },
  {
    name: 'input',
    known: ['shape', 'batchSize', 'batchShape', 'name', 'dtype'],
    call: (o) => input({ shape: [2], ...o }),
  },
  {
    name: 'sgd',
    known: ['learningRate', 'momentum', 'nesterov', 'clipnorm', 'clipvalue', 'globalClipnorm', 'weightDecay'],
    call: (o) => sgd(o),
  },
  {
    name: 'adam',
    known: ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'excludeFromWeightDecay'],
    call: (o) => adam(o),
  },
  {
    name: 'adamW',
    known: ['learningRate', 'weightDecay', 'beta1', 'beta2', 'epsilon'],
    call: (o) => adamW(o),
  },
  {
    name: 'rmsprop',
    known: ['learningRate', 'rho', 'momentum', 'epsilon', 'centered'],
    call: (o) => rmsprop(o),
  },
  { name: 'adagrad', known: ['learningRate', 'initialAccumulatorValue', 'epsilon'], call: (o) => adagrad(o) },
  {
    name: 'getOptimizer',
    known: ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad'],
    call: (o) => getOptimizer({ className: 'Adam', config: o }),
  },
  { name: 'losses.huber', known: ['delta', 'reduction', 'name'], call: (o) => losses.huber(o) },
  {
    name: 'losses.sparseCategoricalCrossentropy',
    known: ['fromLogits', 'reduction', 'name'],
    call: (o) => losses.sparseCategoricalCrossentropy(o),
  },
  { name: 'metrics.binaryAccuracy', known: ['threshold', 'name'], call: (o) => metrics.binaryAccuracy(o) },
  { name: 'metrics.perplexity', known: ['fromLogits', 'name'], call: (o) => metrics.perplexity(o) },
  {
    name: 'earlyStopping',
    known: [
      'monitor',
      'minDelta',
      'patience',
      'mode',
      'baseline',
      'restoreBestWeights',
      'startFromEpoch',
      'verbose',
    ],
    call: (o) => earlyStopping(o),
  },
  {
    name: 'reduceLROnPlateau',
    known: ['monitor', 'factor', 'patience', 'verbose', 'mode', 'minDelta', 'cooldown', 'minLr'],
    call: (o) => reduceLROnPlateau(o),
  },
  { name: 'csvLogger', known: ['separator', 'append'], call: (o) => csvLogger(sink, o) },
  { name: 'terminateOnNaN', known: ['raiseError'], call: (o) => terminateOnNaN(o) },
  { name: 'learningRateScheduler', known: ['verbose'], call: (o) => learningRateScheduler((_e, r) => r, o) },
  {
    name: 'progressBar',
    known: ['stream', 'mode', 'width', 'updateIntervalMs', 'now'],
    call: (o) => progressBar(o),
  },
  {
    name: 'exponentialDecay',
    known: ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase'],
    call: (o) => exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, ...o }),
  },
  {
    name: 'cosineDecay',
    known: ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps'],
    call: (o) => cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, ...o }),
  },
  {
    name: 'deserializeLayer',
    known: ['units', 'activation', 'useBias', 'name', 'trainable'],
    call: (o) => deserializeLayer({ className: 'Dense', config: { units: 2, ...o } }),
  },
  {
    name: 'Sequential.fromConfig',
    known: ['name', 'layers', 'batchInputShape'],
    call: (o) => Sequential.fromConfig({ ...reg.getConfig(), ...o }, deserializeLayer),
  },
];

groups.push({
  title: 'unknown options are refused, naming the key',
  witness: regWitness,
  cases: optionEntries.flatMap((entry, e) =>
    misspellings(entry.known, 3, SEED + e).map((key) => ({
      ...entryOf(entry.name, `{ ${key} }`),
      argument: `unknown option ${JSON.stringify(key)}`,
      call: () => entry.call({ [key]: 1 }),
    })),
  ),
});

/** Typed options: values of the wrong type or range, drawn per option. */
const typedOptions: readonly {
  readonly name: string;
  readonly values: fc.Arbitrary<unknown>;
  readonly argument: string;
  readonly call: (value: unknown) => unknown;
}[] = [
  {
    name: 'fit batchSize',
    values: notPositiveInteger,
    argument: 'batchSize',
    call: (v) => reg.fit(X, Y, { verbose: 0, batchSize: v as number }),
  },
  {
    name: 'fit epochs',
    values: notCount,
    argument: 'epochs',
    call: (v) => reg.fit(X, Y, { verbose: 0, epochs: v as number }),
  },
  {
    name: 'fit validationSplit',
    values: notFraction,
    argument: 'validationSplit',
    call: (v) => reg.fit(X, Y, { verbose: 0, validationSplit: v as number }),
  },
  {
    name: 'fit shuffle',
    values: notBoolean,
    argument: 'shuffle',
    call: (v) => reg.fit(X, Y, { verbose: 0, shuffle: v as boolean }),
  },
  {
    name: 'fit verbose',
    values: fc.oneof(fc.integer({ min: 3, max: 9 }), fc.constantFrom('yes', true, -1)),
    argument: 'verbose',
    call: (v) => reg.fit(X, Y, { verbose: v as 0 }),
  },
  {
    name: 'fit validationFreq',
    values: notPositiveInteger,
    argument: 'validationFreq',
    call: (v) => reg.fit(X, Y, { verbose: 0, validationFreq: v as number }),
  },
  {
    name: 'evaluate batchSize',
    values: notPositiveInteger,
    argument: 'batchSize',
    call: (v) => reg.evaluate(X, Y, { batchSize: v as number }),
  },
  {
    name: 'predict batchSize',
    values: notPositiveInteger,
    argument: 'batchSize',
    call: (v) => reg.predict(X, { batchSize: v as number }),
  },
  {
    name: 'predict(dataset) steps',
    values: notPositiveInteger,
    argument: 'steps',
    call: (v) => reg.predict(DATASET, { steps: v as number }),
  },
  {
    name: 'dense units',
    values: notPositiveInteger,
    argument: 'units',
    call: (v) => dense({ units: v as number }),
  },
  {
    name: 'lstm units',
    values: notPositiveInteger,
    argument: 'units',
    call: (v) => lstm({ units: v as number }),
  },
  {
    name: 'embedding inputDim',
    values: notPositiveInteger,
    argument: 'inputDim',
    call: (v) => embedding({ inputDim: v as number, outputDim: 2 }),
  },
  {
    name: 'repeatVector n',
    values: notPositiveInteger,
    argument: 'repeatVector n',
    call: (v) => repeatVector({ n: v as number }),
  },
  {
    name: 'dropout rate',
    values: notFraction,
    argument: 'dropout rate',
    call: (v) => dropout({ rate: v as number }),
  },
  {
    name: 'dense useBias',
    values: notBoolean,
    argument: 'useBias',
    call: (v) => dense({ units: 1, useBias: v as boolean }),
  },
  {
    name: 'lstm returnSequences',
    values: notBoolean,
    argument: 'returnSequences',
    call: (v) => lstm({ units: 1, returnSequences: v as boolean }),
  },
  {
    name: 'sgd learningRate',
    values: notRate,
    argument: 'learningRate',
    call: (v) => sgd({ learningRate: v as number }),
  },
  { name: 'adam beta1', values: notFraction, argument: 'beta1', call: (v) => adam({ beta1: v as number }) },
  {
    name: 'earlyStopping patience',
    values: notCount,
    argument: 'patience',
    call: (v) => earlyStopping({ patience: v as number }),
  },
  {
    name: 'reduceLROnPlateau factor',
    values: notFraction,
    argument: 'factor',
    call: (v) => reduceLROnPlateau({ factor: v as number }),
  },
  {
    name: 'terminateOnNaN raiseError',
    values: notBoolean,
    argument: 'raiseError',
    call: (v) => terminateOnNaN({ raiseError: v as boolean }),
  },
];

groups.push({
  title: 'typed options refuse values of the wrong type or range',
  witness: regWitness,
  cases: typedOptions.flatMap((option, o) =>
    draw(option.values, 3, SEED * 7 + o).map((value) => ({
      ...entryOf(option.name, `= ${show(value)}`),
      argument: option.argument,
      call: () => option.call(value),
    })),
  ),
});

/** Bad data for fit, evaluate and predict, on the regressor. */
const rows = (n: number) => X.slice(0, n);
const dataCases: BadInputCase[] = [];
for (const [entry, run] of [
  [
    'fit',
    (x: unknown, y: unknown, o: Record<string, unknown> = {}) =>
      reg.fit(x as never, y as never, { verbose: 0, ...o }),
  ],
  [
    'evaluate',
    (x: unknown, y: unknown, o: Record<string, unknown> = {}) => reg.evaluate(x as never, y as never, o),
  ],
] as const) {
  dataCases.push(
    { entry, received: 'x a string', argument: `${entry} x`, call: () => run('x', Y) },
    { entry, received: 'x a number', argument: `${entry} x`, call: () => run(42, Y) },
    { entry, received: 'x null', argument: `${entry} x`, call: () => run(null, Y) },
    {
      entry,
      received: 'x nested strings',
      argument: `${entry} x`,
      call: () => run([['a', 'b', 'c']], [[1]]),
    },
    {
      entry,
      received: 'x { data } without a shape array',
      argument: `${entry} x`,
      call: () => run({ data: [1, 2, 3], shape: '3' }, [[1]]),
    },
    {
      entry,
      received: 'x empty',
      argument: `${entry} x`,
      call: () =>
        run({ data: new Float32Array(0), shape: [0, 3] }, { data: new Float32Array(0), shape: [0, 1] }),
    },
    {
      entry,
      received: 'y missing',
      argument: `${entry} y`,
      call: () => (entry === 'fit' ? reg.fit(X as never) : reg.evaluate(X as never)),
    },
    { entry, received: 'y fewer rows', argument: `${entry} y`, call: () => run(X, Y.slice(1)) },
    { entry, received: 'y the wrong shape', argument: 'labels shape', call: () => run(X, X) },
    {
      entry,
      received: 'x the wrong feature size',
      argument: 'shape',
      call: () =>
        run(
          X.map((r) => r.slice(0, 2)),
          Y,
        ),
    },
    {
      entry,
      received: 'sampleWeight fewer rows',
      argument: 'sampleWeight',
      call: () => run(X, Y, { sampleWeight: [1, 2] }),
    },
    {
      entry,
      received: 'sampleWeight a string',
      argument: 'sampleWeight',
      call: () => run(X, Y, { sampleWeight: 'w' }),
    },
    {
      entry,
      received: 'lengths on data without a time axis',
      argument: /mask.*lengths/,
      call: () => run(X, Y, { lengths: X.map(() => 1) }),
    },
  );
}
dataCases.push(
  {
    entry: 'fit',
    received: 'with options where y belongs',
    argument: 'fit y',
    call: () => reg.fit(X, { epochs: 1 } as never),
  },
  {
    entry: 'fit',
    received: 'validationData a string',
    argument: 'validationData',
    call: () => reg.fit(X, Y, { verbose: 0, validationData: 'v' as never }),
  },
  {
    entry: 'fit',
    received: 'validationData [x] without y',
    argument: 'validationData',
    call: () => reg.fit(X, Y, { verbose: 0, validationData: [X] as never }),
  },
  {
    entry: 'fit',
    received: 'validationData { x, y, extra }',
    argument: 'unknown option "sampleWeights"',
    call: () => reg.fit(X, Y, { verbose: 0, validationData: { x: X, y: Y, sampleWeights: [1] } as never }),
  },
  {
    entry: 'fit',
    received: 'dataset batch without targets',
    argument: 'targets',
    call: () => reg.fit([{ inputs: X }] as never, { verbose: 0 }),
  },
  {
    // Numbers do not read as batches: the array is x, and the options stand where y belongs.
    entry: 'fit',
    received: 'an array of numbers and options',
    argument: 'fit y',
    call: () => reg.fit([1, 2] as never, { verbose: 0 }),
  },
  {
    entry: 'fit',
    received: 'dataset function returning a number',
    argument: 'dataset(0)',
    call: () => reg.fit((() => 3) as never, { verbose: 0 }),
  },
  {
    entry: 'fit',
    received: 'dataset batchSize',
    argument: 'batchSize',
    call: () => reg.fit(DATASET, { verbose: 0, batchSize: 4 } as never),
  },
  {
    entry: 'fit',
    received: 'stepsPerEpoch',
    argument: 'stepsPerEpoch',
    call: () => reg.fit(X, Y, { verbose: 0, stepsPerEpoch: 2 } as never),
  },
  {
    entry: 'fit',
    received: 'callbacks a number',
    argument: 'callbacks[0]',
    call: () => reg.fit(X, Y, { verbose: 0, callbacks: [3 as never] }),
  },
  {
    entry: 'fit',
    received: 'callbacks with a misspelt hook',
    argument: 'onEpochEnds',
    call: () => reg.fit(X, Y, { verbose: 0, callbacks: [{ onEpochEnds: () => {} } as never] }),
  },
  {
    entry: 'fit',
    received: 'classWeight for a model trained on regression targets',
    argument: 'classWeight',
    call: () => reg.fit(X, Y, { verbose: 0, classWeight: { 0: 1 } }),
  },
  {
    entry: 'evaluate',
    received: 'dataset yielding nothing',
    argument: 'dataset',
    call: () => reg.evaluate((function* () {})() as never),
  },
  { entry: 'predict', received: 'x a string', argument: 'predict x', call: () => reg.predict('x' as never) },
  // A Map is iterable, so it reads as a dataset (of no batches here).
  {
    entry: 'predict',
    received: 'x a Map',
    argument: /predict (x|dataset)/,
    call: () => reg.predict(new Map() as never),
  },
  {
    entry: 'predict',
    received: 'x empty',
    argument: 'predict x',
    call: () => reg.predict({ data: new Float32Array(0), shape: [0, 3] }),
  },
  {
    entry: 'predict',
    received: 'x the wrong feature size',
    argument: 'shape',
    call: () => reg.predict([[1, 2]]),
  },
  {
    entry: 'predict',
    received: 'dataset yielding nothing',
    argument: 'dataset',
    call: () => reg.predict((function* () {})() as never),
  },
  {
    // Without inputs (or x) the objects do not read as batches: the array is x, whose entry is no tensor.
    entry: 'predict',
    received: 'objects without inputs',
    argument: 'predict x[0]',
    call: () => reg.predict([{ targets: Y }] as never),
  },
  {
    entry: 'trainOnBatch',
    received: 'y fewer rows',
    argument: 'trainOnBatch y',
    call: () => reg.trainOnBatch(rows(4), Y.slice(0, 3)),
  },
  {
    entry: 'testOnBatch',
    received: 'x a string',
    argument: 'testOnBatch x',
    call: () => reg.testOnBatch('x' as never, Y),
  },
  {
    entry: 'compile',
    received: 'without a loss',
    argument: 'loss',
    call: () => reg.compile({ optimizer: 'adam' } as never),
  },
  {
    entry: 'compile',
    received: 'optimizer misspelt',
    argument: 'did you mean "rmsprop"',
    call: () => reg.compile({ optimizer: 'rmsprp', loss: 'mse' }),
  },
  {
    entry: 'compile',
    received: 'optimizer config with an unknown class',
    argument: 'className',
    call: () => reg.compile({ optimizer: { className: 'Adamm' }, loss: 'mse' }),
  },
  {
    entry: 'compile',
    received: 'optimizer config with snake_case',
    argument: 'beta_1',
    call: () => reg.compile({ optimizer: { className: 'adam', config: { beta_1: 0.9 } }, loss: 'mse' }),
  },
  {
    entry: 'compile',
    received: 'optimizer config learningRate a function marker',
    argument: 'learningRate',
    call: () =>
      reg.compile({ optimizer: { className: 'sgd', config: { learningRate: 'function' } }, loss: 'mse' }),
  },
  {
    entry: 'compile',
    received: 'loss misspelt',
    argument: 'did you mean "meanSquaredError"',
    call: () => reg.compile({ optimizer: 'adam', loss: 'meanSquareError' }),
  },
  {
    entry: 'compile',
    received: 'metric misspelt',
    argument: 'did you mean "accuracy"',
    call: () => reg.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] }),
  },
  {
    entry: 'compile',
    received: 'lossWeights for two outputs',
    argument: 'lossWeights',
    call: () => reg.compile({ optimizer: 'adam', loss: 'mse', lossWeights: [1, 2] }),
  },
  {
    entry: 'deserializeLayer',
    received: 'with an unknown class',
    argument: 'did you mean "Dense"',
    call: () => deserializeLayer({ className: 'Dence', config: {} }),
  },
  {
    entry: 'deserializeLayer',
    received: 'with extra fields',
    argument: 'unknown option "weights"',
    call: () => deserializeLayer({ className: 'Dense', config: { units: 1 }, weights: [] } as never),
  },
  {
    entry: 'lstm',
    received: 'with an unknown cell option',
    argument: 'options of the cell lstm',
    call: () => lstm({ units: 2, recurrentActivaton: 'sigmoid' } as never),
  },
);
groups.push({
  title: 'bad data and arguments for training and inference',
  witness: regWitness,
  cases: dataCases,
});

/** Numbers: NaN and infinities with checkNumerics, masks other than 0 or 1, token ids out of range. */
const nanAt = (values: number[][], at: number, v: number) =>
  values.map((r, i) => (i === at ? r.map(() => v) : r));
const numericCases: BadInputCase[] = [];
for (const [i, v] of draw(
  fc.tuple(fc.nat(11), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY)),
  4,
  SEED,
)) {
  numericCases.push(
    {
      entry: 'fit',
      received: `y with ${v} in row ${i} (checkNumerics)`,
      argument: 'fit y: expected finite values',
      call: () => regChecked.fit(X, nanAt(Y, i, v), { verbose: 0 }),
    },
    {
      entry: 'fit',
      received: `x with ${v} in row ${i} (checkNumerics)`,
      argument: 'fit x: expected finite values',
      call: () => regChecked.fit(nanAt(X, i, v), Y, { verbose: 0 }),
    },
    {
      entry: 'fit',
      received: `sampleWeight ${v} in row ${i} (checkNumerics)`,
      argument: 'fit sampleWeight: expected finite values',
      call: () => regChecked.fit(X, Y, { verbose: 0, sampleWeight: X.map((_, k) => (k === i ? v : 1)) }),
    },
    {
      entry: 'evaluate',
      received: `y with ${v} in row ${i} (checkNumerics)`,
      argument: 'evaluate y: expected finite values',
      call: () => regChecked.evaluate(X, nanAt(Y, i, v)),
    },
  );
}
numericCases.push({
  entry: 'fit',
  received: 'whose loss has no finite gradient (checkNumerics)',
  argument: /fit gradient of dense(_1)?\/(kernel|bias): expected finite values/,
  call: async () => {
    // sqrt(|e|) at e = 0 has an infinite slope: labels equal to the predictions make every gradient non-finite.
    const predictions = regChecked.predict(X) as T;
    const exact = Array.from(checked.dataSync(predictions)).map((p) => [p]);
    checked.dispose(predictions);
    regChecked.compile({
      optimizer: adam({ learningRate: 0.01 }),
      loss: losses.customLoss('rootError', (b, yt, yp) => b.sqrt(b.abs(b.sub(yp, yt)))),
    });
    try {
      await regChecked.fit(X, exact, { verbose: 0 });
    } finally {
      regChecked.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'mse' });
    }
  },
});
groups.push({
  title: 'non-finite numbers with checkNumerics',
  witness: regCheckedWitness,
  cases: numericCases,
});

const TAGS = [
  [1, 2, 3, 4],
  [4, 3, 0, 1],
];
const maskWith = (v: number) => IDS.map((r, b) => r.map((_, t) => (b === 1 && t === 2 ? v : 1)));
const badIds = draw(
  fc.oneof(
    fc.integer({ min: 5, max: 1000 }),
    fc.integer({ min: -100, max: -1 }),
    fc.double({ min: 0.1, max: 4.9, noNaN: true }).filter((v) => !Number.isInteger(v)),
    fc.constant(Number.NaN),
  ),
  6,
  SEED,
);
const badMasks = draw(
  fc.oneof(
    fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    fc.integer({ min: 2, max: 9 }),
    fc.integer({ min: -9, max: -1 }),
    fc.constant(Number.NaN),
  ),
  5,
  SEED,
);
const idsWith = (v: number) => IDS.map((r, b) => r.map((id, t) => (b === 1 && t === 1 ? v : id)));
const tokenCases: BadInputCase[] = [
  ...badIds.flatMap((v) => [
    {
      entry: 'fit',
      received: `ids with ${v}`,
      argument: `received ${v} at index [1, 1]`,
      call: () => tagger.fit(idsWith(v), TAGS, { verbose: 0 }),
    },
    {
      entry: 'predict',
      received: `ids with ${v}`,
      argument: `predict x: expected token ids for embedding (Embedding), integers in [0, 5)`,
      call: () => tagger.predict(idsWith(v)),
    },
    {
      entry: 'evaluate',
      received: `ids { data, shape } with ${v}`,
      argument: 'evaluate x: expected token ids',
      call: () => tagger.evaluate({ data: Float32Array.from(idsWith(v).flat()), shape: [2, 4] }, TAGS),
    },
  ]),
  ...badMasks.flatMap((v) => [
    {
      entry: 'fit',
      received: `mask with ${v}`,
      argument: `fit mask: expected 0 (masked) or 1 (valid) in a mask, received ${v} at index [1, 2]`,
      call: () => tagger.fit(IDS, TAGS, { verbose: 0, mask: maskWith(v) }),
    },
    {
      entry: 'predict',
      received: `mask with ${v}`,
      argument: `predict mask: expected 0 (masked) or 1 (valid)`,
      call: () => tagger.predict(IDS, { mask: maskWith(v) }),
    },
  ]),
  {
    entry: 'fit',
    received: 'lengths past the time axis',
    argument: 'fit lengths[0]',
    call: () => tagger.fit(IDS, TAGS, { verbose: 0, lengths: [5, 2] }),
  },
  {
    entry: 'fit',
    received: 'lengths negative',
    argument: 'fit lengths[1]',
    call: () => tagger.fit(IDS, TAGS, { verbose: 0, lengths: [2, -1] }),
  },
  {
    entry: 'fit',
    received: 'lengths not integers',
    argument: 'fit lengths[0]',
    call: () => tagger.fit(IDS, TAGS, { verbose: 0, lengths: [1.5, 2] }),
  },
  {
    entry: 'fit',
    received: 'mask the wrong shape',
    argument: 'fit mask: expected shape [2, 4]',
    call: () =>
      tagger.fit(IDS, TAGS, {
        verbose: 0,
        mask: [
          [1, 1],
          [1, 1],
        ],
      }),
  },
  {
    entry: 'fit',
    received: 'mask and lengths both',
    argument: 'fit mask: expected either a mask or lengths',
    call: () => tagger.fit(IDS, TAGS, { verbose: 0, mask: maskWith(1), lengths: [4, 4] }),
  },
  {
    entry: 'fit',
    received: 'targets out of the classes',
    argument: 'sparseCategoricalCrossentropy',
    call: () =>
      tagger.fit(
        IDS,
        IDS.map((r) => r.map((v) => v + 3)),
        { verbose: 0 },
      ),
  },
  {
    entry: 'fit',
    received: 'classWeight without every class',
    argument: 'received none for class 2',
    call: () => tagger.fit(IDS, TAGS, { verbose: 0, classWeight: { 0: 1, 1: 1 } }),
  },
];
groups.push({ title: 'masks and token ids', witness: taggerWitness, cases: tokenCases });

groups.push({
  title: 'token ids in tensors, with checkNumerics',
  witness: taggerCheckedWitness,
  cases: badIds.slice(0, 4).map((v) => ({
    entry: 'predict',
    received: `an ids tensor with ${v} (checkNumerics)`,
    // NaN is caught first as a non-finite input; the other ids by the embedding.
    argument: /embedding \(Embedding\) inputs: expected token ids|predict x: expected finite values/,
    call: () => {
      const ids = checked.tensor(idsWith(v));
      try {
        return taggerChecked.predict(ids);
      } finally {
        checked.dispose(ids);
      }
    },
  })),
});

/** setWeights on the model and on one layer: every value is checked before any weight changes. */
const weightCount = reg.weights.length;
const good = () => reg.getWeightData().map((w) => w.values);
const weightCases: BadInputCase[] = [
  ...draw(
    fc.integer({ min: 0, max: 9 }).filter((n) => n !== weightCount),
    3,
    SEED,
  ).map((n) => ({
    entry: 'setWeights',
    received: `with ${n} values`,
    argument: `setWeights: expected an array of ${weightCount} values`,
    call: () =>
      reg.setWeights([
        ...good().slice(0, n),
        ...Array.from({ length: Math.max(0, n - weightCount) }, () => [0]),
      ]),
  })),
  ...draw(
    fc.tuple(
      fc.nat(weightCount - 1),
      fc.constantFrom<unknown>('w', null, {}, 7, true, ['a'], [Number.NaN, 'x']),
    ),
    6,
    SEED,
  ).map(([i, bad]) => ({
    entry: 'setWeights',
    received: `[${i}] = ${show(bad)}`,
    argument: `setWeights[${i}]`,
    call: () => reg.setWeights(good().map((w, k) => (k === i ? bad : w)) as never),
  })),
  ...draw(fc.tuple(fc.nat(weightCount - 1), fc.integer({ min: 1, max: 30 })), 3, SEED).map(([i, n]) => ({
    entry: 'setWeights',
    received: `[${i}] with ${n} numbers`,
    argument: `setWeights[${i}]`,
    call: () => {
      const values = good();
      if (values[i]!.length === n) n += 1;
      return reg.setWeights(values.map((w, k) => (k === i ? new Float32Array(n) : w)));
    },
  })),
  {
    entry: 'setWeights',
    received: 'a tensor of the wrong shape (the last weight, after the others were converted)',
    argument: 'expected shape [1]',
    call: () => {
      const wrong = backend.tensor([1, 2]);
      try {
        return reg.setWeights([...good().slice(0, -1), wrong]);
      } finally {
        backend.dispose(wrong);
      }
    },
  },
  {
    entry: 'setWeights',
    received: '{ data, shape } of the wrong shape',
    argument: 'setWeights[0]',
    call: () => reg.setWeights([{ data: good()[0]!, shape: [4, 3] }, ...good().slice(1)]),
  },
  {
    entry: 'setWeights',
    received: 'nested arrays of the wrong shape',
    argument: 'setWeights[0]',
    call: () =>
      reg.setWeights([
        [
          [1, 2],
          [3, 4],
        ],
        ...good().slice(1),
      ]),
  },
  {
    entry: 'setWeights',
    received: 'ragged nested arrays',
    argument: 'setWeights[0]',
    call: () => reg.setWeights([[[1, 2], [3]], ...good().slice(1)] as never),
  },
  {
    entry: 'layer.setWeights',
    received: 'with too few values',
    argument: 'dense (Dense) setWeights: expected an array of 2 values',
    call: () => reg.layers[0]!.setWeights([good()[0]!]),
  },
  {
    entry: 'layer.setWeights',
    received: 'a string',
    argument: 'setWeights[1]',
    call: () => reg.layers[0]!.setWeights([good()[0]!, 'b' as never]),
  },
  {
    entry: 'setWeights',
    received: 'on an unbuilt layer',
    argument: 'not built',
    call: () => dense({ units: 1 }).setWeights([[1]]),
  },
  {
    entry: 'setWeights',
    received: 'not an array',
    argument: 'setWeights: expected an array',
    call: () => reg.setWeights('w' as never),
  },
];
groups.push({ title: 'setWeights is a transaction', witness: regWitness, cases: weightCases });
groups.push({
  title: 'setWeights refuses non-finite values with checkNumerics',
  witness: regCheckedWitness,
  cases: [Number.NaN, Number.POSITIVE_INFINITY].map((v) => ({
    entry: 'setWeights',
    received: `with ${v} (checkNumerics)`,
    argument: 'value 0: expected a finite number',
    call: () =>
      regChecked.setWeights(
        regChecked.getWeightData().map((w, k) => (k === 1 ? [v, ...w.values.slice(1)] : w.values)),
      ),
  })),
});

/** Stream and stateful-layer states: checked whole before the carried states change. */
const states = (shapes: number[][]) => shapes.map((s) => backend.tensor(new Float32Array(s[0]! * s[1]!), s));
function withStates(shapes: number[][], run: (s: T[]) => unknown): () => unknown {
  return () => {
    const s = states(shapes);
    try {
      return run(s);
    } finally {
      backend.dispose(s);
    }
  };
}
groups.push({
  title: 'stream.setStates is a transaction',
  witness: streamWitness,
  cases: [
    {
      entry: 'stream.setStates',
      received: 'with one state of two',
      argument: 'expected an array of 2 state tensors',
      call: withStates([[1, 3]], (s) => stream.setStates('encoder', s)),
    },
    {
      entry: 'stream.setStates',
      received: 'with three states',
      argument: 'expected an array of 2 state tensors',
      call: withStates(
        [
          [1, 3],
          [1, 3],
          [1, 3],
        ],
        (s) => stream.setStates('encoder', s),
      ),
    },
    {
      entry: 'stream.setStates',
      received: 'second state the wrong size',
      argument: 'setStates(encoder)[1]: expected shape [1, 3]',
      call: withStates(
        [
          [1, 3],
          [1, 4],
        ],
        (s) => stream.setStates('encoder', s),
      ),
    },
    {
      entry: 'stream.setStates',
      received: 'states of different batches',
      argument: 'setStates(encoder)[1]: expected shape [1, 3]',
      call: withStates(
        [
          [1, 3],
          [2, 3],
        ],
        (s) => stream.setStates('encoder', s),
      ),
    },
    {
      entry: 'stream.setStates',
      received: 'a host array',
      argument: 'setStates(encoder)[0]',
      call: () =>
        stream.setStates('encoder', [
          [0, 0, 0],
          [0, 0, 0],
        ] as never),
    },
    {
      entry: 'stream.setStates',
      received: 'not an array',
      argument: 'setStates(encoder)',
      call: () => stream.setStates('encoder', 'h' as never),
    },
    {
      entry: 'stream.setStates',
      received: 'an unknown layer',
      argument: 'no layer named "decoder"',
      call: () => stream.setStates('decoder', []),
    },
    {
      entry: 'stream.step',
      received: 'mask of 0.5',
      argument: 'stream step mask: expected 0 (masked) or 1 (valid)',
      call: () => stream.step(firstStep, { mask: [0.5] }),
    },
    {
      entry: 'stream.step',
      received: 'mask of the wrong length',
      argument: 'stream step mask',
      call: () => stream.step(firstStep, { mask: [1, 1] }),
    },
    {
      entry: 'stream.step',
      received: 'a string',
      argument: 'stream step inputs',
      call: () => stream.step('x' as never),
    },
  ],
});
groups.push({
  title: 'resetStates(states) is a transaction',
  witness: statefulWitness,
  cases: [
    {
      entry: 'resetStates',
      received: 'with one state of two',
      argument: 'resetStates(states): expected an array of 2 state tensors',
      call: withStates([[2, 3]], (s) => (statefulLayer as LSTM).resetStates(s)),
    },
    {
      entry: 'resetStates',
      received: 'second state the wrong size',
      argument: 'resetStates(states)[1]: expected shape [2, 3]',
      call: withStates(
        [
          [2, 3],
          [2, 2],
        ],
        (s) => (statefulLayer as LSTM).resetStates(s),
      ),
    },
    {
      entry: 'resetStates',
      received: 'states of different batches',
      argument: 'resetStates(states)[1]',
      call: withStates(
        [
          [2, 3],
          [1, 3],
        ],
        (s) => (statefulLayer as LSTM).resetStates(s),
      ),
    },
    {
      entry: 'resetStates',
      received: 'a host array',
      argument: 'resetStates(states)[0]',
      call: () =>
        (statefulLayer as LSTM).resetStates([
          [0, 0, 0],
          [0, 0, 0],
        ] as never),
    },
    {
      entry: 'resetStates',
      received: 'a string',
      argument: 'resetStates(states)',
      call: () => (statefulLayer as LSTM).resetStates('h' as never),
    },
    {
      entry: 'resetStates',
      received: 'on a layer that is not stateful',
      argument: 'not stateful',
      call: withStates(
        [
          [2, 3],
          [2, 3],
        ],
        (s) => lstm({ units: 3 }).resetStates(s),
      ),
    },
    {
      entry: 'predict',
      received: 'a batch of another size than the carried states',
      argument: 'received a batch of 3',
      call: () => statefulModel.predict([[[1, 1]], [[1, 1]], [[1, 1]]]),
    },
  ],
});

/** Places where a backend belongs, given something else. */
const notBackends = draw(
  fc.oneof(
    fc.constantFrom<unknown>('cpu', 'wasm', {}, 1, [], { name: 'cpu' }),
    fc.string({ minLength: 1, maxLength: 6 }),
  ),
  4,
  SEED,
);
groups.push({
  title: 'what is not a backend is explained',
  witness: regWitness,
  cases: [
    ...notBackends.flatMap((v) => [
      {
        entry: 'sequential',
        received: `backend ${show(v)}`,
        argument: 'sequential backend: expected a seqmodel Backend',
        call: () => sequential([dense({ units: 1 })], { backend: v as never }),
      },
      {
        entry: 'model.build',
        received: `(${show(v)})`,
        argument: 'build(backend): expected a seqmodel Backend',
        call: () => sequential([dense({ units: 1, inputShape: [2] })]).build(v as never),
      },
      {
        entry: 'layer.build',
        received: `(${show(v)})`,
        argument: 'build(backend): expected a seqmodel Backend',
        call: () => dense({ units: 1 }).build(v as never, [null, 2]),
      },
    ]),
    {
      entry: 'model.build',
      received: '(undefined)',
      argument: 'build(backend): expected a seqmodel Backend',
      call: () => sequential([dense({ units: 1, inputShape: [2] })]).build(undefined as never),
    },
    {
      entry: 'layer.build',
      received: '()',
      argument: 'build(backend): expected a seqmodel Backend',
      call: () => (dense({ units: 1 }).build as (b?: unknown) => unknown)(),
    },
  ],
});

// ---------------------------------------------------------------------------------------------------------------

const cases = groups.flatMap((g) => g.cases.map((c) => ({ ...c, observe: g.witness })));
// The suite's size is part of what it promises: at least 150 generated and written cases.
const checks = await robustnessChecks(cases, {
  suite: '@seqmodel/layers bad inputs',
  liveTensors: () => backend.memory().numTensors,
  minimum: 150,
});

let at = 0;
for (const group of groups) {
  const own = checks.slice(at, at + group.cases.length);
  at += group.cases.length;
  describe(group.title, () => {
    for (const check of own) it(check.name, check.run);
  });
}
it(checks.at(-1)!.name, checks.at(-1)!.run);
