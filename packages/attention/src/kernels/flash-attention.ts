/**
 * Scaled dot-product attention by the FlashAttention recurrence (Dao et al. 2022; the loop order and the backward
 * pass of FlashAttention-2, Dao 2023), on host arrays, for one fused kernel per engine (`flash-engine.ts`):
 *
 * - forward, per query block `i` and key block `j`: `S = scale·Qᵢ·Kⱼᵀ` (masked scores -Infinity), then the online
 *   softmax keeps a running maximum `m` and sum `l` per query row and rescales the partial output,
 *   `Oᵢ = alpha·Oᵢ + (P ⊙ keep)·Vⱼ`; at the end `Oᵢ /= l` and `lse = m + log(l)` is kept per row;
 * - backward, per key block `j` (outer) and query block `i`: `P = exp(S − lse)` recomputed, `dVⱼ += (P ⊙ keep)ᵀ·dOᵢ`,
 *   `dP = dOᵢ·Vⱼᵀ`, `dS = P ⊙ (dP ⊙ keep − D)` with `D = rowsum(dO ⊙ O)`, `dQᵢ += scale·dS·Kⱼ`,
 *   `dKⱼ += scale·dSᵀ·Qᵢ`.
 *
 * So the working memory is the staged rows of one head (`Q`, `K`, `V` and their gradients: O(T·d)) and a few
 * `Br x Bc` blocks, never `Tq x Tk` scores. Grouped-query heads share the staged key/value head, whose gradients
 * add up over the group. Causal attention skips the blocks above the diagonal. A query row whose keys are all
 * masked keeps `l = 0`: its output and gradients are zero, as on the generic path.
 *
 * Layouts are the contract's: `q` `[B, H, Tq, d]`, `k` `[B, Hk, Tk, d]`, `v` `[B, Hk, Tk, dv]`, `out` `[B, H, Tq, dv]`,
 * `lse` `[B, H, Tq]`, row-major and contiguous.
 */
import type { Block, FlashEngine } from './flash-engine.js';

/** A 0/1 mask read with broadcasting: element `(b, h, i, j)` at `b·s0 + h·s1 + i·s2 + j·s3` (0 on broadcast axes). */
export interface HostMask {
  readonly data: Float32Array;
  readonly strides: readonly [number, number, number, number];
}

/** One attention call's sizes and options, as the contract gives them (every flash kernel's problem has them). */
export interface AttentionShape {
  readonly batch: number;
  readonly heads: number;
  readonly keyHeads: number;
  readonly queryLength: number;
  readonly keyLength: number;
  readonly depth: number;
  readonly valueDepth: number;
  readonly scale: number;
  readonly causal: boolean;
  readonly queryOffset: number;
}

/** One attention call as the host flash kernel takes it: sizes and options, the mask and dropout factors. */
export interface FlashProblem extends AttentionShape {
  /** Where attention is allowed (positive values). */
  readonly mask?: HostMask | undefined;
  /** Dropout factors on the weights, `[B, H, Tq, Tk]`. */
  readonly keep?: Float32Array | undefined;
}

/** Block sizes: query rows (a multiple of 4) and keys (a multiple of 8) per block. */
export interface FlashBlocks {
  readonly queries: number;
  readonly keys: number;
}

/**
 * 64 x 64: a score block and the rows it multiplies (64 x d) stay in L1/L2, and per-block overheads (JavaScript
 * calls, masks) stay small next to its 2·64·64·d flops. At T = 512, d = 64 it ran as fast as 128 x 128 and 64 x 128
 * (within the noise of a loaded machine) and faster than blocks of 32 query rows, on both engines.
 */
export const defaultFlashBlocks: FlashBlocks = { queries: 64, keys: 64 };

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/** Padded sizes and offsets shared by both passes. */
class Geometry {
  readonly tq: number;
  readonly tk: number;
  readonly d: number;
  readonly dv: number;
  /** Query rows padded to a multiple of 4, keys to 8, depths to 8 (zeros; padded keys are masked). */
  readonly tqp: number;
  readonly tkp: number;
  readonly dp: number;
  readonly dvp: number;
  readonly br: number;
  readonly bc: number;
  readonly group: number;
  /** Per-key mask rows (none, or a mask that does not vary along the queries) as a bias vector. */
  readonly keyBiasOnly: boolean;

