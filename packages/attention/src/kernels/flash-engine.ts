/**
 * What the FlashAttention driver (`flash-attention.ts`) asks of the machine it runs on: a working memory (the arena)
 * and the few block operations whose cost grows with `Tq·Tk`: products of blocks, the online-softmax step, the
 * recomputed probabilities and the softmax gradient. Everything whose cost grows with `T·d` only (staging rows into
 * the arena, masks, the final division) the driver does itself in JavaScript. Two engines implement it: plain
 * JavaScript (`js-engine.ts`, for tfjs-backend-cpu) and WebAssembly SIMD (`wasm-engine.ts`, for tfjs-backend-wasm).
 *
 * Blocks are row-major views of the arena: `rows x cols` floats from `offset`, `stride` floats between row starts.
 * The driver keeps every width the engines loop over a multiple of 8 and every height a multiple of 4 (it pads
 * depths with zeros and sequence lengths with masked keys / ignored queries), so the engines need no edge cases.
 */

/** A row-major block of the arena. */
export interface Block {
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
  readonly stride: number;
}

export interface FlashEngine {
  /** Shown in the kernel's reasons and in benchmarks. */
  readonly name: string;
  /** The largest arena a call has asked for so far, in bytes (the kernel's working memory besides its tensors). */
  readonly peakArenaBytes: number;
  /**
   * The arena, at least `floats` long. It may move when it grows: views returned earlier are then stale, so the
   * driver asks once per call, before it writes anything.
   */
  arena(floats: number): Float32Array;
  /**
   * `c (+)= op(a)·b`: `op(a)` is `a`, or with `transposeA` its transpose (`a` stored `[k, m]`); `b` is `[k, n]`, `c`
   * `[m, n]`; `m` a multiple of 4, `n` of 8.
   */
  product(a: Block, transposeA: boolean, b: Block, c: Block, accumulate: boolean): void;
  /** `s[r, :] += v` for the vector of `s.cols` floats at `vector` (0 for allowed keys, -Infinity for masked ones). */
  addToRows(s: Block, vector: number): void;
  /** `s += t`, elementwise (same shape). */
  add(s: Block, t: Block): void;
  /** `out = a ⊙ b`, elementwise (same shape). */
  multiply(out: Block, a: Block, b: Block): void;
  /** `s[r, :] *= factors[r]` for the vector of `s.rows` floats at `factors`. */
  scaleRows(s: Block, factors: number): void;
  /**
   * One step of the online softmax over a block of scores, row by row: with `m` the running maximum and `l` the
   * running sum (vectors of `s.rows` floats), `m' = max(m, max_j s)`, `s = exp(s − m')` in place, `alpha = exp(m −
   * m')`, `l = alpha·l + sum_j s`, `m = m'`. A score of -Infinity gives exactly 0, and a row with no finite score yet
   * keeps `m = -Infinity`, `l = 0`, `alpha = 0` (never NaN).
   */
  softmaxStep(s: Block, m: number, l: number, alpha: number): void;
  /** `s[r, :] = exp(s[r, :] − shift[r])` (the probabilities again, from the log-sum-exp per row); -Infinity gives 0. */
  expShifted(s: Block, shifts: number): void;
  /** `dp = p ⊙ (dp ⊙ keep − d[r])` per row (the softmax gradient; without `keep`, `dp − d[r]`). */
  softmaxGradient(dp: Block, p: Block, keep: Block | undefined, d: number): void;
}
