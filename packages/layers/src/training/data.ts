/**
 * What `fit`, `evaluate` and `trainOnBatch` accept as data, and how it becomes batches of tensors:
 * - in-memory data: tensors of the model's backend, `{ data, shape }` host arrays (`@seqmodel/datasets`' `TensorData`)
 *   or nested arrays of numbers; one per model input / output (an array for several), with optional per-input
 *   `mask` or `lengths` and `sampleWeight`. Batches are cut from it (shuffled with a seed or in order).
 * - datasets: a sync or async iterable of batches, or a function `(epoch) => iterable` that makes a new one per
 *   epoch. A batch is `{ x, y, mask?, lengths?, sampleWeight? }`, or datasets' `{ inputs, targets, mask?, lengths?,
 *   sampleWeights? }`, with tensors or host arrays. When a batch has both a mask and lengths for an input (as
 *   datasets' batches do), the mask is used.
 *
 * Tensors the caller gives stay the caller's; tensors made here from host arrays are freed after use.
 */
import {
  type Backend,
  checkPositiveInteger,
  formatShape,
  invalidArgument,
  type NestedArray,
  SeqmodelError,
  type TypedArray,
} from '@seqmodel/core';
import { sliceAxis } from '../engine/tensor-utils.js';

/** Host values with a shape, e.g. `@seqmodel/datasets`' `TensorData`. */
export interface HostTensor {
  readonly data: TypedArray | readonly number[];
  readonly shape: readonly number[];
}

/** A tensor of the model's backend, host values with a shape, or nested arrays of numbers. */
export type TensorLike<T> = T | HostTensor | NestedArray[];

/** One tensor-like, or one per model input / output. */
export type TensorsLike<T> = TensorLike<T> | readonly TensorLike<T>[];

/** Valid lengths per sequence: an array, an `Int32Array`, or an int tensor `[batch]`. */
export type LengthsLike<T> = readonly number[] | Int32Array | T;

/** One batch of a dataset. */
export interface DataBatch<T> {
  readonly x?: TensorsLike<T>;
  readonly y?: TensorsLike<T>;
  /** `@seqmodel/datasets`' name for `x`. */
  readonly inputs?: TensorsLike<T>;
  /** `@seqmodel/datasets`' name for `y`. */
  readonly targets?: TensorsLike<T>;
  /** `[batch, time]` mask of the (first) input, or one per input. */
  readonly mask?: TensorLike<T> | readonly (TensorLike<T> | undefined)[];
  /** Lengths of the (first) input's sequences, or one per input. */
  readonly lengths?: LengthsLike<T> | readonly (LengthsLike<T> | undefined)[];
  readonly sampleWeight?: TensorLike<T>;
  /** `@seqmodel/datasets`' name for `sampleWeight`. */
  readonly sampleWeights?: TensorLike<T>;
}

/** A dataset: batches, once or per epoch. */
export type Dataset<T> =
  | Iterable<DataBatch<T>>
  | AsyncIterable<DataBatch<T>>
  | ((epoch: number) => Iterable<DataBatch<T>> | AsyncIterable<DataBatch<T>>);

/** A batch ready for a step: tensors of the backend, and the tensors made for it (freed after the step). */
export interface Batch<T> {
  readonly xs: T[];
  readonly ys: T[];
  readonly masks: (T | undefined)[];
  readonly lengths: (number[] | undefined)[];
  readonly sampleWeight: T | undefined;
  /** Rows in the batch. */
  readonly size: number;
  /** Tensors made for this batch, freed after use. */
  readonly owned: T[];
}

/** Frees the tensors made for a batch. */
export function releaseBatch<T>(backend: Backend<T>, batch: Batch<T>): void {
  backend.dispose(batch.owned);
}

function isHostTensor(value: unknown): value is HostTensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'data' in value &&
    'shape' in value &&
    Array.isArray((value as HostTensor).shape)
  );
}

function isNumberArray(value: unknown): value is NestedArray[] {
  if (!Array.isArray(value)) return false;
  let v: unknown = value;
  while (Array.isArray(v)) {
    if (v.length === 0) return true;
    v = v[0];
  }
  return typeof v === 'number';
}

