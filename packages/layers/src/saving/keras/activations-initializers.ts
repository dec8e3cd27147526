/**
 * Activations and initializers between Keras' spellings and seqmodel's, both ways. Loading reads every spelling the
 * three dialects write (`"relu"`, Keras 3's `{ class_name: "function", config: "relu" }`, `GlorotUniform` and
 * `glorot_uniform`, ...); saving writes what tfjs-layers 4 reads. Layer mappings reach these through their config
 * reader (`reader.activation`, `reader.initializer`) and export context (`context.activation`,
 * `context.initializer`), which add the layer and option to errors.
 */
import { type ActivationName, type InitializerSpec, resolveInitializer } from '@seqmodel/core';
import { isObject } from '../files.js';

/** Throws an error naming the option `key` (or a field inside it), what was received and what was expected. */
export type FailOption = (key: string, received: unknown, expected: string) => never;

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
  // Keras' "gelu" is gelu(x, approximate=False), the exact one; "gelu_new" (the tanh approximation) is tfjs-layers'.
  gelu: 'gelu',
  gelu_new: 'geluNew',
  // Keras 3 writes silu (swish is its alias); tfjs-layers writes swish.
  silu: 'swish',
  swish: 'swish',
  mish: 'mish',
  relu6: 'relu6',
};

/**
 * A Keras activation as seqmodel's. `hard_sigmoid` is `hardSigmoid` (clip(0.2x + 0.5): tfjs-layers, Keras 2) or
 * `hardSigmoidKeras3` (clip(x/6 + 0.5)), as the file's dialect says.
 */
export function activationFromKeras(
  key: string,
  value: unknown,
  fallback: ActivationName,
  hardSigmoid: 'hardSigmoid' | 'hardSigmoidKeras3',
  fail: FailOption,
): ActivationName {
  if (value === undefined || value === null) return fallback;
  // Keras 3 may write a function as { class_name: "function", config: "relu" }.
  const name = isObject(value) && typeof value.config === 'string' ? value.config : value;
  if (typeof name !== 'string') fail(key, value, 'an activation name');
  if (name === 'hard_sigmoid') return hardSigmoid;
  const mapped = KERAS_ACTIVATIONS[name];
  if (mapped === undefined) {
    fail(
      key,
      name,
      `one of the supported activations: ${[...Object.keys(KERAS_ACTIVATIONS), 'hard_sigmoid'].join(', ')}`,
    );
  }
  return mapped;
}

const FAN_MODES_FROM_KERAS = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' } as const;
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
export function initializerFromKeras(
  key: string,
  value: unknown,
  fail: FailOption,
): InitializerSpec | undefined {
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
    if (typeof v !== 'number') fail(`${key}.config.${k}`, v, 'a number');
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
      const mode = FAN_MODES_FROM_KERAS[(config.mode ?? 'fan_in') as keyof typeof FAN_MODES_FROM_KERAS];
      if (mode === undefined) fail(`${key}.config.mode`, config.mode, '"fan_in", "fan_out" or "fan_avg"');
      const distribution =
        DISTRIBUTIONS[(config.distribution ?? 'truncated_normal') as keyof typeof DISTRIBUTIONS];
      if (distribution === undefined) {
        fail(
          `${key}.config.distribution`,
          config.distribution,
          '"truncated_normal", "untruncated_normal", "normal" or "uniform"',
        );
      }
      return { name: 'varianceScaling', scale: num('scale', 1), mode, distribution };
    }
    default:
      return fail(
        key,
        className ?? value,
        'a built-in Keras initializer (Zeros, Ones, Constant, RandomUniform, RandomNormal, TruncatedNormal, Glorot*, He*, Lecun*, VarianceScaling, Orthogonal, Identity)',
      );
  }
}

