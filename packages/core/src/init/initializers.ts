/**
 * Weight initializers, following Keras 3's definitions (names in tfjs-layers' camelCase). They fill host-side
 * `Float32Array`s from a seeded {@link Rng}, so one seed gives the same weights on every backend.
 *
 * Fans follow Keras: for a shape `[a, b]`, fanIn = a and fanOut = b; for a vector `[n]` both are n; for higher ranks
 * the product of all but the last two axes multiplies both ("receptive field").
 */
import { checkNumberInRange, invalidArgument, SeqmodelError } from '../errors.js';
import { didYouMean } from '../options.js';
import type { Rng } from '../rng.js';
import { formatShape, type Shape, sizeOfShape } from '../shape.js';
import { orthogonalMatrix } from './orthogonal.js';

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type VarianceDistribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

/** Every initializer, with its options. Omitted options take Keras 3's defaults. */
export type InitializerConfig =
  | { readonly name: 'zeros' }
  | { readonly name: 'ones' }
  | { readonly name: 'constant'; readonly value: number }
  | { readonly name: 'uniform'; readonly minval?: number; readonly maxval?: number }
  | { readonly name: 'normal'; readonly mean?: number; readonly stddev?: number }
  | { readonly name: 'truncatedNormal'; readonly mean?: number; readonly stddev?: number }
  | { readonly name: 'glorotUniform' }
  | { readonly name: 'glorotNormal' }
  | { readonly name: 'heUniform' }
  | { readonly name: 'heNormal' }
  | { readonly name: 'lecunUniform' }
  | { readonly name: 'lecunNormal' }
  | {
      readonly name: 'varianceScaling';
      readonly scale?: number;
      readonly mode?: FanMode;
      readonly distribution?: VarianceDistribution;
    }
  | { readonly name: 'orthogonal'; readonly gain?: number }
  | { readonly name: 'identity'; readonly gain?: number }
  /** Blocks along the last axis, each with its own initializer (an LSTM bias with a forget bias of 1, say). */
  | { readonly name: 'concat'; readonly parts: readonly (readonly [size: number, init: InitializerSpec])[] };

export type InitializerName = InitializerConfig['name'];

/** An initializer by name (with default options) or as a config object. */
export type InitializerSpec = InitializerName | InitializerConfig;

const initializerNames: readonly InitializerName[] = [
  'zeros',
  'ones',
  'constant',
  'uniform',
  'normal',
  'truncatedNormal',
  'glorotUniform',
  'glorotNormal',
  'heUniform',
  'heNormal',
  'lecunUniform',
  'lecunNormal',
  'varianceScaling',
  'orthogonal',
  'identity',
  'concat',
];

export function listInitializers(): InitializerName[] {
  return [...initializerNames];
}

/** Standard deviation of a unit normal truncated to [-2, 2]: Keras divides by it to keep the variance exact. */
const TRUNCATED_STDDEV = 0.87962566103423978;

/** Keras' fan computation; see the module comment. */
export function computeFans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = sizeOfShape(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/**
 * Keras' and tfjs-layers' names of initializers that seqmodel names otherwise (beyond case and `_`), by their
 * lower-case form without `_`: suggested when one is given.
 */
const initializerAliases: Readonly<Record<string, InitializerName>> = {
  randomnormal: 'normal',
  randomuniform: 'uniform',
};

/** ` (did you mean ...?)` for a misspelt, Keras-spelt (`glorot_uniform`) or tfjs-layers-spelt (`randomNormal`) name. */
function initializerHint(name: unknown): string {
  if (typeof name !== 'string') return '';
  const alias = initializerAliases[name.toLowerCase().replace(/[_-]/g, '')];
  return alias === undefined
    ? didYouMean(name, initializerNames)
    : ` (did you mean ${JSON.stringify(alias)}?)`;
}

/** Normalizes a spec to its config object, rejecting unknown names. */
export function resolveInitializer(spec: unknown, argument = 'initializer'): InitializerConfig {
  const config = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof config !== 'object' || config === null || !('name' in config)) {
    const keras =
      typeof config === 'object' && config !== null && ('className' in config || 'class_name' in config);
    invalidArgument(
      argument,
      spec,
      keras
        ? 'an initializer name or { name, ...options } (Keras\' { className, config } form is read from model files by loadKerasModel), e.g. { name: "normal", stddev: 0.1 }'
        : 'an initializer name or { name, ...options }, e.g. { name: "normal", stddev: 0.1 }',
    );
  }
  const name = (config as { name: unknown }).name;
  if (!initializerNames.includes(name as InitializerName)) {
    throw new SeqmodelError(
      `${argument}: unknown initializer ${JSON.stringify(name)}${initializerHint(name)}; known initializers: ${initializerNames.join(', ')}`,
    );
  }
  if (name === 'constant' && typeof (config as { value?: unknown }).value !== 'number') {
    invalidArgument(`${argument}.value`, (config as { value?: unknown }).value, 'a number for "constant"');
  }
  return config as InitializerConfig;
}

/**
 * Fresh values for a tensor of `shape`, drawn from `rng`.
 *
 * @example
 * const w = initialize('glorotUniform', [45, 256], createRng(42)); // Float32Array(11520)
 */