  constructor(
    readonly problem: FlashProblem,
    blocks: FlashBlocks,
  ) {
    const p = problem;
    this.tq = p.queryLength;
    this.tk = p.keyLength;
    this.d = p.depth;
    this.dv = p.valueDepth;
    this.tqp = roundUp(p.queryLength, 4);
    this.tkp = roundUp(p.keyLength, 8);
    this.dp = roundUp(p.depth, 8);
    this.dvp = roundUp(p.valueDepth, 8);
    this.br = Math.min(blocks.queries, this.tqp);
    this.bc = Math.min(blocks.keys, this.tkp);
    this.group = p.heads / p.keyHeads;
    this.keyBiasOnly = p.mask === undefined || p.mask.strides[2] === 0;
  }

  /** Consecutive arena regions of the given sizes (floats), from 0, and their total. */
  regions<K extends string>(sizes: Record<K, number>): { at: Record<K, number>; total: number } {
    const at = {} as Record<K, number>;
    let total = 0;
    for (const key of Object.keys(sizes) as K[]) {
      at[key] = total;
      // Regions start on 16-byte boundaries (SIMD loads of whole rows).
      total += roundUp(sizes[key], 4);
    }
    return { at, total };
  }

  /** The last key (exclusive) any of the query rows `[i0, i0 + rows)` may see. */
  keyEnd(i0: number, rows: number): number {
    if (!this.problem.causal) return this.tkp;
    const last = Math.min(i0 + rows, this.tq) - 1;
    return Math.min(this.tkp, roundUp(Math.max(0, last + this.problem.queryOffset + 1), 8));
  }

  /** The first query block (its first row) that may see key `j0`. */
  queryStart(j0: number): number {
    if (!this.problem.causal) return 0;
    const first = Math.max(0, j0 - this.problem.queryOffset);
    // Keys after every query's limit get no weight at all.
    if (first >= this.tq) return this.tqp;
    return Math.floor(first / this.br) * this.br;
  }

  /** Where (b, h)'s key bias or mask rows begin in the mask data. */
  maskBase(b: number, h: number): number {
    const s = this.problem.mask?.strides;
    return s ? b * s[0] + h * s[1] : 0;
  }

  /**
   * The key bias of head (b, h) into `arena` at `at` (0 allowed, -Infinity masked or padding), when the mask does
   * not vary along the queries; false when no key needs masking.
   */
  keyBias(arena: Float32Array, at: number, b: number, h: number): boolean {
    const mask = this.problem.mask;
    if (!this.keyBiasOnly || (mask === undefined && this.tkp === this.tk)) return false;
    arena.fill(0, at, at + this.tk);
    arena.fill(Number.NEGATIVE_INFINITY, at + this.tk, at + this.tkp);
    if (mask) {
      const base = this.maskBase(b, h);
      const sk = mask.strides[3];
      for (let j = 0; j < this.tk; j++) if (!(mask.data[base + j * sk]! > 0)) arena[at + j] = -Infinity;
    }
    return true;
  }

  /**
   * Masks the score block `s` of query rows from `i0` and keys from `j0`: the causal limit, the key bias, or (for a
   * mask that varies along the queries) the mask read element by element into the `bias` block.
   */
  maskScores(
    engine: FlashEngine,
    arena: Float32Array,
    s: Block,
    i0: number,
    j0: number,
    keyBias: number | undefined,
    bias: number,
    b: number,
    h: number,
  ): void {
    const { rows, cols, stride } = s;
    if (keyBias !== undefined) engine.addToRows(s, keyBias + j0);
    const mask = this.problem.mask;
    if (mask !== undefined && !this.keyBiasOnly) {
      const [, , sq, sk] = mask.strides;
      const base = this.maskBase(b, h);
      for (let r = 0; r < rows; r++) {
        const to = bias + r * stride;
        const i = i0 + r;
        if (i >= this.tq) {
          arena.fill(0, to, to + cols);
          continue;
        }
        const from = base + i * sq;
        const valid = Math.min(cols, this.tk - j0);
        for (let c = 0; c < valid; c++) arena[to + c] = mask.data[from + (j0 + c) * sk]! > 0 ? 0 : -Infinity;
        arena.fill(Number.NEGATIVE_INFINITY, to + Math.max(0, valid), to + cols);
      }
      engine.add(s, { offset: bias, rows, cols, stride });
    }
    if (this.problem.causal) {
      // Row r may see keys up to i0 + r + offset: fill the rest of the row.
      const delta = i0 + this.problem.queryOffset - j0;
      for (let r = 0; r < rows; r++) {
        const from = Math.max(0, r + delta + 1);
        if (from < cols)
          arena.fill(Number.NEGATIVE_INFINITY, s.offset + r * stride + from, s.offset + r * stride + cols);
      }
    }
  }