const TFJS_ACTIVATIONS: Partial<Record<ActivationName, string>> = {
  linear: 'linear',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  hardSigmoid: 'hard_sigmoid',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  elu: 'elu',
  selu: 'selu',
  gelu: 'gelu',
  swish: 'swish',
  mish: 'mish',
  relu6: 'relu6',
};

/** A seqmodel activation as tfjs-layers names it; `refuse` throws for those tfjs-layers lacks. */
export function activationToKeras(name: ActivationName, refuse: (detail: string) => never): string {
  const keras = TFJS_ACTIVATIONS[name];
  if (keras === undefined) {
    const why =
      name === 'hardSigmoidKeras3'
        ? "tfjs-layers' hard_sigmoid is clip(0.2x + 0.5), not Keras 3's clip(x/6 + 0.5)"
        : name === 'geluNew'
          ? 'tfjs-layers 4.22 writes gelu_new but cannot read it back: its loader looks for geluNew'
          : 'tfjs-layers has no such activation';
    refuse(`${JSON.stringify(name)} cannot be exported (${why}); save with saveModel instead`);
  }
  return keras;
}

const FAN_MODES_TO_KERAS = { fanIn: 'fan_in', fanOut: 'fan_out', fanAvg: 'fan_avg' } as const;

function varianceScaling(
  scale: number,
  mode: keyof typeof FAN_MODES_TO_KERAS,
  distribution: string,
): Record<string, unknown> {
  // tfjs-layers knows "normal" (truncated) and "uniform"; an untruncated normal is written as its truncated kin.
  // Initializers only matter when weights are drawn again: the file's weights are what a loader uses.
  const dist = distribution === 'uniform' ? 'uniform' : 'normal';
  return {
    class_name: 'VarianceScaling',
    config: { scale, mode: FAN_MODES_TO_KERAS[mode], distribution: dist, seed: null },
  };
}

/** A seqmodel initializer as a Keras `{ class_name, config }`; `refuse` throws for one Keras lacks. */
export function initializerToKeras(
  spec: InitializerSpec,
  refuse: (detail: string) => never,
): Record<string, unknown> {
  const config = resolveInitializer(spec);
  switch (config.name) {
    case 'zeros':
      return { class_name: 'Zeros', config: {} };
    case 'ones':
      return { class_name: 'Ones', config: {} };
    case 'constant':
      return { class_name: 'Constant', config: { value: config.value } };
    case 'uniform':
      return {
        class_name: 'RandomUniform',
        config: { minval: config.minval ?? -0.05, maxval: config.maxval ?? 0.05, seed: null },
      };
    case 'normal':
      return {
        class_name: 'RandomNormal',
        config: { mean: config.mean ?? 0, stddev: config.stddev ?? 0.05, seed: null },
      };
    case 'truncatedNormal':
      return {
        class_name: 'TruncatedNormal',
        config: { mean: config.mean ?? 0, stddev: config.stddev ?? 0.05, seed: null },
      };
    case 'glorotUniform':
      return varianceScaling(1, 'fanAvg', 'uniform');
    case 'glorotNormal':
      return varianceScaling(1, 'fanAvg', 'truncatedNormal');
    case 'heUniform':
      return varianceScaling(2, 'fanIn', 'uniform');
    case 'heNormal':
      return varianceScaling(2, 'fanIn', 'truncatedNormal');
    case 'lecunUniform':
      return varianceScaling(1, 'fanIn', 'uniform');
    case 'lecunNormal':
      return varianceScaling(1, 'fanIn', 'truncatedNormal');
    case 'varianceScaling':
      return varianceScaling(
        config.scale ?? 1,
        config.mode ?? 'fanIn',
        config.distribution ?? 'truncatedNormal',
      );
    case 'orthogonal':
      return { class_name: 'Orthogonal', config: { gain: config.gain ?? 1, seed: null } };
    case 'identity':
      return { class_name: 'Identity', config: { gain: config.gain ?? 1 } };
    case 'concat':
      return refuse('a "concat" initializer has no Keras equivalent');
  }
}