/** Converts one tensor-like; a made tensor goes to `owned`. */
export function toTensor<T>(backend: Backend<T>, value: unknown, argument: string, owned: T[]): T {
  if (backend.isTensor(value)) return value;
  let tensor: T;
  if (isHostTensor(value)) {
    const dtype = value.data instanceof Int32Array ? 'int32' : 'float32';
    const data = ArrayBuffer.isView(value.data) ? (value.data as TypedArray) : Float32Array.from(value.data);
    tensor = backend.tensor(data, [...value.shape], dtype);
  } else if (isNumberArray(value)) {
    tensor = backend.tensor(value as NestedArray);
  } else {
    return invalidArgument(
      argument,
      value,
      `a tensor of backend ${backend.name}, { data, shape } host values, or nested arrays of numbers`,
    );
  }
  owned.push(tensor);
  return tensor;
}

/**
 * Converts `count` tensor-likes: one (`count` 1; a list holding one is accepted too) or a list of `count` (several
 * inputs or outputs). Nested arrays of numbers are one tensor, so that lists and arrays cannot be confused.
 */
export function toTensorList<T>(
  backend: Backend<T>,
  value: unknown,
  argument: string,
  owned: T[],
  count: number,
): T[] {
  if (value === undefined || value === null) invalidArgument(argument, value, 'tensors');
  const isList = Array.isArray(value) && !isNumberArray(value);
  if (count === 1) {
    if (isList && value.length === 1) return [toTensor(backend, value[0], `${argument}[0]`, owned)];
    if (isList) {
      throw new SeqmodelError(
        `${argument}: expected one tensor (the model has 1 ${argument.endsWith('y') ? 'output' : 'input'}), received a list of ${value.length}`,
      );
    }
    return [toTensor(backend, value, argument, owned)];
  }
  // Several inputs or outputs: a list of exactly that many (each may be a nested array).
  if (!Array.isArray(value) || value.length !== count) {
    throw new SeqmodelError(
      `${argument}: expected a list of ${count} tensors (one per model ${argument.endsWith('y') ? 'output' : 'input'}), received ${Array.isArray(value) ? `a list of ${value.length}` : 'one tensor'}`,
    );
  }
  return value.map((v, i) => toTensor(backend, v, `${argument}[${i}]`, owned));
}

/** Lengths as a plain array; `argument` names them in errors. */
export function toLengths<T>(backend: Backend<T>, value: unknown, argument: string): number[] {
  if (backend.isTensor(value)) return Array.from(backend.dataSync(value));
  if (isLengthsValue(value)) return Array.from(value);
  return invalidArgument(argument, value, 'an array of lengths, an Int32Array or an int tensor');
}

/** Host lengths: an `Int32Array` or an array of numbers. */
function isLengthsValue(value: unknown): value is Int32Array | readonly number[] {
  return value instanceof Int32Array || (Array.isArray(value) && value.every((v) => typeof v === 'number'));
}

/** Per-input masks from a `mask` option (one mask for the first input, or one per input). */
export function toMaskList<T>(
  backend: Backend<T>,
  value: unknown,
  inputs: number,
  argument: string,
  owned: T[],
): (T | undefined)[] {
  const none = Array.from({ length: inputs }, () => undefined as T | undefined);
  if (value === undefined) return none;
  if (Array.isArray(value) && !isNumberArray(value)) {
    if (value.length !== inputs) {
      throw new SeqmodelError(
        `${argument}: expected ${inputs} masks (one per input), received ${value.length}`,
      );
    }
    return value.map((m, i) =>
      m === undefined ? undefined : toTensor(backend, m, `${argument}[${i}]`, owned),
    );
  }
  none[0] = toTensor(backend, value, argument, owned);
  return none;
}