  /** The dropout factors of rows from `i0`, keys from `j0` of head (b, h) into the block `keep` (0 past the ends). */
  stageKeep(arena: Float32Array, keep: Block, i0: number, j0: number, b: number, h: number): void {
    const data = this.problem.keep!;
    const base = ((b * this.problem.heads + h) * this.tq + i0) * this.tk + j0;
    const valid = Math.max(0, Math.min(keep.cols, this.tk - j0));
    for (let r = 0; r < keep.rows; r++) {
      const to = keep.offset + r * keep.stride;
      if (i0 + r < this.tq) {
        const from = base + r * this.tk;
        arena.set(data.subarray(from, from + valid), to);
        arena.fill(0, to + valid, to + keep.cols);
      } else {
        arena.fill(0, to, to + keep.cols);
      }
    }
  }
}

/** Copies `rows x cols` (contiguous at `from` in `src`, times `factor`) into a zero-padded `[paddedRows, stride]` region. */
function stageRows(
  arena: Float32Array,
  at: number,
  stride: number,
  paddedRows: number,
  src: Float32Array,
  from: number,
  rows: number,
  cols: number,
  factor = 1,
): void {
  arena.fill(0, at, at + paddedRows * stride);
  for (let i = 0; i < rows; i++) {
    const to = at + i * stride;
    const row = from + i * cols;
    if (factor === 1) arena.set(src.subarray(row, row + cols), to);
    else for (let c = 0; c < cols; c++) arena[to + c] = src[row + c]! * factor;
  }
}

/** Copies the transpose of `rows x cols` (contiguous at `from`) into a zero-padded `[paddedCols, stride]` region. */
function stageTransposed(
  arena: Float32Array,
  at: number,
  stride: number,
  paddedCols: number,
  src: Float32Array,
  from: number,
  rows: number,
  cols: number,
): void {
  arena.fill(0, at, at + paddedCols * stride);
  for (let i = 0; i < rows; i++) {
    const row = from + i * cols;
    for (let c = 0; c < cols; c++) arena[at + c * stride + i] = src[row + c]!;
  }
}

/** Copies `rows x cols` of a region with row stride `stride` out to contiguous rows at `to` in `dst`, times `factor`. */
function unstageRows(
  arena: Float32Array,
  at: number,
  stride: number,
  dst: Float32Array,
  to: number,
  rows: number,
  cols: number,
  factor = 1,
): void {
  for (let i = 0; i < rows; i++) {
    const row = at + i * stride;
    if (factor === 1) dst.set(arena.subarray(row, row + cols), to + i * cols);
    else for (let c = 0; c < cols; c++) dst[to + i * cols + c] = arena[row + c]! * factor;
  }
}

/** The host arrays of one forward pass. */
export interface FlashForwardArrays {
  readonly query: Float32Array;
  readonly key: Float32Array;
  readonly value: Float32Array;
  /** Written: `[B, H, Tq, dv]`. */
  readonly output: Float32Array;
  /** Written when given: the log-sum-exp of each query row's scores, +Infinity for a fully masked row. */
  readonly logSumExp?: Float32Array | undefined;
}

