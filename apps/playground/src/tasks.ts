/**
 * The playground's tasks, each built from `@seqmodel/datasets`: its training and test data, the model's input and
 * output that fit it (features or token ids in; one output per sequence or per step out; loss and metric), and the
 * lines of JavaScript that make the same data (for "Copy as code"). The data and its code sit side by side here, and
 * a test runs the code and compares, so the two cannot drift apart.
 */
import {
  addingProblem,
  CharTokenizer,
  copyTask,
  embeddedReberTask,
  memoryProbeTask,
  nextTokenWindows,
  parityTask,
  type SequenceData,
  sineForecastTask,
} from '@seqmodel/datasets';
import type { PlaygroundConfig, TaskName } from './config.js';

/** What goes into the model: features per step, or token ids through an embedding. */
export type InputSpec =
  | { readonly kind: 'features'; readonly features: number }
  | {
      readonly kind: 'ids';
      readonly vocabulary: number;
      readonly embedding: number;
      readonly maskZero: boolean;
    };

/** What comes out: one vector per sequence (`last`) or per step (`sequence`). */
export interface HeadSpec {
  readonly kind: 'last' | 'sequence';
  readonly units: number;
  readonly activation: 'linear' | 'sigmoid' | 'softmax';
  readonly loss: 'mse' | 'binaryCrossentropy' | 'sparseCategoricalCrossentropy';
  readonly metric: 'mae' | 'binaryAccuracy' | 'sparseCategoricalAccuracy';
}

export interface TaskData {
  readonly name: TaskName;
  readonly title: string;
  /** One sentence on what the model must learn and what a learner should watch for. */
  readonly about: string;
  readonly train: SequenceData;
  /** Held-out examples: evaluation, the examples the inside views show, memory per lag. */
  readonly test: SequenceData;
  readonly input: InputSpec;
  readonly head: HeadSpec;
  /** The sequence length the model sees (the longest, for padded tasks). */
  readonly steps: number;
  /** A score that needs no learning, to beat. */
  readonly baseline: { readonly label: string; readonly value: number };
  /** Text task: the characters' tokenizer. */
  readonly tokenizer?: CharTokenizer;
  /** Memory probe: the lags its outputs ask for. */
  readonly lags?: readonly number[];
  /** How token ids print in previews (symbols, characters); undefined for features. */
  readonly symbols?: (id: number) => string;
  /** JavaScript that makes `train` and `test` from `@seqmodel/datasets` (and `text` for the text task). */
  readonly code: { readonly imports: readonly string[]; readonly lines: string };
}

/** The default length of each task that has one (`config.length` 0 means this). */
export const DEFAULT_LENGTHS: Readonly<Record<TaskName, number>> = {
  sine: 40,
  adding: 30,
  copy: 0,
  parity: 8,
  reber: 0,
  text: 48,
  memory: 32,
};

export const TASK_TITLES: Readonly<Record<TaskName, string>> = {
  memory: 'Memory probe (recall at lags 1 to 16)',
  copy: 'Copy / delayed recall',
  adding: 'Adding problem',
  parity: 'Parity',
  sine: 'Sine forecasting',
  reber: 'Embedded Reber grammar',
  text: 'Characters of Moby-Dick',
};

const TRAIN_SAMPLES = 2048;
const TEST_SAMPLES = 256;
const MEMORY_LAGS = [1, 2, 4, 8, 16] as const;
const COPY_SYMBOLS = 4;
const COPY_LENGTH = 5;

function lengthOf(config: PlaygroundConfig): number {
  return config.length > 0 ? config.length : DEFAULT_LENGTHS[config.task];
}

/** Seeds of the training and test sets: the same for every model of a run, different from each other. */
export function dataSeeds(seed: number): { train: number; test: string } {
  return { train: seed, test: `${seed}:test` };
}

/**
 * Builds the task of `config`. The text task needs Moby-Dick's text (the page bundles it; Node reads the package's
 * file with `loadMobyDick()`).
 */
