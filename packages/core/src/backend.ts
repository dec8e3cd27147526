/**
 * The `Backend` contract: `Ops` plus everything needed to create, read, free and differentiate tensors. A backend
 * package implements it once (usually by binding a tensor library); cells and layers never see that library.
 */
import type { AnyFusedKernel, KernelKind } from './fused-kernel.js';
import type { DType, NestedArray, Ops, OptionalOps, Shape } from './ops.js';
import type { FusedSequenceKernel } from './sequence.js';
import type { BackendSpecificationVersion } from './specification.js';

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

/** The kernel interface of each kind whose arguments core defines; other kinds hold {@link AnyFusedKernel}s. */
export interface KernelKinds<T> {
  readonly sequence: FusedSequenceKernel<T>;
}

/** The kernel interface of kind `K` for tensors `T`. */
export type KernelFor<T, K extends KernelKind> = K extends keyof KernelKinds<T>
  ? KernelKinds<T>[K]
  : AnyFusedKernel;

/**
 * A backend's fused kernels, by kind and then by name (a cell's name for `sequence` kernels; a mechanism's name for
 * `attention` ones). Several kernels may serve one name: they are tried in order, and the first whose `supports`
 * accepts the arguments runs. Core's `createKernelTable` builds one from the backend's own kernels and those
 * registered for it with `registerKernel`.
 */
export interface KernelTable<T> {
  /**
   * The kernels of `kind` for `name`, in the order they are tried (those for `name`, then those for `*`, which
   * serve every name); empty when there are none.
   */
  lookup<K extends KernelKind>(kind: K, name: string): readonly KernelFor<T, K>[];
  /**
   * The names with at least one kernel of `kind` of their own. Kernels filed under `*` (a compiler's, which serve
   * every name) are not listed; `lookup(kind, name)` returns them for any name.
   */
  names(kind: KernelKind): string[];
  /** The kinds with at least one kernel. */
  kinds(): string[];
}

export interface Backend<T> extends Ops<T>, OptionalOps<T> {
  /**
   * The version of this contract the backend implements, written as a literal (`'v1'`). Core refuses a backend
   * declaring a version it does not know, naming it; absent means `'v1'` (backends written before versions).
   */
  readonly specificationVersion?: BackendSpecificationVersion;
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
  /**
   * Fused kernels by kind and name (see {@link KernelTable}); the generic path runs for what has none. Absent: no
   * fused kernels (unless the backend has the older `fusedKernels`).
   */
  readonly kernels?: KernelTable<T>;
  /**
   * Fused whole-sequence kernels keyed by cell name; read only when `kernels` is absent.
   *
   * @deprecated Give a {@link KernelTable} as `kernels` (the `sequence` kind holds these); backends that have one
   * keep answering this with a view of its `sequence` kernels.
   */
  readonly fusedKernels?: ReadonlyMap<string, FusedSequenceKernel<T>>;
}
