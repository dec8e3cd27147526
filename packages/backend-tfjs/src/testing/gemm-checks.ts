/**
 * What the tests of a `GemmProvider` (`JsGemm`, backend-wasm's `XnnpackGemm`) compare against: random operands, the
 * product in float64, and a float32 tolerance.
 */
import { createRng } from '@seqmodel/core';
import { type HostMatrix, hostMatrix } from '../fused/gemm.js';

/** `n` standard normal values, seeded. */
export function randomFloats(n: number, seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** A random operand whose op (transposed when asked) is `[rows, cols]`: stored `[cols, rows]` when transposed. */
export function randomOperand(rows: number, cols: number, transpose: boolean, seed: string): HostMatrix {
  const data = randomFloats(rows * cols, seed);
  return transpose ? hostMatrix(data, cols, rows) : hostMatrix(data, rows, cols);
}

function at(m: HostMatrix, i: number, j: number, transpose: boolean): number {
  return transpose ? m.data[m.offset + j * m.stride + i]! : m.data[m.offset + i * m.stride + j]!;
}

/** op(a)·op(b) in float64, row-major `[m, n]`: the reference for the products. */
export function referenceProduct(a: HostMatrix, tA: boolean, b: HostMatrix, tB: boolean): Float64Array {
  const m = tA ? a.cols : a.rows;
  const k = tA ? a.rows : a.cols;
  const n = tB ? b.rows : b.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(a, i, p, tA) * at(b, p, j, tB);
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Throws unless `c` is within float32 rounding of `expected` (`[rows, cols]`, row-major) for inner size `k`. */
export function expectProductClose(c: HostMatrix, expected: ArrayLike<number>, k: number): void {
  // float32 inputs and results (accumulated in float32 or float64): error well under 1e-6 * sqrt(k) per unit
  // magnitude.
  const tolerance = 4e-6 * Math.sqrt(k);
  for (let i = 0; i < c.rows; i++) {
    for (let j = 0; j < c.cols; j++) {
      const actual = c.data[c.offset + i * c.stride + j]!;
      const e = expected[i * c.cols + j]!;
      // Written so that NaN fails too.
      if (!(Math.abs(actual - e) <= tolerance * (1 + Math.abs(e)))) {
        throw new Error(`c[${i}, ${j}] = ${actual}, expected ${e}`);
      }
    }
  }
}
