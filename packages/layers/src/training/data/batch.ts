/**
 * The batch a training or test step runs on: tensors of the model's backend, one per model input and output, with
 * per-input masks and lengths and the sample weights, plus what in-memory data and dataset batches may hold before
 * they become one (tensors, `{ data, shape }` host arrays or nested arrays of numbers) and the converters.
 *
 * Tensors the caller gives stay the caller's; tensors made here from host arrays are listed in the batch's `owned`
 * and freed after use.
 */
import {
  type Backend,
  formatShape,
  invalidArgument,
  type NestedArray,
  SeqmodelError,
  type TypedArray,
} from '@seqmodel/core';

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

export function isHostTensor(value: unknown): value is HostTensor {
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