/** Per-input lengths from a `lengths` option (lengths of the first input, or one array per input). */
export function toLengthsList<T>(
  backend: Backend<T>,
  value: unknown,
  inputs: number,
  argument: string,
): (number[] | undefined)[] {
  const none = Array.from({ length: inputs }, () => undefined as number[] | undefined);
  if (value === undefined) return none;
  if (backend.isTensor(value) || isLengthsValue(value)) {
    none[0] = toLengths(backend, value, argument);
    return none;
  }
  if (Array.isArray(value)) {
    if (value.length !== inputs) {
      throw new SeqmodelError(
        `${argument}: expected ${inputs} lengths arrays (one per input), received ${value.length}`,
      );
    }
    return value.map((l, i) => (l === undefined ? undefined : toLengths(backend, l, `${argument}[${i}]`)));
  }
  return invalidArgument(argument, value, 'an array of lengths, or one per input');
}

/** Turns a dataset's batch into tensors; `what` names it in errors (`fit dataset batch 3`). */
export function batchFromDataset<T>(
  backend: Backend<T>,
  element: unknown,
  counts: { readonly inputs: number; readonly outputs: number },
  what: string,
): Batch<T> {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    invalidArgument(what, element, 'an object { x, y, mask?, lengths?, sampleWeight? }');
  }
  const e = element as DataBatch<T>;
  const x = e.x ?? e.inputs;
  const y = e.y ?? e.targets;
  if (x === undefined || y === undefined) {
    throw new SeqmodelError(
      `${what}: expected { x, y } (or { inputs, targets }), received an object with keys ${Object.keys(e).join(', ') || '(none)'}`,
    );
  }
  const owned: T[] = [];
  try {
    const xs = toTensorList(backend, x, `${what} x`, owned, counts.inputs);
    const ys = toTensorList(backend, y, `${what} y`, owned, counts.outputs);
    const masks = toMaskList(backend, e.mask, xs.length, `${what} mask`, owned);
    // Batches from @seqmodel/datasets carry both a mask and the lengths it was made from: the mask is used.
    const lengths = toLengthsList(backend, e.lengths, xs.length, `${what} lengths`).map((l, i) =>
      masks[i] === undefined ? l : undefined,
    );
    const weight = e.sampleWeight ?? e.sampleWeights;
    const sampleWeight =
      weight === undefined ? undefined : toTensor(backend, weight, `${what} sampleWeight`, owned);
    const size = checkRows(backend, what, xs, ys, masks, lengths, sampleWeight);
    return { xs, ys, masks, lengths, sampleWeight, size, owned };
  } catch (error) {
    backend.dispose(owned);
    throw error;
  }
}

/** Checks that every array has the same number of rows; returns it. */
export function checkRows<T>(
  backend: Backend<T>,
  what: string,
  xs: readonly T[],
  ys: readonly T[],
  masks: readonly (T | undefined)[],
  lengths: readonly (readonly number[] | undefined)[],
  sampleWeight: T | undefined,
): number {
  const rows = (t: T) => backend.shape(t)[0];
  const n = rows(xs[0]!);
  if (n === undefined) throw new SeqmodelError(`${what} x: expected a batch axis, received a scalar`);
  const check = (name: string, count: number | undefined, shape?: readonly number[]) => {
    if (count !== n) {
      throw new SeqmodelError(
        `${what} ${name}: expected ${n} rows (as x${xs.length > 1 ? '[0]' : ''}), received ${count ?? 'a scalar'}${shape ? ` (shape ${formatShape(shape)})` : ''}`,
      );
    }
  };
  xs.forEach((x, i) => {
    check(xs.length > 1 ? `x[${i}]` : 'x', rows(x), backend.shape(x));
  });
  ys.forEach((y, i) => {
    check(ys.length > 1 ? `y[${i}]` : 'y', rows(y), backend.shape(y));
  });
  masks.forEach((m, i) => {
    if (m !== undefined) check(masks.length > 1 ? `mask[${i}]` : 'mask', rows(m), backend.shape(m));
  });
  lengths.forEach((l, i) => {
    if (l !== undefined) check(lengths.length > 1 ? `lengths[${i}]` : 'lengths', l.length);
  });
  if (sampleWeight !== undefined) check('sampleWeight', rows(sampleWeight), backend.shape(sampleWeight));
  return n;
}