export function initialize(
  spec: InitializerSpec,
  shape: Shape,
  rng: Rng,
  argument = 'initializer',
): Float32Array {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      invalidArgument(`${argument} shape`, shape, 'non-negative integer sizes');
  }
  const config = resolveInitializer(spec, argument);
  const size = sizeOfShape(shape);
  const out = new Float32Array(size);
  switch (config.name) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'constant':
      return out.fill(config.value);
    case 'uniform': {
      const lo = config.minval ?? -0.05;
      const hi = config.maxval ?? 0.05;
      for (let i = 0; i < size; i++) out[i] = rng.uniform(lo, hi);
      return out;
    }
    case 'normal': {
      const mean = config.mean ?? 0;
      const stddev = config.stddev ?? 0.05;
      for (let i = 0; i < size; i++) out[i] = rng.normal(mean, stddev);
      return out;
    }
    case 'truncatedNormal':
      return fillTruncatedNormal(out, rng, config.mean ?? 0, config.stddev ?? 0.05);
    case 'glorotUniform':
      return varianceScaling(out, shape, rng, 1, 'fanAvg', 'uniform');
    case 'glorotNormal':
      return varianceScaling(out, shape, rng, 1, 'fanAvg', 'truncatedNormal');
    case 'heUniform':
      return varianceScaling(out, shape, rng, 2, 'fanIn', 'uniform');
    case 'heNormal':
      return varianceScaling(out, shape, rng, 2, 'fanIn', 'truncatedNormal');
    case 'lecunUniform':
      return varianceScaling(out, shape, rng, 1, 'fanIn', 'uniform');
    case 'lecunNormal':
      return varianceScaling(out, shape, rng, 1, 'fanIn', 'truncatedNormal');
    case 'varianceScaling': {
      const scale = config.scale ?? 1;
      if (!(scale > 0)) invalidArgument(`${argument}.scale`, scale, 'a positive number');
      return varianceScaling(
        out,
        shape,
        rng,
        scale,
        config.mode ?? 'fanIn',
        config.distribution ?? 'truncatedNormal',
      );
    }
    case 'orthogonal': {
      const gain = config.gain ?? 1;
      if (shape.length < 2) {
        invalidArgument(
          `${argument} shape`,
          shape,
          'rank >= 2 for "orthogonal" (it draws a matrix; give a parameter of rank 0 or 1 another initializer, such as ' +
            '{ name: "uniform", minval: 0, maxval: 1 } or "zeros")',
        );
      }
      const cols = shape[shape.length - 1]!;
      const q = orthogonalMatrix(size / cols, cols, rng);
      for (let i = 0; i < size; i++) out[i] = gain * q[i]!;
      return out;
    }
    case 'identity': {
      if (shape.length !== 2) invalidArgument(`${argument} shape`, shape, 'rank 2 for "identity"');
      const [rows, cols] = shape as [number, number];
      const gain = config.gain ?? 1;
      for (let i = 0; i < Math.min(rows, cols); i++) out[i * cols + i] = gain;
      return out;
    }
    case 'concat':
      return concatInitializer(config.parts, shape, rng, argument, out);
  }
}

function fillTruncatedNormal(out: Float32Array, rng: Rng, mean: number, stddev: number): Float32Array {
  checkNumberInRange('stddev', stddev, 0, Number.MAX_VALUE);
  for (let i = 0; i < out.length; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    out[i] = mean + stddev * z;
  }
  return out;
}

function varianceScaling(
  out: Float32Array,
  shape: Shape,
  rng: Rng,
  scale: number,
  mode: FanMode,
  distribution: VarianceDistribution,
): Float32Array {
  const { fanIn, fanOut } = computeFans(shape);
  const n = Math.max(1, mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2);
  const variance = scale / n;
  if (distribution === 'uniform') {
    const limit = Math.sqrt(3 * variance);
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
    return out;
  }
  if (distribution === 'untruncatedNormal') {
    const stddev = Math.sqrt(variance);
    for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, stddev);
    return out;
  }
  return fillTruncatedNormal(out, rng, 0, Math.sqrt(variance) / TRUNCATED_STDDEV);
}

function concatInitializer(
  parts: readonly (readonly [number, InitializerSpec])[],
  shape: Shape,
  rng: Rng,
  argument: string,
  out: Float32Array,
): Float32Array {
  const last = shape[shape.length - 1] ?? 1;
  const total = parts.reduce((n, [size]) => n + size, 0);
  if (total !== last) {
    throw new SeqmodelError(
      `${argument}: "concat" parts cover ${total} entries of the last axis, but the shape ${formatShape(shape)} has ${last}`,
    );
  }
  const rows = sizeOfShape(shape) / Math.max(last, 1);
  let offset = 0;
  parts.forEach(([size, spec], index) => {
    const block = initialize(
      spec,
      [...shape.slice(0, -1), size],
      rng.fork(index),
      `${argument}.parts[${index}]`,
    );
    for (let r = 0; r < rows; r++) {
      out.set(block.subarray(r * size, (r + 1) * size), r * last + offset);
    }
    offset += size;
  });
  return out;
}