export function buildTask(config: PlaygroundConfig, text?: string): TaskData {
  const seeds = dataSeeds(config.seed);
  const n = TRAIN_SAMPLES;
  const m = TEST_SAMPLES;
  const length = lengthOf(config);
  const seedsCode = `{ train: ${seeds.train}, test: ${JSON.stringify(seeds.test)} }`;
  switch (config.task) {
    case 'memory': {
      const options = `lags: [${MEMORY_LAGS.join(', ')}], length: ${16 + length}`;
      return {
        name: 'memory',
        title: TASK_TITLES.memory,
        about:
          'At every step, output the bits seen 1, 2, 4, 8 and 16 steps earlier. Accuracy per lag shows how far back a cell remembers: a simple RNN falls to chance after a few steps, gated cells hold on longer.',
        train: memoryProbeTask({ numSamples: n, lags: MEMORY_LAGS, length: 16 + length, seed: seeds.train }),
        test: memoryProbeTask({ numSamples: m, lags: MEMORY_LAGS, length: 16 + length, seed: seeds.test }),
        input: { kind: 'features', features: 1 },
        head: {
          kind: 'sequence',
          units: MEMORY_LAGS.length,
          activation: 'sigmoid',
          loss: 'binaryCrossentropy',
          metric: 'binaryAccuracy',
        },
        steps: 16 + length,
        baseline: { label: 'no memory: accuracy', value: 0.5 },
        lags: MEMORY_LAGS,
        code: {
          imports: ['memoryProbeTask'],
          lines: [
            `const seeds = ${seedsCode};`,
            `const train = memoryProbeTask({ numSamples: ${n}, ${options}, seed: seeds.train });`,
            `const test = memoryProbeTask({ numSamples: ${m}, ${options}, seed: seeds.test });`,
          ].join('\n'),
        },
      };
    }
    case 'copy': {
      const options = `sequenceLength: ${COPY_LENGTH}, delay: ${config.lag}, numSymbols: ${COPY_SYMBOLS}`;
      const make = (numSamples: number, seed: number | string) =>
        copyTask({
          numSamples,
          sequenceLength: COPY_LENGTH,
          delay: config.lag,
          numSymbols: COPY_SYMBOLS,
          seed,
        });
      const train = make(n, seeds.train);
      return {
        name: 'copy',
        title: TASK_TITLES.copy,
        about: `Read ${COPY_LENGTH} symbols, wait ${config.lag} steps, write them back after the go signal (▶). Raise the lag to see which cells still remember.`,
        train,
        test: make(m, seeds.test),
        input: { kind: 'ids', vocabulary: COPY_SYMBOLS + 2, embedding: 8, maskZero: false },
        head: {
          kind: 'sequence',
          units: COPY_SYMBOLS + 1,
          activation: 'softmax',
          loss: 'sparseCategoricalCrossentropy',
          metric: 'sparseCategoricalAccuracy',
        },
        steps: train.inputs.shape[1]!,
        baseline: { label: 'memoryless cross-entropy', value: train.info.baselines[0]!.value },
        symbols: (id) => (id === 0 ? '·' : id === COPY_SYMBOLS + 1 ? '▶' : 'ABCDEFGH'[id - 1]!),
        code: {
          imports: ['copyTask'],
          lines: [
            `const seeds = ${seedsCode};`,
            `const train = copyTask({ numSamples: ${n}, ${options}, seed: seeds.train });`,
            `const test = copyTask({ numSamples: ${m}, ${options}, seed: seeds.test });`,
          ].join('\n'),
        },
      };
    }
    case 'adding':
      return {
        name: 'adding',
        title: TASK_TITLES.adding,
        about: `Add the two marked values of ${length} random numbers: the first mark can be far back, so the model must carry it.`,
        train: addingProblem({ numSamples: n, length, seed: seeds.train }),
        test: addingProblem({ numSamples: m, length, seed: seeds.test }),
        input: { kind: 'features', features: 2 },
        head: { kind: 'last', units: 1, activation: 'linear', loss: 'mse', metric: 'mae' },
        steps: length,
        baseline: { label: 'always 1: MSE', value: 1 / 6 },
        code: {
          imports: ['addingProblem'],
          lines: [
            `const seeds = ${seedsCode};`,
            `const train = addingProblem({ numSamples: ${n}, length: ${length}, seed: seeds.train });`,
            `const test = addingProblem({ numSamples: ${m}, length: ${length}, seed: seeds.test });`,
          ].join('\n'),
        },
      };
    case 'parity':
      return {
        name: 'parity',
        title: TASK_TITLES.parity,
        about: `The XOR of ${length} bits: no single bit tells anything, one bit of state must survive every step.`,
        train: parityTask({ numSamples: n, length, seed: seeds.train }),
        test: parityTask({ numSamples: m, length, seed: seeds.test }),
        input: { kind: 'features', features: 1 },
        head: {
          kind: 'last',
          units: 1,
          activation: 'sigmoid',
          loss: 'binaryCrossentropy',
          metric: 'binaryAccuracy',
        },
        steps: length,
        baseline: { label: 'constant guess: accuracy', value: 0.5 },
        code: {
          imports: ['parityTask'],
          lines: [
            `const seeds = ${seedsCode};`,
            `const train = parityTask({ numSamples: ${n}, length: ${length}, seed: seeds.train });`,
            `const test = parityTask({ numSamples: ${m}, length: ${length}, seed: seeds.test });`,
          ].join('\n'),
        },
      };
    case 'sine':
      return {
        name: 'sine',
        title: TASK_TITLES.sine,
        about: `Predict the next value of a noisy sine wave (random period and phase) from the last ${length}; the forecast view feeds predictions back in.`,
        train: sineForecastTask({ numSamples: n, inputLength: length, seed: seeds.train }),
        test: sineForecastTask({ numSamples: m, inputLength: length, seed: seeds.test }),
        input: { kind: 'features', features: 1 },
        head: { kind: 'last', units: 1, activation: 'linear', loss: 'mse', metric: 'mae' },
        steps: length,
        baseline: { label: 'repeat the last value: MSE', value: 0.069 },
        code: {
          imports: ['sineForecastTask'],
          lines: [
            `const seeds = ${seedsCode};`,
            `const train = sineForecastTask({ numSamples: ${n}, inputLength: ${length}, seed: seeds.train });`,
            `const test = sineForecastTask({ numSamples: ${m}, inputLength: ${length}, seed: seeds.test });`,
          ].join('\n'),
        },
      };
    case 'reber': {
      const train = embeddedReberTask({ numSamples: n, maxLength: 24, seed: seeds.train });
      const test = embeddedReberTask({ numSamples: m, maxLength: 24, seed: seeds.test });
      // Both padded to the same width, so that one model shape serves both.
      const steps = Math.max(train.inputs.shape[1]!, test.inputs.shape[1]!);
      return {
        name: 'reber',
        title: TASK_TITLES.reber,
        about:
          'Predict the legal next symbols of embedded Reber strings. Everything is local except the second-to-last symbol, which must repeat the second: memory across the inner string.',
        train: padTo(train, steps),
        test: padTo(test, steps),
        input: { kind: 'ids', vocabulary: 8, embedding: 8, maskZero: true },
        head: {
          kind: 'sequence',
          units: 7,
          activation: 'sigmoid',
          loss: 'binaryCrossentropy',
          metric: 'binaryAccuracy',
        },
        steps,
        baseline: { label: 'strings right without memory: at most', value: 0.5 },
        symbols: (id) => (id === 0 ? '·' : 'BTPSXVE'[id - 1]!),
        code: {
          imports: ['embeddedReberTask'],
          lines: [
            `const seeds = ${seedsCode};`,
            `// The playground pads both sets to the same width (${steps} steps); each set alone is padded to its own longest string.`,
            `const train = embeddedReberTask({ numSamples: ${n}, maxLength: 24, seed: seeds.train });`,
            `const test = embeddedReberTask({ numSamples: ${m}, maxLength: 24, seed: seeds.test });`,
          ].join('\n'),
        },
      };
    }
    case 'text': {
      if (text === undefined) throw new Error('buildTask: the text task needs the text of Moby-Dick');
      const tokenizer = CharTokenizer.fit(text);
      const ids = tokenizer.encode(text);
      // The last tenth is held out; windows do not overlap.
      const cut = Math.floor(ids.length * 0.9);
      const train = nextTokenWindows(ids.subarray(0, cut), { sequenceLength: length });
      const test = firstRows(nextTokenWindows(ids.subarray(cut), { sequenceLength: length }), m);
      const vocabulary = tokenizer.vocabulary.size;
      return {
        name: 'text',
        title: TASK_TITLES.text,
        about: `Predict the next character of Moby-Dick from the ${length} before it; the generate view samples new text with a temperature.`,
        train,
        test,
        input: { kind: 'ids', vocabulary, embedding: 16, maskZero: false },
        head: {
          kind: 'sequence',
          units: vocabulary,
          activation: 'softmax',
          loss: 'sparseCategoricalCrossentropy',
          metric: 'sparseCategoricalAccuracy',
        },
        steps: length,
        baseline: { label: 'uniform guess: cross-entropy', value: Math.log(vocabulary) },
        tokenizer,
        symbols: (id) => tokenizer.decode([id]),
        code: {
          imports: ['CharTokenizer', 'loadMobyDick', 'nextTokenWindows'],
          lines: [
            'const text = await loadMobyDick();',
            'const tokenizer = CharTokenizer.fit(text);',
            'const ids = tokenizer.encode(text);',
            'const cut = Math.floor(ids.length * 0.9); // the last tenth is held out',
            `const train = nextTokenWindows(ids.subarray(0, cut), { sequenceLength: ${length} });`,
            `const test = nextTokenWindows(ids.subarray(cut), { sequenceLength: ${length} });`,
          ].join('\n'),
        },
      };
    }
  }
}

