/**
 * Keras layer configs to seqmodel layers. Reads the three dialects found in `model.json` files:
 * - tfjs-layers (`keras_version: "tfjs-layers x.y.z"`) and seqmodel's own export (`"seqmodel-layers x.y.z"`),
 * - Keras 2 / tf.keras as written by `tensorflowjs_converter` (`batch_input_shape`, `{ class_name, config }`
 *   initializers, `dtype: "float32"` or `Policy` objects),
 * - Keras 3 (`batch_shape`, `{ module, class_name, config, registered_name }` objects, `DTypePolicy` objects).
 *
 * Every option of a supported layer is either mapped, accepted and ignored because it cannot change a prediction
 * (regularizers, constraints, `unroll`, `implementation`, `use_cudnn`, seeds), or rejected with an error that names
 * the layer and the option when the value would give a different model (`time_major: true`, a `gelu` activation, a
 * float16 dtype policy, ...). Unknown options are errors too, unless the caller asks to ignore them.
 *
 * Dialect differences that change numbers:
 * - `hard_sigmoid` is clip(0.2x + 0.5) in tfjs-layers and Keras 2 (`hardSigmoid`), clip(x/6 + 0.5) in Keras 3
 *   (`hardSigmoidKeras3`);
 * - Keras (2 and 3, not tfjs-layers) makes a Bidirectional's inner layers output zeros at masked steps when they
 *   return sequences (`zeroOutputForMask`);
 * - absent `recurrent_activation` / `reset_after` take the dialect's defaults (tfjs-layers: `hard_sigmoid` / false;
 *   Keras 2 and 3: `sigmoid` / true).
 */
import {
  type ActivationName,
  checkPositiveInteger,
  describeValue,
  type InitializerSpec,
  invalidArgument,
  SeqmodelError,
} from '@seqmodel/core';
import type { Layer, LayerArgs } from '../../engine/layer.js';
import { checkShapeSpec, type ShapeSpec } from '../../engine/shape-spec.js';
import { Activation } from '../../layers/activation.js';
import { Bidirectional, type MergeMode } from '../../layers/bidirectional.js';
import { Dense } from '../../layers/dense.js';
import { Dropout } from '../../layers/dropout.js';
import { Embedding } from '../../layers/embedding.js';
import { Flatten } from '../../layers/flatten.js';
import { Masking } from '../../layers/masking.js';
import { RepeatVector } from '../../layers/repeat-vector.js';
import { GRU, LSTM, type RNN, SimpleRNN } from '../../layers/rnn.js';
import { TimeDistributed } from '../../layers/time-distributed.js';
import { isObject } from '../files.js';

/** Which conventions a file follows (see the module comment). */
export type KerasDialect = 'tfjs' | 'keras2' | 'keras3';

/** What to do with config keys this loader does not know on layers it supports. */
export type UnknownKeyPolicy = 'error' | 'ignore';

/** Keras version string seqmodel writes in its exports (read with tfjs-layers conventions). */
export const SEQMODEL_KERAS_VERSION_PREFIX = 'seqmodel-layers';

export interface ImportContext {
  readonly dialect: KerasDialect;
  readonly unknownKeys: UnknownKeyPolicy;
}

/** A layer's JSON in a Keras model config. */
export interface KerasLayerJson {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
  readonly module?: string;
  readonly registered_name?: string | null;
  readonly name?: string;
  readonly inbound_nodes?: unknown;
  readonly build_config?: unknown;
}

const PREFIX = 'loadKerasModel';

/** Keras layer classes this loader maps (besides `InputLayer`, which becomes the model's input). */
const SUPPORTED_KERAS_LAYERS = [
  'Activation',
  'Bidirectional',
  'Dense',
  'Dropout',
  'Embedding',
  'Flatten',
  'GRU',
  'LSTM',
  'Masking',
  'RepeatVector',
  'SimpleRNN',
  'TimeDistributed',
] as const;