/** The forward pass: `output` (and `logSumExp`) from `query`, `key`, `value`. */
export function flashForward(
  engine: FlashEngine,
  problem: FlashProblem,
  arrays: FlashForwardArrays,
  blocks: FlashBlocks = defaultFlashBlocks,
): void {
  const g = new Geometry(problem, blocks);
  const { tq, tk, d, dv, tqp, tkp, dp, dvp, br, bc, group } = g;
  const { at, total } = g.regions({
    q: tqp * dp,
    kt: dp * tkp,
    v: tkp * dvp,
    o: br * dvp,
    s: br * bc,
    bias: br * bc,
    keep: br * bc,
    m: br,
    l: br,
    alpha: br,
    keyBias: tkp,
  });
  const arena = engine.arena(total);
  const { query, key, value, output, logSumExp } = arrays;
  const { heads, keyHeads, scale } = problem;
  for (let b = 0; b < problem.batch; b++) {
    for (let kh = 0; kh < keyHeads; kh++) {
      const kv = b * keyHeads + kh;
      stageTransposed(arena, at.kt, tkp, dp, key, kv * tk * d, tk, d);
      stageRows(arena, at.v, dvp, tkp, value, kv * tk * dv, tk, dv);
      for (let h = kh * group; h < (kh + 1) * group; h++) {
        const bh = b * heads + h;
        stageRows(arena, at.q, dp, tqp, query, bh * tq * d, tq, d, scale);
        const keyBias = g.keyBias(arena, at.keyBias, b, h) ? at.keyBias : undefined;
        for (let i0 = 0; i0 < tqp; i0 += br) {
          const rows = Math.min(br, tqp - i0);
          const o: Block = { offset: at.o, rows, cols: dvp, stride: dvp };
          arena.fill(Number.NEGATIVE_INFINITY, at.m, at.m + rows);
          arena.fill(0, at.l, at.l + rows);
          arena.fill(0, at.o, at.o + rows * dvp);
          const qi: Block = { offset: at.q + i0 * dp, rows, cols: dp, stride: dp };
          const end = g.keyEnd(i0, rows);
          for (let j0 = 0; j0 < end; j0 += bc) {
            const cols = Math.min(bc, end - j0);
            const s: Block = { offset: at.s, rows, cols, stride: bc };
            engine.product(qi, false, { offset: at.kt + j0, rows: dp, cols, stride: tkp }, s, false);
            g.maskScores(engine, arena, s, i0, j0, keyBias, at.bias, b, h);
            engine.softmaxStep(s, at.m, at.l, at.alpha);
            if (problem.keep) {
              const keep: Block = { offset: at.keep, rows, cols, stride: bc };
              g.stageKeep(arena, keep, i0, j0, b, h);
              engine.multiply(s, s, keep);
            }
            engine.scaleRows(o, at.alpha);
            engine.product(
              s,
              false,
              { offset: at.v + j0 * dvp, rows: cols, cols: dvp, stride: dvp },
              o,
              true,
            );
          }
          const valid = Math.min(rows, tq - i0);
          for (let r = 0; r < rows; r++) {
            const l = arena[at.l + r]!;
            arena[at.alpha + r] = l > 0 ? 1 / l : 0;
            if (logSumExp && r < valid) {
              logSumExp[bh * tq + i0 + r] = l > 0 ? arena[at.m + r]! + Math.log(l) : Number.POSITIVE_INFINITY;
            }
          }
          engine.scaleRows(o, at.alpha);
          unstageRows(arena, at.o, dvp, output, (bh * tq + i0) * dv, valid, dv);
        }
      }
    }
  }
}

/** The host arrays of one backward pass. */
export interface FlashBackwardArrays extends Required<FlashForwardArrays> {
  /** The output's gradient, `[B, H, Tq, dv]`. */
  readonly outputGradient: Float32Array;
  /** Written: the gradients of `query`, `key` and `value`, in their shapes. */
  readonly queryGradient: Float32Array;
  readonly keyGradient: Float32Array;
  readonly valueGradient: Float32Array;
}