/** The first `count` examples of `data`. */
function firstRows(data: SequenceData, count: number): SequenceData {
  const rows = Math.min(count, data.inputs.shape[0]!);
  const cut = <A extends Float32Array | Int32Array>(t: { data: A; shape: readonly number[] }) => {
    const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
    return { data: t.data.slice(0, rows * per) as A, shape: [rows, ...t.shape.slice(1)] };
  };
  return {
    inputs: cut(data.inputs),
    ...(data.targets === undefined ? {} : { targets: cut(data.targets) }),
  };
}

/** Post-pads every per-step array of `data` to `steps` steps (zeros: padding ids, masked steps). */
function padTo(data: SequenceData, steps: number): SequenceData {
  const width = data.inputs.shape[1]!;
  if (width === steps) return data;
  const rows = data.inputs.shape[0]!;
  const pad = <A extends Float32Array | Int32Array>(t: { data: A; shape: readonly number[] }) => {
    const inner = t.shape.slice(2).reduce((a, b) => a * b, 1);
    const out = new (t.data.constructor as new (n: number) => A)(rows * steps * inner);
    for (let r = 0; r < rows; r++)
      out.set(t.data.subarray(r * width * inner, (r + 1) * width * inner), r * steps * inner);
    return { data: out, shape: [rows, steps, ...t.shape.slice(2)] };
  };
  return {
    inputs: pad(data.inputs),
    ...(data.targets === undefined ? {} : { targets: pad(data.targets) }),
    ...(data.mask === undefined ? {} : { mask: pad(data.mask) }),
    ...(data.lengths === undefined ? {} : { lengths: data.lengths }),
  };
}