/** Keys every layer may carry that do not change what it computes (the input shape is read separately). */
const COMMON_KEYS = ['name', 'trainable', 'batch_input_shape', 'batch_shape', 'input_shape', 'batch_size'];

/**
 * Reads one layer's config, remembering which keys were looked at, so that `finish()` can report the rest.
 */
class OptionReader {
  private readonly seen = new Set<string>();

  constructor(
    /** `layer lstm_1 (LSTM)`. */
    readonly where: string,
    readonly config: Readonly<Record<string, unknown>>,
    readonly context: ImportContext,
  ) {}

  /** The option as errors name it: `loadKerasModel: layer lstm_1 (LSTM) option units`. */
  private argument(key: string): string {
    return `${PREFIX}: ${this.where} option ${key}`;
  }

  fail(key: string, received: unknown, expected: string): never {
    return invalidArgument(this.argument(key), received, expected);
  }

  /** The raw value (null and absent both read as undefined). */
  get(key: string): unknown {
    this.seen.add(key);
    const value = this.config[key];
    return value === null ? undefined : value;
  }

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  /** Marks keys as read without looking at them: options that cannot change a prediction. */
  ignore(...keys: string[]): void {
    for (const key of keys) this.seen.add(key);
  }

  positiveInteger(key: string): number {
    return checkPositiveInteger(this.argument(key), this.get(key));
  }

  /** A positive integer, or undefined when absent or null. */
  optionalPositiveInteger(key: string): number | undefined {
    const value = this.get(key);
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
      this.fail(key, value, 'a positive integer or null');
    }
    return value;
  }

  /** A shape (sizes positive integers or null), or undefined when absent or null. */
  shape(key: string): ShapeSpec | undefined {
    const value = this.get(key);
    return value === undefined ? undefined : checkShapeSpec(this.argument(key), value);
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.get(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(key, value, 'true or false');
    return value;
  }

  number(key: string, fallback: number): number {
    const value = this.get(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, value, 'a number');
    return value;
  }

  /** A dropout rate in [0, 1). */
  rate(key: string): number {
    const value = this.number(key, 0);
    if (value < 0 || value >= 1) this.fail(key, value, 'a rate in [0, 1)');
    return value;
  }

  /** Requires the option to be absent, null or one of `allowed` (values that compute the same). */
  expect(key: string, allowed: readonly unknown[], expected: string): void {
    const value = this.get(key);
    if (value !== undefined && !allowed.includes(value)) this.fail(key, value, expected);
  }

  activation(key: string, fallback: ActivationName): ActivationName {
    return kerasActivation(this, key, this.get(key), fallback);
  }

  initializer(key: string): InitializerSpec | undefined {
    return kerasInitializer(this, key, this.get(key));
  }

  /** Checks a dtype or dtype policy: float32 computations only (and integer ids where `allowIntegers`). */
  dtype(key: string, allowIntegers = false): void {
    const value = this.get(key);
    if (value === undefined) return;
    const name = dtypeName(value);
    const ok = name === 'float32' || (allowIntegers && (name === 'int32' || name === 'int64'));
    if (!ok) {
      this.fail(
        key,
        name ?? value,
        `"float32"${allowIntegers ? ', "int32" or "int64"' : ''} (seqmodel computes in float32; a model run in another precision would give different numbers)`,
      );
    }
  }

  /** Throws on keys nobody read (unless the context ignores them). */
  finish(): void {
    if (this.context.unknownKeys === 'ignore') return;
    const unknown = Object.keys(this.config).filter((k) => !this.seen.has(k) && !COMMON_KEYS.includes(k));
    if (unknown.length > 0) {
      throw new SeqmodelError(
        `${PREFIX}: ${this.where} option${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}: not known to this loader, so the model might compute something else (pass { unknownConfigKeys: 'ignore' } to load anyway)`,
      );
    }
  }
}

function dtypeName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && isObject(value.config) && typeof value.config.name === 'string') {
    return value.config.name;
  }
  return undefined;
}

