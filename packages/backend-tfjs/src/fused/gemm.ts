/**
 * The matrix products a fused recurrent kernel needs, behind a small interface so that one backpropagation-through-
 * time driver serves every backend: the CPU backend multiplies in JavaScript (`js-gemm.ts`), the wasm backend hands
 * products to XNNPACK. Operands are row-major views into `Float32Array`s in JavaScript memory.
 */
import { invalidArgument } from '@seqmodel/core';

/** A row-major `[rows, cols]` block of `data`, starting at `offset`, `stride` elements between row starts. */
export interface HostMatrix {
  readonly data: Float32Array;
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
  readonly stride: number;
}

/** `data` (from `offset`) as a `[rows, cols]` matrix; `stride` defaults to `cols` (contiguous rows). */
export function hostMatrix(
  data: Float32Array,
  rows: number,
  cols: number,
  offset = 0,
  stride = cols,
): HostMatrix {
  return { data, offset, rows, cols, stride };
}

/**
 * `to[at, +count) = from[start, +count)`. `set` copies at memory speed (~0.3-0.5 ns a float for 64 or more, in V8)
 * but needs a `subarray` object first, which costs more than a loop (~1.3 ns a float) for short rows.
 */
export function copyRow(
  from: Float32Array,
  start: number,
  to: Float32Array,
  at: number,
  count: number,
): void {
  if (count >= 32) to.set(from.subarray(start, start + count), at);
  else for (let j = 0; j < count; j++) to[at + j] = from[start + j]!;
}

/** The columns `[start, start + width)` of `m`. */
export function columns(m: HostMatrix, start: number, width: number): HostMatrix {
  return { data: m.data, offset: m.offset + start, rows: m.rows, cols: width, stride: m.stride };
}

/** A right-hand operand made ready for many products (packed panels in JavaScript, uploaded for wasm). */
export interface PreparedMatrix {
  /** Rows of the operand as used in products (`k`). */
  readonly rows: number;
  /** Columns of the operand as used in products (`n`). */
  readonly cols: number;
}

/**
 * A product kept where the provider computed it (JavaScript memory, or the wasm heap), so that a large result is
 * not copied only to be read once.
 */
export interface ResidentMatrix {
  readonly rows: number;
  readonly cols: number;
  /** True when the values are a JavaScript array (kept by the garbage collector; `release` does nothing). */
  readonly inJavaScript: boolean;
  /**
   * The values, row-major. Call again after any other call on the provider: a wasm heap that grows detaches earlier
   * views (they then have length 0).
   */
  view(): Float32Array;
  /** Frees it; `view` must not be called afterwards. */
  release(): void;
}

/** A {@link ResidentMatrix} in JavaScript memory. */
export function residentArray(data: Float32Array, rows: number, cols: number): ResidentMatrix {
  return { rows, cols, inJavaScript: true, view: () => data, release: () => undefined };
}

/**
 * Matrix products on host matrices. `c` never overlaps `a` or `b`. With `accumulate`, the product is added to `c`;
 * otherwise it replaces `c`.
 */
export interface GemmProvider {
  /** Shown in debug messages and benchmarks. */
  readonly name: string;
  /** `b` (or `bᵀ` with `transpose`) prepared as the `[k, n]` right-hand operand of many products. */
  prepare(b: HostMatrix, transpose: boolean): PreparedMatrix;
  /** `c (+)= a·b` for `a` `[m, k]` and a prepared `b` `[k, n]`. */
  multiplyPrepared(a: HostMatrix, b: PreparedMatrix, c: HostMatrix, accumulate: boolean): void;
  /** `c (+)= op(a)·op(b)`, `op` transposing where asked. */
  multiply(
    a: HostMatrix,
    transposeA: boolean,
    b: HostMatrix,
    transposeB: boolean,
    c: HostMatrix,
    accumulate: boolean,
  ): void;
  /** Frees what `prepare` allocated (nothing for JavaScript arrays; wasm memory for XNNPACK). */
  release(b: PreparedMatrix): void;
  /** `op(a)·op(b)` as a new matrix, left where it was computed. */
  multiplyResident(a: HostMatrix, transposeA: boolean, b: HostMatrix, transposeB: boolean): ResidentMatrix;
}

/** A method of a {@link GemmProvider} (every member but `name`). */
export type GemmMethod = Exclude<keyof GemmProvider, 'name'>;

/**
 * `gemm` with every method call passed through `around(method, call)`, which must run `call()` (once) and return its
 * result: to time, count or trace a provider's calls, with `wrapGemm` (`cpuCompiledKernelWith({ wrapGemm })`).
 *
 * @example
 * let products = 0;
 * const counted = interceptGemm(new JsGemm(), (method, call) => {
 *   if (method === 'multiply' || method === 'multiplyPrepared') products++;
 *   return call();
 * });
 */
export function interceptGemm(
  gemm: GemmProvider,
  around: <T>(method: GemmMethod, call: () => T) => T,
): GemmProvider {
  return {
    name: gemm.name,
    prepare: (...args) => around('prepare', () => gemm.prepare(...args)),
    multiplyPrepared: (...args) => around('multiplyPrepared', () => gemm.multiplyPrepared(...args)),
    multiply: (...args) => around('multiply', () => gemm.multiply(...args)),
    release: (...args) => around('release', () => gemm.release(...args)),
    multiplyResident: (...args) => around('multiplyResident', () => gemm.multiplyResident(...args)),
  };
}

/** Throws naming `argument` unless `value` has every method of a {@link GemmProvider}. */
export function checkGemmProvider(argument: string, value: unknown): asserts value is GemmProvider {
  const provider = value as Partial<GemmProvider> | undefined;
  if (
    typeof provider?.prepare !== 'function' ||
    typeof provider.multiplyPrepared !== 'function' ||
    typeof provider.multiply !== 'function' ||
    typeof provider.release !== 'function' ||
    typeof provider.multiplyResident !== 'function'
  ) {
    invalidArgument(argument, value, 'a GemmProvider (such as new JsGemm())');
  }
}

/**
 * `[m, k]·[k, n]` shapes of `op(a)·op(b)` checked against `c` (the product's `[m, n]`); throws a plain Error on a
 * driver bug. Every provider's products go through it.
 */
export function checkProductShapes(
  a: { rows: number; cols: number },
  transposeA: boolean,
  b: { rows: number; cols: number },
  transposeB: boolean,
  c: { rows: number; cols: number },
): { m: number; k: number; n: number } {
  const m = transposeA ? a.cols : a.rows;
  const k = transposeA ? a.rows : a.cols;
  const kb = transposeB ? b.cols : b.rows;
  const n = transposeB ? b.rows : b.cols;
  if (k !== kb || c.rows !== m || c.cols !== n) {
    throw new Error(
      `fused kernel product: [${m}, ${k}]·[${kb}, ${n}] into [${c.rows}, ${c.cols}] (internal error)`,
    );
  }
  return { m, k, n };
}

/** `op(a)·op(b)` through `gemm.multiply` into a new JavaScript array (a provider's plain `multiplyResident`). */
export function multiplyIntoArray(
  gemm: GemmProvider,
  a: HostMatrix,
  transposeA: boolean,
  b: HostMatrix,
  transposeB: boolean,
): ResidentMatrix {
  const m = transposeA ? a.cols : a.rows;
  const n = transposeB ? b.rows : b.cols;
  const out = new Float32Array(m * n);
  gemm.multiply(a, transposeA, b, transposeB, hostMatrix(out, m, n), false);
  return residentArray(out, m, n);
}
