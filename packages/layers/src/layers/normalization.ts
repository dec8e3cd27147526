/**
 * Keras `Normalization`: feature scaling by statistics of the data, `(x − mean) / max(√variance, 1e-7)` (or, with
 * `invert`, `mean + x · max(√variance, 1e-7)`). `axis` names the axes that keep their own mean and variance (default
 * the last: one pair per feature; `null`: one pair for everything); the others are averaged over. The statistics are
 * given (`mean`, `variance`: a number, or one value per kept entry) or learned with `adapt(data)` before training, as
 * in Keras: the population mean and variance of the data over the averaged axes, accumulated batch by batch for a
 * stream of batches (in float64 on the host). Adapted statistics are non-trainable weights (`mean`, `variance`, and
 * Keras' `count`, kept at 0 as Keras 3 keeps it), saved and loaded with the model; given ones are constants in the
 * config. Masks pass through.
 */
import {
  type Backend,
  checkBoolean,
  type HostTensor,
  invalidArgument,
  isHostTensor,
  isNestedNumbers,
  isRagged,
  type NestedArray,
  SeqmodelError,
  sizeOfShape,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';

export interface NormalizationArgs extends LayerArgs {
  /** Axes with statistics of their own (default -1; `null`: one mean and variance for every entry). */
  readonly axis?: number | readonly number[] | null;
  /** The mean, instead of `adapt`: a number, or one value per entry of the kept axes (row-major). */
  readonly mean?: number | readonly number[];
  /** The variance, given with `mean`. */
  readonly variance?: number | readonly number[];
  /** Undo the normalization instead: `mean + x · √variance` (default false). */
  readonly invert?: boolean;
}

/** Keras' `backend.epsilon()`: the smallest standard deviation divided by. */
const EPSILON = 1e-7;

/** Data for `adapt`: nested arrays of numbers, `{ data, shape }` host values, or a tensor of the layer's backend. */
export type AdaptData<T = unknown> = NestedArray[] | HostTensor | T;

interface Moments {
  /** The sizes of the kept axes in the data. */
  readonly sizes: readonly number[];
  readonly count: number;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

export class Normalization extends Layer {
  readonly className = 'Normalization';
  override readonly supportsMasking = true;
  readonly axis: number[] | null;
  readonly invert: boolean;
  /** The given statistics (config), or undefined when they come from `adapt`. */
  readonly givenMean: number | readonly number[] | undefined;
  readonly givenVariance: number | readonly number[] | undefined;
  private meanWeight: LayerWeight | undefined;
  private varianceWeight: LayerWeight | undefined;
  /** The given statistics as tensors (built), freed with the layer. */
  private constants: { mean: unknown; variance: unknown } | undefined;
  /** Statistics adapted before the layer was built. */
  private adapted: Moments | undefined;

  constructor(args: NormalizationArgs = {}) {
    checkLayerOptions('normalization', args, ['axis', 'mean', 'variance', 'invert']);
    super(args);
    const axis = args.axis === undefined ? -1 : args.axis;
    const list = axis === null ? null : typeof axis === 'number' ? [axis] : axis;
    if (list !== null && (!Array.isArray(list) || !list.every((a) => Number.isInteger(a) && a !== 0))) {
      invalidArgument(
        'normalization axis',
        axis,
        'an axis, a list of axes (not 0, the batch) or null (one mean and variance for every entry)',
      );
    }
    this.axis = list === null ? null : [...list];
    this.invert = checkBoolean('normalization invert', args.invert ?? false);
    if ((args.mean === undefined) !== (args.variance === undefined)) {
      invalidArgument(
        `normalization ${args.mean === undefined ? 'mean' : 'variance'}`,
        undefined,
        'to be given with the other (mean and variance both, or neither to adapt them)',
      );
    }
    const statistic = (name: string, value: unknown) => {
      const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
      if (
        value !== undefined &&
        !ok(value) &&
        !(Array.isArray(value) && value.length > 0 && value.every(ok))
      ) {
        invalidArgument(`normalization ${name}`, value, 'a number or a non-empty list of numbers');
      }
      if (name === 'variance' && value !== undefined && [value].flat().some((v) => (v as number) < 0)) {
        invalidArgument('normalization variance', value, 'values of 0 or more');
      }
      return value as number | readonly number[] | undefined;
    };
    this.givenMean = statistic('mean', args.mean);
    this.givenVariance = statistic('variance', args.variance);
    this.inputSpec = { minRank: 1, meaning: '[batch, ...]' };
  }

  /** The kept axes' sizes must be known; a model learning the input shape from data keeps them. */
  override inferInputShape(shape: readonly number[]): ShapeSpec {
    const kept = this.keptOf(shape.length);
    return shape.map((d, i) => (kept.includes(i) ? d : null));
  }

  /** The kept axes of an input of rank `rank`, non-negative and sorted. */
  private keptOf(rank: number): number[] {
    if (this.axis === null) return [];
    const kept = this.axis.map((a) => (a < 0 ? a + rank : a));
    const bad = kept.find((a) => a < 1 || a >= rank);
    if (bad !== undefined) {
      throw new SeqmodelError(
        `${this.describe()} axis: ${JSON.stringify(this.axis)} names an axis outside 1 to ${rank - 1} of a rank-${rank} input`,
      );
    }
    return [...new Set(kept)].sort((a, b) => a - b);
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const keptAxes = this.keptOf(shape.length);
    const kept = keptAxes.map((a) => shape[a]);
    const unknown = keptAxes.find((a) => shape[a] === null);
    if (unknown !== undefined) {
      throw new SeqmodelError(
        `${this.describe()}: axis ${unknown} of the input ${formatShapeSpec(shape)} keeps its own statistics, so its size must be known`,
      );
    }
    const sizes = kept as number[];
    const size = sizeOfShape(sizes);
    // The statistics broadcast against inputs of this rank only.
    this.inputSpec = { ...this.inputSpec, rank: shape.length };
    if (this.givenMean !== undefined) {
      const values = (name: string, v: number | readonly number[]) => {
        const list = typeof v === 'number' ? Array.from({ length: size }, () => v) : [...v];
        if (list.length !== size) {
          throw new SeqmodelError(
            `${this.describe()} ${name}: ${list.length} values, the kept axes [${sizes.join(', ')}] have ${size} entries`,
          );
        }
        return Float32Array.from(list);
      };
      // Both checked before either becomes a tensor.
      const [mean, variance] = [values('mean', this.givenMean), values('variance', this.givenVariance!)];
      const tensor = (v: Float32Array) =>
        env.backend.keep(env.backend.tensor(v, this.broadcastShape(shape.length, sizes)));
      this.constants = { mean: tensor(mean), variance: tensor(variance) };
      return;
    }
    let adapted: Moments | undefined;
    if (this.adapted !== undefined) {
      this.checkKept(this.adapted.sizes, sizes, 'the data given to adapt');
      adapted = this.adapted;
      this.adapted = undefined;
    }
    this.meanWeight = this.addWeight(
      env,
      { name: 'mean', shape: sizes, initializer: 'zeros', trainable: false },
      adapted && Float32Array.from(adapted.mean),
    );
    this.varianceWeight = this.addWeight(
      env,
      { name: 'variance', shape: sizes, initializer: 'ones', trainable: false },
      adapted && Float32Array.from(adapted.variance),
    );
    this.addWeight(env, { name: 'count', shape: [], initializer: 'zeros', trainable: false });
  }

  /** `[1, ...]` of `rank` with the kept sizes at the kept axes, for statistics that broadcast against an input. */
  private broadcastShape(rank: number, sizes: readonly number[]): number[] {
    const shape = Array.from({ length: rank }, () => 1);
    this.keptOf(rank).forEach((a, i) => {
      shape[a] = sizes[i]!;
    });
    return shape;
  }

  private checkKept(
    got: readonly number[],
    want: readonly number[],
    what: string,
    other = "the layer's input",
  ): void {
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      throw new SeqmodelError(
        `${this.describe()}: ${what} has kept axes of sizes [${got.join(', ')}], ${other} [${want.join(', ')}]`,
      );
    }
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    let mean: T;
    let variance: T;
    if (this.givenMean !== undefined && this.constants === undefined) {
      throw new SeqmodelError(`${this.describe()}: it was disposed (its model was disposed)`);
    }
    if (this.constants !== undefined) {
      mean = this.constants.mean as T;
      variance = this.constants.variance as T;
    } else {
      const shape = this.broadcastShape(b.shape(x).length, this.meanWeight!.shape);
      mean = b.reshape(ctx.read(this.meanWeight!), shape);
      variance = b.reshape(ctx.read(this.varianceWeight!), shape);
    }
    const scale = b.maximum(b.sqrt(variance), EPSILON);
    return [this.invert ? b.add(mean, b.mul(x, scale)) : b.div(b.sub(x, mean), scale)];
  }

  /**
   * Learns the mean and variance from `data` (Keras' `adapt`): nested arrays, `{ data, shape }`, or a tensor of the
   * layer's backend (once built); or an iterable or async iterable of such batches that is not an array (a generator,
   * a dataset; an array is always data), accumulated batch by batch (resolves when done). Before the layer is built
   * the statistics are kept for its build; after, they replace its weights. A layer given `mean` and `variance`
   * cannot adapt.
   */
  adapt(data: AdaptData): void;
  adapt(batches: Iterable<AdaptData> | AsyncIterable<AdaptData>): Promise<void>;
  adapt(data: unknown): void | Promise<void> {
    const what = `${this.describe()} adapt`;
    if (this.givenMean !== undefined) {
      throw new SeqmodelError(
        `${what}: the layer was given its mean and variance; adapt learns them instead`,
      );
    }
    if (this.isData(data)) {
      this.store(this.moments(this.hostValues(data, `${what}(data)`), undefined), what);
      return;
    }
    if (
      typeof data === 'object' &&
      data !== null &&
      (Symbol.asyncIterator in data || Symbol.iterator in data)
    ) {
      return this.adaptBatches(data as Iterable<unknown> | AsyncIterable<unknown>, what);
    }
    return invalidArgument(
      `${what}(data)`,
      data,
      "nested arrays of numbers, { data, shape }, a tensor of the layer's backend, or an iterable of such batches",
    );
  }

  private isData(data: unknown): boolean {
    return isNestedNumbers(data) || isHostTensor(data) || (this.backend?.isTensor(data) ?? false);
  }

  private async adaptBatches(
    batches: Iterable<unknown> | AsyncIterable<unknown>,
    what: string,
  ): Promise<void> {
    let total: Moments | undefined;
    let index = 0;
    for await (const batch of batches as AsyncIterable<unknown>) {
      if (!this.isData(batch)) {
        invalidArgument(
          `${what} batch ${index}`,
          batch,
          "nested arrays of numbers, { data, shape }, or a tensor of the layer's backend",
        );
      }
      total = this.moments(this.hostValues(batch, `${what} batch ${index}`), total);
      index++;
    }
    if (total === undefined) throw new SeqmodelError(`${what}: the batches were empty`);
    this.store(total, what);
  }

  /** The values of one batch on the host, with its shape. */
  private hostValues(data: unknown, argument: string): { values: ArrayLike<number>; shape: number[] } {
    if (isHostTensor(data)) {
      if (data.data.length !== sizeOfShape(data.shape)) {
        invalidArgument(
          argument,
          data,
          `data of ${sizeOfShape(data.shape)} values for shape [${data.shape.join(', ')}] (it has ${data.data.length})`,
        );
      }
      return { values: data.data as ArrayLike<number>, shape: [...data.shape] };
    }
    if (Array.isArray(data)) {
      if (isRagged(data)) invalidArgument(argument, data, 'nested arrays with rows of one length each');
      const shape: number[] = [];
      for (let v: unknown = data; Array.isArray(v); v = v[0]) shape.push(v.length);
      return { values: (data as unknown[]).flat(Infinity) as number[], shape };
    }
    const backend = this.backend as Backend<unknown>;
    return { values: backend.dataSync(data), shape: [...backend.shape(data)] };
  }

  /** `previous` with one more batch's mean and variance, combined by count as Keras' adapt combines batches. */
  private moments(
    batch: { values: ArrayLike<number>; shape: number[] },
    previous: Moments | undefined,
  ): Moments {
    const { values, shape } = batch;
    if (values.length === 0) {
      throw new SeqmodelError(
        `${this.describe()} adapt: received no values (shape ${formatShapeSpec(shape)})`,
      );
    }
    const kept = this.keptOf(shape.length);
    const keptSizes = kept.map((a) => shape[a]!);
    const size = sizeOfShape(keptSizes);
    const count = values.length / Math.max(size, 1);
    // Entry i of the data belongs to kept index k(i): its coordinates on the kept axes, row-major.
    const strides = shape.map((_, a) => sizeOfShape(shape.slice(a + 1)));
    const index = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      index[i] = kept.reduce((k, a, j) => k * keptSizes[j]! + (Math.floor(i / strides[a]!) % shape[a]!), 0);
    }
    const mean = new Float64Array(size);
    for (let i = 0; i < values.length; i++) mean[index[i]!]! += values[i]!;
    for (let k = 0; k < size; k++) mean[k]! /= count;
    const variance = new Float64Array(size);
    for (let i = 0; i < values.length; i++) variance[index[i]!]! += (values[i]! - mean[index[i]!]!) ** 2;
    for (let k = 0; k < size; k++) variance[k]! /= count;
    if (previous === undefined) return { sizes: keptSizes, count, mean, variance };
    this.checkKept(keptSizes, previous.sizes, 'a batch given to adapt', 'the batches before it');
    // The pooled mean and the population variance about it (Keras' lack-of-fit sum of squares).
    const total = previous.count + count;
    const [wOld, wNew] = [previous.count / total, count / total];
    const pooledMean = mean.map((m, k) => previous.mean[k]! * wOld + m * wNew);
    const pooledVariance = variance.map(
      (v, k) =>
        (previous.variance[k]! + (previous.mean[k]! - pooledMean[k]!) ** 2) * wOld +
        (v + (mean[k]! - pooledMean[k]!) ** 2) * wNew,
    );
    return { sizes: keptSizes, count: total, mean: pooledMean, variance: pooledVariance };
  }

  /** Keeps adapted statistics for the build, or assigns them to the built layer's weights. */
  private store(moments: Moments, what: string): void {
    if (!this.built) {
      // Checked against the input's kept sizes when the layer is built.
      this.adapted = moments;
      return;
    }
    const sizes = this.meanWeight!.shape;
    this.checkKept(moments.sizes, sizes, `${what}'s data`);
    const backend = this.backend as Backend<unknown>;
    this.meanWeight!.assign(backend.tensor(Float32Array.from(moments.mean), [...sizes]));
    this.varianceWeight!.assign(backend.tensor(Float32Array.from(moments.variance), [...sizes]));
  }

  override dispose(): void {
    if (this.constants !== undefined) {
      (this.backend as Backend<unknown>).dispose([this.constants.mean, this.constants.variance]);
      this.constants = undefined;
    }
    super.dispose();
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis === null ? null : this.axis.length === 1 ? this.axis[0] : [...this.axis],
      invert: this.invert,
      ...(this.givenMean === undefined ? {} : { mean: this.givenMean, variance: this.givenVariance }),
    };
  }

  static fromConfig(config: Record<string, unknown>): Normalization {
    return new Normalization(config as NormalizationArgs);
  }
}

/**
 * Scales features by the mean and variance of the data.
 *
 * @example
 * const norm = normalization();
 * norm.adapt(trainX); // [samples, steps, features]: one mean and variance per feature
 * const model = sequential([norm, lstm({ units: 32 }), dense({ units: 1 })], { backend, inputShape: [null, 3] });
 */
export function normalization(args: NormalizationArgs = {}): Normalization {
  return new Normalization(args);
}