const KERAS_ACTIVATIONS: Readonly<Record<string, ActivationName>> = {
  linear: 'linear',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  elu: 'elu',
  selu: 'selu',
  exponential: 'exponential',
};

/** A Keras activation name as seqmodel's; `hard_sigmoid` depends on the dialect (module comment). */
function kerasActivation(
  reader: OptionReader,
  key: string,
  value: unknown,
  fallback: ActivationName,
): ActivationName {
  if (value === undefined || value === null) return fallback;
  // Keras 3 may write a function as { class_name: "function", config: "relu" }.
  const name = isObject(value) && typeof value.config === 'string' ? value.config : value;
  if (typeof name !== 'string') reader.fail(key, value, 'an activation name');
  if (name === 'hard_sigmoid')
    return reader.context.dialect === 'keras3' ? 'hardSigmoidKeras3' : 'hardSigmoid';
  const mapped = KERAS_ACTIVATIONS[name];
  if (mapped === undefined) {
    reader.fail(
      key,
      name,
      `one of the supported activations: ${[...Object.keys(KERAS_ACTIVATIONS), 'hard_sigmoid'].join(', ')}`,
    );
  }
  return mapped;
}

const FAN_MODES = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' } as const;
const DISTRIBUTIONS = {
  normal: 'truncatedNormal',
  truncated_normal: 'truncatedNormal',
  untruncated_normal: 'untruncatedNormal',
  uniform: 'uniform',
} as const;

/**
 * A Keras initializer as seqmodel's. Loaded weights replace what initializers draw, so they only matter when the
 * model is trained or rebuilt later; they are mapped so the model's config stays faithful, and an unknown one is an
 * error like any other unknown option.
 */
function kerasInitializer(reader: OptionReader, key: string, value: unknown): InitializerSpec | undefined {
  if (value === undefined || value === null) return undefined;
  let className: unknown;
  let config: Record<string, unknown> = {};
  if (typeof value === 'string') className = value;
  else if (isObject(value)) {
    className = value.class_name;
    if (isObject(value.config)) config = value.config;
  }
  const num = (k: string, fallback: number): number => {
    const v = config[k];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number') reader.fail(`${key}.config.${k}`, v, 'a number');
    return v;
  };
  switch (className) {
    case 'Zeros':
    case 'zeros':
      return 'zeros';
    case 'Ones':
    case 'ones':
      return 'ones';
    case 'Constant':
    case 'constant':
      return { name: 'constant', value: num('value', 0) };
    case 'RandomUniform':
    case 'random_uniform':
    case 'uniform':
      return { name: 'uniform', minval: num('minval', -0.05), maxval: num('maxval', 0.05) };
    case 'RandomNormal':
    case 'random_normal':
    case 'normal':
      return { name: 'normal', mean: num('mean', 0), stddev: num('stddev', 0.05) };
    case 'TruncatedNormal':
    case 'truncated_normal':
      return { name: 'truncatedNormal', mean: num('mean', 0), stddev: num('stddev', 0.05) };
    case 'GlorotUniform':
    case 'glorot_uniform':
      return 'glorotUniform';
    case 'GlorotNormal':
    case 'glorot_normal':
      return 'glorotNormal';
    case 'HeUniform':
    case 'he_uniform':
      return 'heUniform';
    case 'HeNormal':
    case 'he_normal':
      return 'heNormal';
    case 'LecunUniform':
    case 'LeCunUniform':
    case 'lecun_uniform':
      return 'lecunUniform';
    case 'LecunNormal':
    case 'LeCunNormal':
    case 'lecun_normal':
      return 'lecunNormal';
    case 'Orthogonal':
    case 'OrthogonalInitializer':
    case 'orthogonal':
      return { name: 'orthogonal', gain: num('gain', 1) };
    case 'Identity':
    case 'IdentityInitializer':
    case 'identity':
      return { name: 'identity', gain: num('gain', 1) };
    case 'VarianceScaling':
    case 'variance_scaling': {
      const mode = FAN_MODES[(config.mode ?? 'fan_in') as keyof typeof FAN_MODES];
      if (mode === undefined)
        reader.fail(`${key}.config.mode`, config.mode, '"fan_in", "fan_out" or "fan_avg"');
      const distribution =
        DISTRIBUTIONS[(config.distribution ?? 'truncated_normal') as keyof typeof DISTRIBUTIONS];
      if (distribution === undefined) {
        reader.fail(
          `${key}.config.distribution`,
          config.distribution,
          '"truncated_normal", "untruncated_normal", "normal" or "uniform"',
        );
      }
      return { name: 'varianceScaling', scale: num('scale', 1), mode, distribution };
    }
    default:
      return reader.fail(
        key,
        className ?? value,
        'a built-in Keras initializer (Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, Glorot*, He*, Lecun*, VarianceScaling, Orthogonal, Identity)',
      );
  }
}

