/**
 * The reader a Keras layer mapping gets for one layer's config. It checks and converts each option it is asked for,
 * names the layer and the option in every error (`loadKerasModel: layer lstm_1 (LSTM) option units: ...`), and
 * remembers which keys were read: keys nobody read are errors when the layer is done (unless the caller loads with
 * `unknownConfigKeys: 'ignore'`), so an option a mapping does not know never silently changes what the model computes.
 */
import {
  type ActivationName,
  checkPositiveInteger,
  type InitializerSpec,
  invalidArgument,
  SeqmodelError,
} from '@seqmodel/core';
import type { LayerArgs } from '../../engine/layer.js';
import { checkShapeSpec, type ShapeSpec } from '../../engine/shape-spec.js';
import { isObject } from '../files.js';
import { activationFromKeras, initializerFromKeras } from './activations-initializers.js';

/**
 * Which conventions a file follows: tfjs-layers (and seqmodel's own exports), Keras 2 / tf.keras as written by
 * `tensorflowjs_converter`, or Keras 3.
 */
export type KerasDialect = 'tfjs' | 'keras2' | 'keras3';

/** What to do with config keys a mapping does not read. */
export type UnknownKeyPolicy = 'error' | 'ignore';

/** How a file is read: its dialect and what to do with unknown keys. */
export interface KerasReadOptions {
  readonly dialect: KerasDialect;
  readonly unknownKeys: UnknownKeyPolicy;
}

const PREFIX = 'loadKerasModel';

/** Keys every layer may carry that do not change what it computes (the input shape is read separately). */
const COMMON_KEYS = ['name', 'trainable', 'batch_input_shape', 'batch_shape', 'input_shape', 'batch_size'];

/** The dtype a value names: a string, or a (Keras 3) dtype policy `{ config: { name } }`. */
export function dtypeName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && isObject(value.config) && typeof value.config.name === 'string') {
    return value.config.name;
  }
  return undefined;
}

/** Reads one layer's config (see the module comment). Null and absent options read the same. */
export class KerasConfigReader {
  private readonly seen = new Set<string>();

  constructor(
    /** `layer lstm_1 (LSTM)`. */
    readonly where: string,
    readonly config: Readonly<Record<string, unknown>>,
    readonly context: KerasReadOptions,
  ) {}

  /** The option as errors name it: `loadKerasModel: layer lstm_1 (LSTM) option units`. */
  private argument(key: string): string {
    return `${PREFIX}: ${this.where} option ${key}`;
  }

  /** Throws an error naming the layer, the option, what it received and what was expected. */
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

  /**
   * A positive integer written as `n` or `[n]` (Keras' `kernel_size`, `strides`, `pool_size` of 1D layers), or
   * undefined when absent or null.
   */
  optionalWindowInteger(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    const n = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      this.fail(key, value, 'a positive integer or [n]');
    return n;
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

  /** A layer's own random seed (Dropout, GaussianNoise): an integer, or undefined when absent or null. */
  seed(key = 'seed'): number | undefined {
    const value = this.get(key);
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value))) {
      this.fail(key, value, 'an integer or null');
    }
    return value as number | undefined;
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

  /** An activation by its Keras name, as seqmodel's (`hard_sigmoid` by the file's dialect). */
  activation(key: string, fallback: ActivationName): ActivationName {
    const hardSigmoid = this.context.dialect === 'keras3' ? 'hardSigmoidKeras3' : 'hardSigmoid';
    return activationFromKeras(key, this.get(key), fallback, hardSigmoid, (k, received, expected) =>
      this.fail(k, received, expected),
    );
  }

  /** An initializer (`{ class_name, config }` or a name) as seqmodel's, or undefined when absent. */
  initializer(key: string): InitializerSpec | undefined {
    return initializerFromKeras(key, this.get(key), (k, received, expected) =>
      this.fail(k, received, expected),
    );
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

  /**
   * `name` and `trainable` as layer args, with the checks every layer gets: a float32 dtype (int32 / int64 too where
   * `allowIntegerDtype`, for layers that take ids) and Keras 3's `autocast` (casting inputs to the compute dtype,
   * float32 here).
   */
  layerArgs(allowIntegerDtype = false): LayerArgs {
    const name = this.get('name');
    if (name !== undefined && typeof name !== 'string') this.fail('name', name, 'a string');
    const trainable = this.boolean('trainable', true);
    this.dtype('dtype', allowIntegerDtype);
    this.ignore('autocast');
    return { ...(name === undefined ? {} : { name }), trainable };
  }

  /**
   * Marks `<weight>_regularizer`, `<weight>_constraint` and `activity_regularizer` as read: they add training losses
   * or clip updates, and inference ignores them.
   */
  ignoreTrainingOnly(...weights: string[]): void {
    for (const w of weights) this.ignore(`${w}_regularizer`, `${w}_constraint`);
    this.ignore('activity_regularizer');
  }

  /** Keras 3's LoRA and quantization options change the weights a layer holds: only their off values load. */
  rejectLoraAndQuantization(): void {
    this.expect('lora_rank', [], 'null (LoRA layers are not supported)');
    this.ignore('lora_alpha');
    this.expect('quantization_config', [], 'null (quantized layers are not supported)');
  }

  /** Throws on keys nobody read (unless the file is read with `unknownKeys: 'ignore'`). */
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