/** In-memory data converted to tensors, cut into batches by row. */
export class InMemoryData<T> {
  private constructor(
    private readonly backend: Backend<T>,
    readonly xs: T[],
    readonly ys: T[],
    readonly masks: (T | undefined)[],
    readonly lengths: (number[] | undefined)[],
    readonly sampleWeight: T | undefined,
    readonly size: number,
    /** Tensors made from host arrays (freed by `dispose`). */
    private readonly owned: T[],
  ) {}

  static from<T>(
    backend: Backend<T>,
    what: string,
    counts: { readonly inputs: number; readonly outputs: number },
    data: {
      readonly x: unknown;
      readonly y: unknown;
      readonly mask?: unknown;
      readonly lengths?: unknown;
      readonly sampleWeight?: unknown;
    },
  ): InMemoryData<T> {
    const owned: T[] = [];
    try {
      const xs = toTensorList(backend, data.x, `${what} x`, owned, counts.inputs);
      const ys = toTensorList(backend, data.y, `${what} y`, owned, counts.outputs);
      const masks = toMaskList(backend, data.mask, xs.length, `${what} mask`, owned);
      const lengths = toLengthsList(backend, data.lengths, xs.length, `${what} lengths`);
      const sampleWeight =
        data.sampleWeight === undefined
          ? undefined
          : toTensor(backend, data.sampleWeight, `${what} sampleWeight`, owned);
      const size = checkRows(backend, what, xs, ys, masks, lengths, sampleWeight);
      return new InMemoryData(backend, xs, ys, masks, lengths, sampleWeight, size, owned);
    } catch (error) {
      backend.dispose(owned);
      throw error;
    }
  }

  /** Rows [start, start + count) as a new data set (its tensors made here and owned by it). */
  rows(start: number, count: number): InMemoryData<T> {
    const owned: T[] = [];
    const b = this.backend;
    const take = (t: T) => {
      const part = sliceAxis(b, t, 0, start, count);
      owned.push(part);
      return part;
    };
    try {
      return new InMemoryData(
        b,
        this.xs.map(take),
        this.ys.map(take),
        this.masks.map((m) => (m === undefined ? undefined : take(m))),
        this.lengths.map((l) => l?.slice(start, start + count)),
        this.sampleWeight === undefined ? undefined : take(this.sampleWeight),
        count,
        owned,
      );
    } catch (error) {
      b.dispose(owned);
      throw error;
    }
  }

  /**
   * Splits off the last `fraction` of the rows for validation (Keras' `validationSplit`: before shuffling). Both
   * parts are new data sets; this one is unchanged.
   */
  split(fraction: number, what: string): { train: InMemoryData<T>; validation: InMemoryData<T> } {
    const at = Math.floor(this.size * (1 - fraction));
    if (at < 1 || at >= this.size) {
      throw new SeqmodelError(
        `${what} validationSplit: ${fraction} of ${this.size} samples leaves ${at} for training and ${this.size - at} for validation; both need at least 1`,
      );
    }
    const train = this.rows(0, at);
    try {
      return { train, validation: this.rows(at, this.size - at) };
    } catch (error) {
      train.dispose();
      throw error;
    }
  }

  /** Number of batches of `batchSize`. */
  numBatches(batchSize: number): number {
    return Math.ceil(this.size / batchSize);
  }