/** `name` and `trainable`, and the dtype check every layer gets. */
function layerArgs(reader: OptionReader, allowIntegerDtype = false): LayerArgs {
  const name = reader.get('name');
  if (name !== undefined && typeof name !== 'string') reader.fail('name', name, 'a string');
  const trainable = reader.boolean('trainable', true);
  reader.dtype('dtype', allowIntegerDtype);
  // Keras 3 layers may carry `autocast` (casting inputs to the compute dtype, float32 here).
  reader.ignore('autocast');
  return { ...(name === undefined ? {} : { name }), trainable };
}

/** Regularizers, constraints and activity regularizers add training losses or clip updates; inference ignores them. */
function ignoreTrainingOnly(reader: OptionReader, ...weights: string[]): void {
  for (const w of weights) reader.ignore(`${w}_regularizer`, `${w}_constraint`);
  reader.ignore('activity_regularizer');
}

/** Keras 3's LoRA and quantization options change the weights a layer holds: only their off values load. */
function rejectLoraAndQuantization(reader: OptionReader): void {
  reader.expect('lora_rank', [], 'null (LoRA layers are not supported)');
  reader.ignore('lora_alpha');
  reader.expect('quantization_config', [], 'null (quantized layers are not supported)');
}

/** What a wrapper asks of the layer it wraps. */
interface NestedOptions {
  /** Keras' Bidirectional makes its recurrent layers output zeros at masked steps (see the module comment). */
  readonly forceZeroOutputForMask?: boolean;
}

type Builder = (reader: OptionReader, context: BuildContext, options: NestedOptions) => Layer;

/** What builders need besides their own config: a way to build the layers inside wrappers. */
export interface BuildContext extends ImportContext {
  /** Builds a nested layer; `where` names the wrapper and the option holding it. */
  layerFromJson(json: unknown, where: string, options?: NestedOptions): Layer;
}

function recurrent(kind: 'SimpleRNN' | 'LSTM' | 'GRU'): Builder {
  return (reader, context, options) => {
    const tfjs = context.dialect === 'tfjs';
    const args: Record<string, unknown> = {
      ...layerArgs(reader),
      units: reader.positiveInteger('units'),
      activation: reader.activation('activation', 'tanh'),
      useBias: reader.boolean('use_bias', true),
      returnSequences: reader.boolean('return_sequences', false),
      returnState: reader.boolean('return_state', false),
      goBackwards: reader.boolean('go_backwards', false),
      stateful: reader.boolean('stateful', false),
      dropout: reader.rate('dropout'),
      recurrentDropout: reader.rate('recurrent_dropout'),
      zeroOutputForMask: reader.boolean('zero_output_for_mask', false),
    };
    for (const [ours, theirs] of [
      ['kernelInitializer', 'kernel_initializer'],
      ['recurrentInitializer', 'recurrent_initializer'],
      ['biasInitializer', 'bias_initializer'],
    ] as const) {
      const init = reader.initializer(theirs);
      if (init !== undefined) args[ours] = init;
    }
    ignoreTrainingOnly(reader, 'kernel', 'recurrent', 'bias');
    reader.expect('time_major', [false], 'false (seqmodel reads [batch, time, features])');
    reader.expect('num_constants', [0], 'null (RNN constants are not supported)');
    // Same numbers either way: unrolling, the kernel implementation, cuDNN, and seeds of training-time dropout.
    reader.ignore('unroll', 'implementation', 'use_cudnn', 'seed');
    if (kind !== 'SimpleRNN') {
      args.recurrentActivation = reader.activation('recurrent_activation', tfjs ? 'hardSigmoid' : 'sigmoid');
    }
    if (kind === 'LSTM') {
      // tfjs-layers writes null for the default (true); it only decides the initial forget bias.
      args.unitForgetBias = reader.boolean('unit_forget_bias', true);
    }
    if (kind === 'GRU') args.resetAfter = reader.boolean('reset_after', !tfjs);
    if (options.forceZeroOutputForMask) args.zeroOutputForMask = args.returnSequences;
    reader.finish();
    if (kind === 'LSTM') return new LSTM(args as never);
    if (kind === 'GRU') return new GRU(args as never);
    return new SimpleRNN(args as never);
  };
}

