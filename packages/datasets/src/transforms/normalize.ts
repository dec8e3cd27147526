/**
 * Feature scaling fitted on training data only, applied to any later data, and inverted to read predictions in
 * the original units. Both scalers are affine per feature, `y = (x − center) / scale`, like scikit-learn's
 * `StandardScaler` (population standard deviation) and `MinMaxScaler`; a constant feature gets scale 1.
 */
import { checkOptions, formatShape, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { TensorData } from '../tensor-data.js';

/** Data a scaler reads: a `Float32Array` (one feature) or float32 data whose last axis is the feature. */
export type ScalableData = Float32Array | TensorData<Float32Array>;

export interface ScalerJSON {
  kind: 'standard' | 'minmax';
  center: number[];
  scale: number[];
}

export interface ScaleOptions {
  /**
   * Which fitted features the last axis of the data holds, in order (default: all). For example the target
   * column of a multivariate series, to invert the scaling of predictions.
   */
  columns?: readonly number[];
}

/** A fitted per-feature affine scaling. */
export class Scaler {
  /** @param center subtracted from each feature; @param scale then divides it. */
  constructor(
    readonly kind: 'standard' | 'minmax',
    readonly center: Float64Array,
    readonly scale: Float64Array,
  ) {
    if (center.length !== scale.length || center.length === 0) {
      invalidArgument('scale', scale, `${center.length} scales (one per feature)`);
    }
  }

  get numFeatures(): number {
    return this.center.length;
  }

  /** `(x − center) / scale`, in a new array of the same shape. */
  transform<X extends ScalableData>(x: X, options: ScaleOptions = {}): X {
    return this.apply(x, options, false);
  }

  /** `y · scale + center`: undoes `transform`. */
  inverseTransform<X extends ScalableData>(x: X, options: ScaleOptions = {}): X {
    return this.apply(x, options, true);
  }

  toJSON(): ScalerJSON {
    return { kind: this.kind, center: Array.from(this.center), scale: Array.from(this.scale) };
  }

  static fromJSON(json: ScalerJSON): Scaler {
    if (!json || (json.kind !== 'standard' && json.kind !== 'minmax')) {
      invalidArgument('json.kind', json?.kind, '"standard" or "minmax"');
    }
    for (const field of ['center', 'scale'] as const) {
      const values: unknown = json[field];
      if (!Array.isArray(values) || values.length === 0) {
        invalidArgument(`json.${field}`, values, 'a non-empty array of numbers, one per feature');
      }
      values.forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v) || (field === 'scale' && v === 0)) {
          invalidArgument(
            `json.${field}[${i}]`,
            v,
            field === 'scale' ? 'a finite non-zero number' : 'a finite number',
          );
        }
      });
    }
    if (json.center.length !== json.scale.length) {
      invalidArgument('json.scale', json.scale, `${json.center.length} values (as many as json.center)`);
    }
    return new Scaler(json.kind, Float64Array.from(json.center), Float64Array.from(json.scale));
  }

  private apply<X extends ScalableData>(x: X, options: ScaleOptions, inverse: boolean): X {
    checkOptions(`${inverse ? 'inverseTransform' : 'transform'}(options)`, options, ['columns']);
    if (options.columns !== undefined && !Array.isArray(options.columns)) {
      invalidArgument('columns', options.columns, 'an array of column indices');
    }
    const { data, features } = featuresOf(x, 'x');
    const columns = options.columns ?? (this.numFeatures === 1 ? undefined : range(this.numFeatures));
    // A one-feature scaler applies to every element whatever the shape (e.g. targets [n, horizon]).
    const width = columns ? columns.length : 1;
    if (columns) {
      if (features !== width) {
        throw new SeqmodelError(
          `x: expected a last axis of ${width} (the features ${formatShape(columns)}), received shape ${formatShape(
            x instanceof Float32Array ? [x.length] : x.shape,
          )}`,
        );
      }
      columns.forEach((c, i) => {
        if (!Number.isInteger(c) || c < 0 || c >= this.numFeatures) {
          invalidArgument(`columns[${i}]`, c, `a feature index in [0, ${this.numFeatures})`);
        }
      });
    }
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const f = columns ? columns[i % width]! : 0;
      const c = this.center[f]!;
      const s = this.scale[f]!;
      out[i] = inverse ? data[i]! * s + c : (data[i]! - c) / s;
    }
    return (x instanceof Float32Array ? out : { data: out, shape: [...x.shape] }) as X;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function featuresOf(x: ScalableData, argument: string): { data: Float32Array; features: number } {
  if (x instanceof Float32Array) return { data: x, features: 1 };
  if (!x || !(x.data instanceof Float32Array) || x.shape.length === 0) {
    invalidArgument(argument, x, 'a Float32Array or float32 data with a feature axis');
  }
  return { data: x.data, features: x.shape.length === 1 ? 1 : x.shape[x.shape.length - 1]! };
}

function statistics(train: ScalableData) {
  const { data, features } = featuresOf(train, 'train');
  const rows = data.length / features;
  if (rows === 0) invalidArgument('train', train, 'at least one row to fit on');
  const mean = new Float64Array(features);
  const min = new Float64Array(features).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(features).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) invalidArgument(`train (flat index ${i})`, v, 'finite numbers');
    const f = i % features;
    mean[f]! += v;
    if (v < min[f]!) min[f] = v;
    if (v > max[f]!) max[f] = v;
  }
  for (let f = 0; f < features; f++) mean[f]! /= rows;
  // Second pass for the variance: numerically safer than the sum of squares.
  const variance = new Float64Array(features);
  for (let i = 0; i < data.length; i++) variance[i % features]! += (data[i]! - mean[i % features]!) ** 2;
  for (let f = 0; f < features; f++) variance[f]! /= rows;
  return { features, mean, min, max, variance };
}

/** Standardization: subtract the training mean, divide by the training (population) standard deviation. */
export function fitStandardScaler(train: ScalableData): Scaler {
  const s = statistics(train);
  const scale = s.variance.map((v) => (v > 0 ? Math.sqrt(v) : 1));
  return new Scaler('standard', s.mean, scale);
}

/** Min–max scaling of the training range onto `featureRange` (default [0, 1]). */
export function fitMinMaxScaler(
  train: ScalableData,
  options: { featureRange?: [number, number] } = {},
): Scaler {
  checkOptions('fitMinMaxScaler(options)', options, ['featureRange']);
  const [lo, hi] = options.featureRange ?? [0, 1];
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    invalidArgument('featureRange', options.featureRange, '[min, max] with min < max');
  }
  const s = statistics(train);
  const scale = new Float64Array(s.features);
  const center = new Float64Array(s.features);
  for (let f = 0; f < s.features; f++) {
    const span = s.max[f]! - s.min[f]!;
    scale[f] = span > 0 ? span / (hi - lo) : 1;
    center[f] = s.min[f]! - lo * scale[f]!;
  }
  return new Scaler('minmax', center, scale);
}