/** The backward pass: the three input gradients from the forward pass's output and log-sum-exp. */
export function flashBackward(
  engine: FlashEngine,
  problem: FlashProblem,
  arrays: FlashBackwardArrays,
  blocks: FlashBlocks = defaultFlashBlocks,
): void {
  const g = new Geometry(problem, blocks);
  const { tq, tk, d, dv, tqp, tkp, dp, dvp, br, bc, group } = g;
  const { at, total } = g.regions({
    q: tqp * dp,
    k: tkp * dp,
    kt: dp * tkp,
    vt: dvp * tkp,
    dO: tqp * dvp,
    lse: tqp,
    rowDot: tqp,
    dq: tqp * dp,
    dk: tkp * dp,
    dv: tkp * dvp,
    s: br * bc,
    dp: br * bc,
    pk: br * bc,
    bias: br * bc,
    keep: br * bc,
    keyBias: tkp,
  });
  const arena = engine.arena(total);
  const { query, key, value, output, logSumExp, outputGradient } = arrays;
  const { heads, keyHeads, scale } = problem;
  for (let b = 0; b < problem.batch; b++) {
    for (let kh = 0; kh < keyHeads; kh++) {
      const kv = b * keyHeads + kh;
      stageRows(arena, at.k, dp, tkp, key, kv * tk * d, tk, d);
      stageTransposed(arena, at.kt, tkp, dp, key, kv * tk * d, tk, d);
      stageTransposed(arena, at.vt, tkp, dvp, value, kv * tk * dv, tk, dv);
      arena.fill(0, at.dk, at.dk + tkp * dp);
      arena.fill(0, at.dv, at.dv + tkp * dvp);
      for (let h = kh * group; h < (kh + 1) * group; h++) {
        const bh = b * heads + h;
        stageRows(arena, at.q, dp, tqp, query, bh * tq * d, tq, d, scale);
        stageRows(arena, at.dO, dvp, tqp, outputGradient, bh * tq * dv, tq, dv);
        arena.set(logSumExp.subarray(bh * tq, (bh + 1) * tq), at.lse);
        arena.fill(Number.POSITIVE_INFINITY, at.lse + tq, at.lse + tqp);
        // D = rowsum(dO ⊙ O): the softmax gradient's row term, from the (dropped) output.
        for (let i = 0; i < tqp; i++) {
          let dot = 0;
          if (i < tq) {
            const row = (bh * tq + i) * dv;
            for (let c = 0; c < dv; c++) dot += outputGradient[row + c]! * output[row + c]!;
          }
          arena[at.rowDot + i] = dot;
        }
        arena.fill(0, at.dq, at.dq + tqp * dp);
        const keyBias = g.keyBias(arena, at.keyBias, b, h) ? at.keyBias : undefined;
        for (let j0 = 0; j0 < tkp; j0 += bc) {
          const cols = Math.min(bc, tkp - j0);
          const ktj: Block = { offset: at.kt + j0, rows: dp, cols, stride: tkp };
          const vtj: Block = { offset: at.vt + j0, rows: dvp, cols, stride: tkp };
          const kj: Block = { offset: at.k + j0 * dp, rows: cols, cols: dp, stride: dp };
          const dkj: Block = { offset: at.dk + j0 * dp, rows: cols, cols: dp, stride: dp };
          const dvj: Block = { offset: at.dv + j0 * dvp, rows: cols, cols: dvp, stride: dvp };
          for (let i0 = g.queryStart(j0); i0 < tqp; i0 += br) {
            const rows = Math.min(br, tqp - i0);
            const qi: Block = { offset: at.q + i0 * dp, rows, cols: dp, stride: dp };
            const dOi: Block = { offset: at.dO + i0 * dvp, rows, cols: dvp, stride: dvp };
            const s: Block = { offset: at.s, rows, cols, stride: bc };
            const dP: Block = { offset: at.dp, rows, cols, stride: bc };
            engine.product(qi, false, ktj, s, false);
            g.maskScores(engine, arena, s, i0, j0, keyBias, at.bias, b, h);
            engine.expShifted(s, at.lse + i0);
            let keep: Block | undefined;
            let pk = s;
            if (problem.keep) {
              keep = { offset: at.keep, rows, cols, stride: bc };
              g.stageKeep(arena, keep, i0, j0, b, h);
              pk = { offset: at.pk, rows, cols, stride: bc };
              engine.multiply(pk, s, keep);
            }
            engine.product(pk, true, dOi, dvj, true);
            engine.product(dOi, false, vtj, dP, false);
            engine.softmaxGradient(dP, s, keep, at.rowDot + i0);
            engine.product(dP, false, kj, { offset: at.dq + i0 * dp, rows, cols: dp, stride: dp }, true);
            engine.product(dP, true, qi, dkj, true);
          }
        }
        unstageRows(arena, at.dq, dp, arrays.queryGradient, bh * tq * d, tq, d, scale);
      }
      unstageRows(arena, at.dk, dp, arrays.keyGradient, kv * tk * d, tk, d);
      unstageRows(arena, at.dv, dvp, arrays.valueGradient, kv * tk * dv, tk, dv);
    }
  }
}
