/**
 * The `Backend` contract: `Ops` plus everything needed to create, read, free and differentiate tensors. A backend
 * package implements it once (usually by binding a tensor library); cells and layers never see that library.
 */
import type { DType, NestedArray, Ops, OptionalOps, Shape } from './ops.js';
import type { FusedSequenceKernel } from './sequence.js';

/** Typed arrays a backend accepts and returns. */
export type TypedArray = Float32Array | Int32Array | Float64Array | Uint8Array;

/** Anything `dispose` accepts: a tensor, or arrays / plain objects of them (nested). */
export type TensorContainer<T> =
  | T
  | readonly TensorContainer<T>[]
  | { readonly [key: string]: TensorContainer<T> };

export interface MemoryInfo {
  /** Tensors alive now. Tests compare it before and after a call to find leaks. */
  readonly numTensors: number;
  /** Bytes held by live tensors, where the backend knows. */
  readonly numBytes?: number;
}

export interface ValueAndGrads<T> {
  /** The scalar value of the function. */
  readonly value: T;
  /** One gradient per argument, each with that argument's shape. */
  readonly grads: T[];
}

export interface Backend<T> extends Ops<T>, OptionalOps<T> {
  /** Short name shown in benchmarks and errors: `reference`, `cpu`, `wasm`, `webgl`, `cuda`, ... */
  readonly name: string;
  /** Creates a tensor from a nested array, a flat array or a typed array (then `shape` is required). */
  tensor(values: NestedArray | readonly number[] | TypedArray, shape?: Shape, dtype?: DType): T;
  /** True for tensors of this backend. */
  isTensor(x: unknown): x is T;
  /** Reads a tensor back as nested arrays (a number for a scalar). */
  toArray(x: T): NestedArray;
  /** Reads a tensor back as a flat typed array, synchronously. */
  dataSync(x: T): Float32Array | Int32Array;
  /** Reads a tensor back as a flat typed array without blocking (GPU backends). */
  data(x: T): Promise<Float32Array | Int32Array>;
  dtype(x: T): DType;
  /** Frees tensors. Disposing twice is harmless. */
  dispose(x: TensorContainer<T>): void;
  /**
   * Runs `fn` and frees every tensor it created except those in its result (a tensor, or arrays / plain objects
   * holding tensors) and those passed to `keep`.
   */
  tidy<R>(fn: () => R): R;
  /** Exempts a tensor from the enclosing `tidy`. */
  keep<X extends T>(x: X): X;
  memory(): MemoryInfo;
  /**
   * Value and gradients of a scalar function with respect to its arguments. Absent on forward-only backends
   * (the float64 reference).
   */
  valueAndGrads?(f: (...args: T[]) => T, args: readonly T[]): ValueAndGrads<T>;
  /**
   * When true, entry points check their tensor arguments for NaN and ±Infinity and throw a `SeqmodelError` naming
   * the first bad element (`runSequence` does it for every sequence argument; layers and fused kernels use
   * `assertFinite`). Off (absent) by default: the check reads every argument back to the host.
   */
  readonly checkNumerics?: boolean;
  /** Fused whole-sequence kernels keyed by cell name; the generic loop runs for cells not listed. */
  readonly fusedKernels?: ReadonlyMap<string, FusedSequenceKernel<T>>;
}
