/**
 * Tensor-agnostic arrays: a flat typed array plus its shape (core's `HostTensor`). Every data set and batch in this
 * package is made of these, so that nothing here depends on a tensor library; `toTensors` turns them into tensors of
 * any `Backend`.
 */
import {
  formatShape,
  type HostTensor,
  hostDtype,
  invalidArgument,
  SeqmodelError,
  type Shape,
  sizeOfShape,
} from '@seqmodel/core';

/** Typed arrays used for data: `Float32Array` for values, `Int32Array` for token ids and class labels. */
export type DataArray = Float32Array | Int32Array;

/**
 * A row-major array of `shape`; its dtype is `int32` for an `Int32Array`, else `float32`. It is core's `HostTensor`,
 * holding the two kinds of array data sets make.
 */
export type TensorData<A extends DataArray = DataArray> = HostTensor<A>;

/** Wraps `data` with `shape`, checking that the sizes agree. */
export function tensorData<A extends DataArray>(data: A, shape: Shape): TensorData<A> {
  checkHostArray('data', data);
  if (!Array.isArray(shape)) invalidArgument('shape', shape, 'an array of dimensions');
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    invalidArgument('shape', [...shape], 'non-negative integer dimensions');
  }
  if (sizeOfShape(shape) !== data.length) {
    throw new SeqmodelError(
      `data: expected ${sizeOfShape(shape)} values for shape ${formatShape(shape)}, received ${data.length}`,
    );
  }
  return { data, shape: [...shape] };
}

/** `int32` for an `Int32Array`, else `float32` (the dtype a backend should create). */
export function dtypeOf(array: DataArray): 'float32' | 'int32' {
  return hostDtype(array);
}

/** A new array of the same kind as `like`. */
export function allocLike<A extends DataArray>(like: A, length: number): A {
  return (like instanceof Int32Array ? new Int32Array(length) : new Float32Array(length)) as A;
}

/** The rows `indices` (along axis 0) of `x`, copied into a new array of the same kind. */
export function gatherRows<A extends DataArray>(x: TensorData<A>, indices: ArrayLike<number>): TensorData<A> {
  const rows = x.shape[0] ?? 0;
  const rowSize = rows === 0 ? sizeOfShape(x.shape.slice(1)) : x.data.length / rows;
  const out = allocLike(x.data, indices.length * rowSize);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= rows) {
      invalidArgument(`indices[${i}]`, r, `a row index in [0, ${rows})`);
    }
    out.set(x.data.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
  }
  return { data: out, shape: [indices.length, ...x.shape.slice(1)] };
}

/** Rows `[start, end)` of `x`, copied. */
export function sliceRows<A extends DataArray>(x: TensorData<A>, start: number, end: number): TensorData<A> {
  checkTensorData('x', x);
  const rows = x.shape[0] ?? 0;
  if (!Number.isInteger(start) || start < 0 || start > rows) {
    invalidArgument('start', start, `an integer in [0, ${rows}] (the rows of x)`);
  }
  if (!Number.isInteger(end) || end < start || end > rows) {
    invalidArgument('end', end, `an integer in [start, ${rows}] = [${start}, ${rows}]`);
  }
  const rowSize = rows === 0 ? 0 : x.data.length / rows;
  return {
    data: x.data.slice(start * rowSize, end * rowSize) as A,
    shape: [end - start, ...x.shape.slice(1)],
  };
}

/**
 * One-hot encoding of integer ids: `[...ids.shape, depth]` float32. Ids outside `[0, depth)` are an error, except
 * that `ignoreOutOfRange` turns them into all-zero rows (useful for padding ids).
 */
export function oneHot(
  ids: TensorData<Int32Array>,
  depth: number,
  options: { ignoreOutOfRange?: boolean } = {},
): TensorData<Float32Array> {
  if (!Number.isInteger(depth) || depth < 1) invalidArgument('depth', depth, 'a positive integer');
  const out = new Float32Array(ids.data.length * depth);
  for (let i = 0; i < ids.data.length; i++) {
    const id = ids.data[i]!;
    if (id < 0 || id >= depth) {
      if (options.ignoreOutOfRange) continue;
      invalidArgument(`ids (flat index ${i})`, id, `an id in [0, ${depth})`);
    }
    out[i * depth + id] = 1;
  }
  return { data: out, shape: [...ids.shape, depth] };
}

/** Reads `x` back as nested arrays (for small arrays, tests and printing). */
export function toNested(x: TensorData): unknown {
  checkTensorData('x', x);
  const nest = (offset: number, dims: readonly number[]): unknown => {
    if (dims.length === 0) return x.data[offset];
    const [head, ...rest] = dims as [number, ...number[]];
    const size = sizeOfShape(rest);
    return Array.from({ length: head }, (_, i) => nest(offset + i * size, rest));
  };
  return nest(0, x.shape);
}

function checkHostArray(argument: string, data: unknown): void {
  if (!(data instanceof Float32Array) && !(data instanceof Int32Array)) {
    invalidArgument(argument, data, 'a Float32Array or an Int32Array');
  }
}

/** Checks that `x` is host data `{ data, shape }` whose shape matches its values. */
export function checkTensorData(argument: string, x: unknown): void {
  const t = x as Partial<TensorData> | null;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.shape)) {
    invalidArgument(argument, x, 'host data { data: Float32Array | Int32Array, shape }');
  }
  checkHostArray(`${argument}.data`, t.data);
  if (sizeOfShape(t.shape) !== t.data!.length) {
    invalidArgument(`${argument}.shape`, t.shape, `a shape of ${t.data!.length} values`);
  }
}