  /** Batches of `batchSize` rows in `order` (row indices; in order when omitted). */
  *batches(batchSize: number, order?: Int32Array): Generator<Batch<T>> {
    checkPositiveInteger('batchSize', batchSize);
    const b = this.backend;
    for (let start = 0; start < this.size; start += batchSize) {
      const count = Math.min(batchSize, this.size - start);
      if (order === undefined && start === 0 && count === this.size) {
        // One batch of everything: the tensors themselves.
        yield {
          xs: this.xs,
          ys: this.ys,
          masks: this.masks,
          lengths: this.lengths,
          sampleWeight: this.sampleWeight,
          size: count,
          owned: [],
        };
        continue;
      }
      const owned: T[] = [];
      let indices: T | undefined;
      let rows: number[] | undefined;
      if (order !== undefined) {
        rows = Array.from(order.subarray(start, start + count));
        indices = b.tensor(Int32Array.from(rows), [count], 'int32');
      }
      try {
        const take = (t: T) => {
          const part = indices !== undefined ? b.gather(t, indices, 0) : sliceAxis(b, t, 0, start, count);
          owned.push(part);
          return part;
        };
        const batch: Batch<T> = {
          xs: this.xs.map(take),
          ys: this.ys.map(take),
          masks: this.masks.map((m) => (m === undefined ? undefined : take(m))),
          lengths: this.lengths.map((l) =>
            l === undefined
              ? undefined
              : rows !== undefined
                ? rows.map((r) => l[r]!)
                : l.slice(start, start + count),
          ),
          sampleWeight: this.sampleWeight === undefined ? undefined : take(this.sampleWeight),
          size: count,
          owned,
        };
        yield batch;
      } catch (error) {
        b.dispose(owned);
        throw error;
      } finally {
        if (indices !== undefined) b.dispose(indices);
      }
    }
  }

  dispose(): void {
    this.backend.dispose(this.owned);
  }
}

/** Whether `value` looks like a dataset rather than in-memory tensors (see the module comment). */
export function isDataset(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Symbol.asyncIterator in value) return true;
  if (Array.isArray(value)) {
    const first = value[0];
    return (
      typeof first === 'object' &&
      first !== null &&
      !Array.isArray(first) &&
      !isHostTensor(first) &&
      ('x' in first || 'inputs' in first)
    );
  }
  return Symbol.iterator in value && !ArrayBuffer.isView(value);
}

/** Reads batches from a dataset, pass after pass (see `fit`'s `stepsPerEpoch`). */
export class DatasetReader<T> {
  private iterator: Iterator<DataBatch<T>> | AsyncIterator<DataBatch<T>> | undefined;
  private readonly oneShot: boolean;
  private passes = 0;
  private yielded = false;

  constructor(
    private readonly dataset: Dataset<T>,
    private readonly what: string,
  ) {
    if (!isDataset(dataset)) {
      invalidArgument(
        what,
        dataset,
        'an iterable or async iterable of batches, or a function (epoch) => iterable',
      );
    }
    // An iterator that returns itself (a generator) can be read once; arrays, iterables and functions give new passes.
    this.oneShot =
      typeof dataset !== 'function' &&
      ((Symbol.iterator in dataset &&
        (dataset as Iterable<unknown>)[Symbol.iterator]() === (dataset as unknown)) ||
        (Symbol.asyncIterator in dataset &&
          (dataset as AsyncIterable<unknown>)[Symbol.asyncIterator]() === (dataset as unknown)));
  }

  /** Whether a pass is under way. */
  get active(): boolean {
    return this.iterator !== undefined;
  }

  /** Whether a new pass can start: not for a one-shot iterator already started, nor after a pass that was empty. */
  get canRestart(): boolean {
    if (this.passes === 0) return true;
    return !this.oneShot && this.yielded;
  }

  /** Starts a new pass (`epoch` goes to a dataset function). */
  restart(epoch: number): void {
    const source = typeof this.dataset === 'function' ? this.dataset(epoch) : this.dataset;
    if (
      typeof source !== 'object' ||
      source === null ||
      !(Symbol.iterator in source || Symbol.asyncIterator in source)
    ) {
      invalidArgument(`${this.what}(${epoch})`, source, 'an iterable or async iterable of batches');
    }
    this.iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<DataBatch<T>>)[Symbol.asyncIterator]()
        : (source as Iterable<DataBatch<T>>)[Symbol.iterator]();
    this.passes += 1;
    this.yielded = false;
  }

  /** The next batch of the pass, or undefined when it is over. */
  async next(): Promise<DataBatch<T> | undefined> {
    if (this.iterator === undefined) return undefined;
    const result = await this.iterator.next();
    if (result.done) {
      this.iterator = undefined;
      return undefined;
    }
    this.yielded = true;
    return result.value;
  }
}
