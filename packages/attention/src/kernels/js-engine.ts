/**
 * The FlashAttention engine in plain JavaScript, for tfjs-backend-cpu: block products on `@seqmodel/backend-tfjs`'s
 * `JsGemm` (packed panels and a register-blocked micro-kernel, ~4-5 GFLOP/s in V8 against ~0.5-0.8 for
 * tfjs-backend-cpu's matMul), the softmax steps as loops over the arena. The arena is kept between calls up to a few
 * MiB, so that small calls do not allocate.
 */
import { JsGemm } from '@seqmodel/backend-tfjs/fused';
import type { Block, FlashEngine } from './flash-engine.js';

/** Arenas up to this many floats (16 MiB) are kept for the next call. */
const KEPT_ARENA = 1 << 22;

export class JsFlashEngine implements FlashEngine {
  readonly name = 'js';
  private readonly gemm = new JsGemm();
  private kept = new Float32Array(0);
  /** The arena of the current call (the last one `arena` returned). */
  private x = this.kept;

  peakArenaBytes = 0;

  arena(floats: number): Float32Array {
    this.peakArenaBytes = Math.max(this.peakArenaBytes, floats * 4);
    this.x = floats <= this.kept.length ? this.kept : new Float32Array(floats);
    if (this.x.length <= KEPT_ARENA) this.kept = this.x;
    return this.x;
  }

  private host(block: Block) {
    return { data: this.x, ...block };
  }

  product(a: Block, transposeA: boolean, b: Block, c: Block, accumulate: boolean): void {
    this.gemm.multiply(this.host(a), transposeA, this.host(b), false, this.host(c), accumulate);
  }

  addToRows(s: Block, vector: number): void {
    const x = this.x;
    for (let r = 0; r < s.rows; r++) {
      const row = s.offset + r * s.stride;
      for (let c = 0; c < s.cols; c++) x[row + c]! += x[vector + c]!;
    }
  }

  add(s: Block, t: Block): void {
    const x = this.x;
    for (let r = 0; r < s.rows; r++) {
      const row = s.offset + r * s.stride;
      const other = t.offset + r * t.stride;
      for (let c = 0; c < s.cols; c++) x[row + c]! += x[other + c]!;
    }
  }

  multiply(out: Block, a: Block, b: Block): void {
    const x = this.x;
    for (let r = 0; r < out.rows; r++) {
      const o = out.offset + r * out.stride;
      const ra = a.offset + r * a.stride;
      const rb = b.offset + r * b.stride;
      for (let c = 0; c < out.cols; c++) x[o + c] = x[ra + c]! * x[rb + c]!;
    }
  }

  scaleRows(s: Block, factors: number): void {
    const x = this.x;
    for (let r = 0; r < s.rows; r++) {
      const row = s.offset + r * s.stride;
      const f = x[factors + r]!;
      for (let c = 0; c < s.cols; c++) x[row + c]! *= f;
    }
  }

  softmaxStep(s: Block, m: number, l: number, alpha: number): void {
    const x = this.x;
    for (let r = 0; r < s.rows; r++) {
      const row = s.offset + r * s.stride;
      const old = x[m + r]!;
      let max = old;
      for (let c = 0; c < s.cols; c++) if (x[row + c]! > max) max = x[row + c]!;
      // A row with no allowed key yet subtracts 0, so that -Infinity - shift stays -Infinity (not NaN).
      const shift = max === Number.NEGATIVE_INFINITY ? 0 : max;
      let sum = 0;
      for (let c = 0; c < s.cols; c++) {
        const e = Math.exp(x[row + c]! - shift);
        x[row + c] = e;
        sum += e;
      }
      const a = Math.exp(old - shift);
      x[alpha + r] = a;
      x[l + r] = a * x[l + r]! + sum;
      x[m + r] = max;
    }
  }

  expShifted(s: Block, shifts: number): void {
    const x = this.x;
    for (let r = 0; r < s.rows; r++) {
      const row = s.offset + r * s.stride;
      const shift = x[shifts + r]!;
      for (let c = 0; c < s.cols; c++) x[row + c] = Math.exp(x[row + c]! - shift);
    }
  }

  softmaxGradient(dp: Block, p: Block, keep: Block | undefined, d: number): void {
    const x = this.x;
    for (let r = 0; r < dp.rows; r++) {
      const row = dp.offset + r * dp.stride;
      const pr = p.offset + r * p.stride;
      const dr = x[d + r]!;
      if (keep) {
        const kr = keep.offset + r * keep.stride;
        for (let c = 0; c < dp.cols; c++) x[row + c] = x[pr + c]! * (x[row + c]! * x[kr + c]! - dr);
      } else {
        for (let c = 0; c < dp.cols; c++) x[row + c] = x[pr + c]! * (x[row + c]! - dr);
      }
    }
  }
}