const MERGE_MODES: readonly unknown[] = ['concat', 'sum', 'mul', 'ave'];

function sameRecurrentConfig(a: RNN, b: RNN): boolean {
  const strip = (layer: RNN) => {
    const { name: _name, ...rest } = layer.getConfig();
    return JSON.stringify(rest);
  };
  return strip(a) === strip(b);
}

const builders: Readonly<Record<string, Builder>> = {
  Dense(reader) {
    const args: Record<string, unknown> = {
      ...layerArgs(reader),
      units: reader.positiveInteger('units'),
      activation: reader.activation('activation', 'linear'),
      useBias: reader.boolean('use_bias', true),
    };
    const kernel = reader.initializer('kernel_initializer');
    if (kernel !== undefined) args.kernelInitializer = kernel;
    const bias = reader.initializer('bias_initializer');
    if (bias !== undefined) args.biasInitializer = bias;
    ignoreTrainingOnly(reader, 'kernel', 'bias');
    rejectLoraAndQuantization(reader);
    reader.finish();
    return new Dense(args as never);
  },

  Embedding(reader) {
    const args: Record<string, unknown> = {
      ...layerArgs(reader, true),
      inputDim: reader.positiveInteger('input_dim'),
      outputDim: reader.positiveInteger('output_dim'),
      maskZero: reader.boolean('mask_zero', false),
    };
    const init = reader.initializer('embeddings_initializer');
    if (init !== undefined) args.embeddingsInitializer = init;
    ignoreTrainingOnly(reader, 'embeddings');
    // `input_length` only declares the sequence length (read as the input shape of a first layer).
    reader.ignore('input_length');
    reader.expect('sparse', [false], 'false (sparse embedding outputs are not supported)');
    rejectLoraAndQuantization(reader);
    reader.finish();
    return new Embedding(args as never);
  },

  Masking(reader) {
    const args = { ...layerArgs(reader), maskValue: reader.number('mask_value', 0) };
    reader.finish();
    return new Masking(args);
  },

  Dropout(reader) {
    const args: Record<string, unknown> = { ...layerArgs(reader), rate: reader.rate('rate') };
    const noiseShape = reader.get('noise_shape');
    if (noiseShape !== undefined) {
      if (!Array.isArray(noiseShape)) reader.fail('noise_shape', noiseShape, 'an array or null');
      args.noiseShape = noiseShape;
    }
    const seed = reader.get('seed');
    if (seed !== undefined) {
      if (typeof seed !== 'number' || !Number.isInteger(seed))
        reader.fail('seed', seed, 'an integer or null');
      args.seed = seed;
    }
    reader.finish();
    return new Dropout(args as never);
  },

  Activation(reader) {
    const args = { ...layerArgs(reader), activation: reader.activation('activation', 'linear') };
    reader.finish();
    return new Activation(args);
  },

  RepeatVector(reader) {
    const args = { ...layerArgs(reader), n: reader.positiveInteger('n') };
    reader.finish();
    return new RepeatVector(args);
  },

  Flatten(reader) {
    const args = layerArgs(reader);
    reader.expect(
      'data_format',
      ['channels_last'],
      '"channels_last" (channels_first flattens in another order)',
    );
    reader.finish();
    return new Flatten(args);
  },

  SimpleRNN: recurrent('SimpleRNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),

  TimeDistributed(reader, context) {
    const args = layerArgs(reader);
    const inner = context.layerFromJson(reader.get('layer'), `${reader.where} option layer`);
    reader.finish();
    return new TimeDistributed(inner, args);
  },

  Bidirectional(reader, context) {
    const args = layerArgs(reader);
    const rawMode = reader.config.merge_mode;
    const mergeMode = (rawMode === undefined ? 'concat' : rawMode) as MergeMode;
    reader.get('merge_mode');
    if (mergeMode !== null && !MERGE_MODES.includes(mergeMode)) {
      reader.fail('merge_mode', rawMode, '"concat", "sum", "mul", "ave" or null');
    }
    reader.expect('num_constants', [0], 'null (RNN constants are not supported)');
    // Keras (not tfjs-layers) makes the inner layers output zeros at masked steps when they return sequences.
    const force = { forceZeroOutputForMask: context.dialect !== 'tfjs' };
    const forward = context.layerFromJson(reader.get('layer'), `${reader.where} option layer`, force);
    const recurrentClasses = ['SimpleRNN', 'LSTM', 'GRU'];
    if (!recurrentClasses.includes(forward.className)) {
      forward.dispose();
      reader.fail('layer', forward.className, 'a SimpleRNN, LSTM or GRU layer');
    }
    const backwardJson = reader.get('backward_layer');
    let backward: RNN | undefined;
    if (backwardJson !== undefined) {
      const layer = context.layerFromJson(backwardJson, `${reader.where} option backward_layer`, force);
      if (!recurrentClasses.includes(layer.className)) {
        reader.fail('backward_layer', layer.className, 'a SimpleRNN, LSTM or GRU layer');
      }
      backward = layer as RNN;
      // Keras 3 always writes the backward layer; when it is the forward layer run backwards, let Bidirectional
      // derive it, as a model built in seqmodel would.
      const derived = (forward as RNN).cloneWith({ goBackwards: !(forward as RNN).goBackwards });
      if (sameRecurrentConfig(derived, backward)) backward = undefined;
    }
    reader.finish();
    return new Bidirectional(forward as RNN, {
      ...args,
      mergeMode,
      ...(backward === undefined ? {} : { backwardLayer: backward }),
    });
  },
};

function describeLayerJson(json: unknown): { className: string; name: string } {
  const className = isObject(json) && typeof json.class_name === 'string' ? json.class_name : '?';
  const config = isObject(json) && isObject(json.config) ? json.config : {};
  const name =
    typeof config.name === 'string'
      ? config.name
      : isObject(json) && typeof json.name === 'string'
        ? json.name
        : '(unnamed)';
  return { className, name };
}

/** `layer lstm_1 (LSTM)`. */
export function describeKerasLayer(json: unknown): string {
  const { className, name } = describeLayerJson(json);
  return `layer ${name} (${className})`;
}

/** Checks the outer shape of a layer's JSON and that its class is a built-in Keras one. */
export function checkLayerJson(json: unknown, where: string): KerasLayerJson {
  if (!isObject(json) || typeof json.class_name !== 'string') {
    throw new SeqmodelError(
      `${PREFIX}: ${where}: expected a layer { class_name, config }, received ${describeValue(json)}`,
    );
  }
  if (json.config !== undefined && !isObject(json.config)) {
    throw new SeqmodelError(`${PREFIX}: ${describeKerasLayer(json)}: config is not an object`);
  }
  const module = json.module;
  if (typeof module === 'string' && !module.startsWith('keras')) {
    throw new SeqmodelError(
      `${PREFIX}: ${describeKerasLayer(json)}: custom layer class from module ${JSON.stringify(module)} (registered as ${JSON.stringify(json.registered_name)}) is not supported`,
    );
  }
  return { ...(json as unknown as KerasLayerJson), config: (json.config as Record<string, unknown>) ?? {} };
}

/** Builds the seqmodel layer for one Keras layer (not `InputLayer`). */
export function layerFromKeras(
  json: unknown,
  context: ImportContext,
  where = 'layer',
  options: NestedOptions = {},
): Layer {
  const layerJson = checkLayerJson(json, where);
  const className = layerJson.class_name;
  const builder = builders[className];
  if (builder === undefined) {
    const nested = ['Sequential', 'Functional', 'Model'].includes(className);
    throw new SeqmodelError(
      `${PREFIX}: ${describeKerasLayer(layerJson)}: ${
        nested
          ? 'nested models are not supported (flatten them into one model)'
          : `layer class ${className} is not supported`
      }; supported: ${SUPPORTED_KERAS_LAYERS.join(', ')} (and InputLayer)`,
    );
  }
  const reader = new OptionReader(describeKerasLayer(layerJson), layerJson.config, context);
  const buildContext: BuildContext = {
    ...context,
    layerFromJson: (inner, innerWhere, innerOptions) =>
      layerFromKeras(inner, context, innerWhere, innerOptions),
  };
  return builder(reader, buildContext, options);
}

/** A batch shape from a config (`batch_input_shape` / `batch_shape`, or `input_shape` with `batch_size`). */
function batchShapeOf(reader: OptionReader): ShapeSpec | undefined {
  const batchShape = reader.shape('batch_input_shape') ?? reader.shape('batch_shape');
  if (batchShape !== undefined) return batchShape;
  const sample = reader.shape('input_shape');
  if (sample === undefined) return undefined;
  return [reader.optionalPositiveInteger('batch_size') ?? null, ...sample];
}

/** What an `InputLayer` declares: the batch shape, the dtype and its name. */
export interface KerasInput {
  readonly name: string | undefined;
  readonly batchShape: ShapeSpec;
  readonly dtype: 'float32' | 'int32';
}

/** Reads an `InputLayer`'s config. */
export function inputFromKeras(json: KerasLayerJson, context: ImportContext): KerasInput {
  const reader = new OptionReader(describeKerasLayer(json), json.config, context);
  const name = reader.get('name');
  const batchShape = batchShapeOf(reader);
  if (batchShape === undefined)
    return reader.fail('batch_shape', undefined, 'the input shape (batch_shape or batch_input_shape)');
  const dtype = dtypeName(reader.get('dtype')) ?? 'float32';
  if (!['float32', 'int32', 'int64'].includes(dtype)) {
    reader.fail('dtype', dtype, '"float32", "int32" or "int64"');
  }
  reader.expect('sparse', [false], 'false (sparse inputs are not supported)');
  reader.expect('ragged', [false], 'false (ragged inputs are not supported; pad and mask instead)');
  reader.expect('optional', [false], 'false (optional inputs are not supported)');
  reader.ignore('input_tensor', 'trainable');
  reader.finish();
  return {
    name: typeof name === 'string' ? name : undefined,
    batchShape,
    dtype: dtype === 'float32' ? 'float32' : 'int32',
  };
}

/**
 * The input shape a Sequential model's first layer declares, if any: `batch_input_shape` / `batch_shape` /
 * `input_shape`, or an Embedding's `input_length`.
 */
export function declaredInputShape(json: KerasLayerJson, context: ImportContext): ShapeSpec | undefined {
  const reader = new OptionReader(describeKerasLayer(json), json.config, {
    ...context,
    unknownKeys: 'ignore',
  });
  const shape = batchShapeOf(reader);
  if (shape !== undefined) return shape;
  if (json.class_name === 'Embedding') return [null, reader.optionalPositiveInteger('input_length') ?? null];
  return undefined;
}
