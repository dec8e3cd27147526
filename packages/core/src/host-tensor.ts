/**
 * Host tensors: a row-major array of numbers with its shape, the form data takes before a backend holds it. Data
 * sets are made of them, batches carry them (`batch.ts`), and `toBackendTensor` makes a tensor of any `Backend` from
 * one. An `Int32Array` makes an int32 tensor (token ids, class labels); any other array makes a float32 one.
 */
import type { Backend, TypedArray } from './backend.js';
import { invalidArgument, SeqmodelError } from './errors.js';
import type { DType, NestedArray } from './ops.js';

/** The values of a host tensor, row-major. */
export type HostArray = TypedArray | readonly number[];

/** A row-major array and its shape; its dtype is `int32` for an `Int32Array`, else `float32`. */
export interface HostTensor<A extends HostArray = HostArray> {
  readonly data: A;
  readonly shape: readonly number[];
}

/** What becomes one backend tensor: a tensor of the backend itself, a host tensor, or nested arrays of numbers. */
export type TensorLike<T> = T | HostTensor | NestedArray[];

/** Whether `value` is a host tensor: an object with `data` and a `shape` array. */
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

/**
 * Whether `value` is nested arrays of numbers (`[[1, 2], [3, 4]]`, `[]`), that is one tensor, rather than a list of
 * tensors: the first element is followed down to a number.
 */
export function isNestedNumbers(value: unknown): value is NestedArray[] {
  if (!Array.isArray(value)) return false;
  let v: unknown = value;
  while (Array.isArray(v)) {
    if (v.length === 0) return true;
    v = v[0];
  }
  return typeof v === 'number';
}

/** Whether nested arrays have rows of different lengths at some depth (`[[1, 2], [3]]`). */
export function isRagged(value: readonly unknown[]): boolean {
  let level: readonly unknown[] = [value];
  while (level.length > 0 && level.every((v) => Array.isArray(v))) {
    const rows = level as readonly (readonly unknown[])[];
    if (rows.some((row) => row.length !== rows[0]!.length)) return true;
    level = rows.flat();
  }
  return false;
}

/** The dtype a backend tensor made from `data` has: `int32` for an `Int32Array`, else `float32`. */
export function hostDtype(data: HostArray): DType {
  return data instanceof Int32Array ? 'int32' : 'float32';
}

/**
 * A float32 tensor of `backend` from nested arrays of numbers; a backend's refusal (rows of different lengths) is
 * named by `argument` instead of the backend's `tensor(values)`, with `raggedHint` appended when the rows differ in
 * length.
 */
export function tensorFromNested<T>(
  backend: Backend<T>,
  value: NestedArray[],
  argument: string,
  raggedHint = '',
): T {
  try {
    return backend.tensor(value);
  } catch (error) {
    const message = (error as Error).message.replace(/^tensor\(values\):\s*/, '');
    throw new SeqmodelError(`${argument}: ${message}${isRagged(value) ? raggedHint : ''}`);
  }
}

/**
 * One tensor of `backend` from a tensor-like: a tensor of the backend is returned as it is; a host tensor or nested
 * arrays become a new tensor, which is pushed to `created` (the caller frees it). `argument` names the value in
 * errors.
 */
export function toBackendTensor<T>(backend: Backend<T>, value: unknown, argument: string, created?: T[]): T {
  if (backend.isTensor(value)) return value;
  let tensor: T;
  if (isHostTensor(value)) {
    const data = ArrayBuffer.isView(value.data) ? value.data : Float32Array.from(value.data);
    tensor = backend.tensor(data, [...value.shape], hostDtype(value.data));
  } else if (isNestedNumbers(value)) {
    tensor = tensorFromNested(
      backend,
      value,
      argument,
      ' (sequences of different lengths: pad them to one length first, e.g. with padSequences from @seqmodel/datasets, and pass its mask)',
    );
  } else {
    return invalidArgument(
      argument,
      value,
      `a tensor of backend ${backend.name}, { data, shape } host values, or nested arrays of numbers`,
    );
  }
  created?.push(tensor);
  return tensor;
}
