/**
 * The `Ops` contract: the primitive tensor operations that cells, layers and attention are written against.
 * A backend implements these once; everything else (softmax, gate splitting, hard sigmoids, ...) is derived from
 * them in `derived-ops.ts`. The set is kept small on purpose: every primitive is one more thing each backend and the
 * float64 reference must implement and test.
 *
 * Conventions for every backend:
 * - Binary elementwise ops broadcast like NumPy; a plain `number` operand is a scalar.
 * - Tensors are float32 unless a method says otherwise; indices are int32. Comparisons return 1/0 as float32.
 * - Ops never modify their inputs and always return new tensors.
 */
import type { Shape } from './shape.js';

export type { Shape } from './shape.js';

/** Element type of a tensor. */
export type DType = 'float32' | 'int32';

/** A scalar or a nested array of numbers, as read back from a tensor. */
export type NestedArray = number | NestedArray[];

/** Either a tensor or a plain number used as a broadcast scalar. */
export type Operand<T> = T | number;

export interface Ops<T> {
  /** The tensor's shape. */
  shape(x: T): number[];
  /** A tensor of `shape` filled with `value`. */
  fill(shape: Shape, value: number, dtype?: DType): T;
  /** Converts the element type (float32 <-> int32, truncating toward zero; not differentiable to int32). */
  cast(x: T, dtype: DType): T;

  // Elementwise, broadcasting.
  add(a: Operand<T>, b: Operand<T>): T;
  sub(a: Operand<T>, b: Operand<T>): T;
  mul(a: Operand<T>, b: Operand<T>): T;
  div(a: Operand<T>, b: Operand<T>): T;
  maximum(a: Operand<T>, b: Operand<T>): T;
  minimum(a: Operand<T>, b: Operand<T>): T;
  /** 1 where a > b, else 0 (float32). Not differentiable. */
  greater(a: Operand<T>, b: Operand<T>): T;
  /** 1 where a == b, else 0 (float32). Not differentiable. */
  equal(a: Operand<T>, b: Operand<T>): T;
  /** `a` where `condition` is nonzero, else `b`; the three broadcast together. */
  where(condition: T, a: Operand<T>, b: Operand<T>): T;

  // Elementwise, unary.
  neg(x: T): T;
  exp(x: T): T;
  log(x: T): T;
  sqrt(x: T): T;
  abs(x: T): T;
  sigmoid(x: T): T;
  tanh(x: T): T;
  relu(x: T): T;
  /** Clamps every element into [min, max]; the gradient is 1 inside the interval and 0 outside. */
  clip(x: T, min: number, max: number): T;

  /**
   * Matrix product. Both operands rank 2 (`[m, k]·[k, n]`), or both rank 3 with the same leading batch size
   * (`[b, m, k]·[b, k, n]`). `transposeA` / `transposeB` transpose the last two axes first.
   */
  matMul(a: T, b: T, transposeA?: boolean, transposeB?: boolean): T;

  // Layout.
  /** Same elements, new shape; one dimension may be -1. A new tensor even for the same shape (it may share data). */
  reshape(x: T, shape: Shape): T;
  /** Permutes axes; without `perm`, reverses them. */
  transpose(x: T, perm?: readonly number[]): T;
  /** The block starting at `begin` of `size` (a size of -1 means "to the end of that axis"). */
  slice(x: T, begin: readonly number[], size: readonly number[]): T;
  /** Joins tensors along an existing axis (negative axes count from the end). */
  concat(xs: readonly T[], axis: number): T;
  /** Joins tensors of equal shape along a new axis. */
  stack(xs: readonly T[], axis: number): T;
  /** Splits along an axis into tensors with that axis removed. */
  unstack(x: T, axis: number): T[];
  /** Selects entries along `axis` by int32 `indices`; the result has `indices`' shape in place of that axis. */
  gather(x: T, indices: T, axis?: number): T;
  /** One-hot float32 encoding of int32 `indices`: shape `[...indices.shape, depth]`. */
  oneHot(indices: T, depth: number): T;

  // Reductions (all axes when `axes` is omitted).
  sum(x: T, axes?: number | readonly number[], keepDims?: boolean): T;
  max(x: T, axes?: number | readonly number[], keepDims?: boolean): T;
  /** Index of the largest entry along `axis` (int32; the first one on ties). */
  argMax(x: T, axis: number): T;
}

/**
 * Operations a backend may provide natively for speed or numerical accuracy. When absent, `derived-ops.ts` builds
 * them from primitives. A native version must agree with the derived one.
 */
export interface OptionalOps<T> {
  softmax?(x: T, axis?: number): T;
  logSoftmax?(x: T, axis?: number): T;
  softplus?(x: T): T;
  /**
   * The error function, for the exact GELU. Optional so that backends written against the `v1` contract keep
   * working; without it `derived-ops.ts` uses the Abramowitz-Stegun 7.1.26 approximation (absolute error 1.5e-7,
   * float32's own rounding), which is also what tfjs computes.
   */
  erf?(x: T): T;
}
