import { createRng } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { columns, type HostMatrix, hostMatrix } from './gemm.js';
import { JsGemm } from './js-gemm.js';

function random(n: number, seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

function at(m: HostMatrix, i: number, j: number, transpose: boolean): number {
  return transpose ? m.data[m.offset + j * m.stride + i]! : m.data[m.offset + i * m.stride + j]!;
}

/** op(a)·op(b) in float64, the reference for the products. */
function reference(a: HostMatrix, tA: boolean, b: HostMatrix, tB: boolean): Float64Array {
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

function expectClose(c: HostMatrix, expected: ArrayLike<number>, k: number): void {
  // float32 inputs, float64 accumulation per 256-deep block: error well under 1e-6 * sqrt(k) per unit magnitude.
  const tolerance = 1e-6 * Math.sqrt(k) * 4;
  for (let i = 0; i < c.rows; i++) {
    for (let j = 0; j < c.cols; j++) {
      const actual = c.data[c.offset + i * c.stride + j]!;
      const e = expected[i * c.cols + j]!;
      if (Math.abs(actual - e) > tolerance * (1 + Math.abs(e))) {
        throw new Error(`c[${i}, ${j}] = ${actual}, expected ${e}`);
      }
    }
  }
}

describe('JsGemm', () => {
  const gemm = new JsGemm();
  // Sizes around the 4 x 8 tile and the 256-deep block, including 1 and sizes that are not multiples of either.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 8],
    [5, 9, 13],
    [32, 128, 512],
    [13, 300, 17],
    [64, 513, 40],
  ];

  for (const [m, k, n] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`multiplies [${m}, ${k}]·[${k}, ${n}] (transposeA ${tA}, transposeB ${tB})`, () => {
          const a = tA ? hostMatrix(random(k * m, 'a'), k, m) : hostMatrix(random(m * k, 'a'), m, k);
          const b = tB ? hostMatrix(random(n * k, 'b'), n, k) : hostMatrix(random(k * n, 'b'), k, n);
          const c = hostMatrix(new Float32Array(m * n).fill(Number.NaN), m, n);
          gemm.multiply(a, tA, b, tB, c, false);
          expectClose(c, reference(a, tA, b, tB), k);
        });
      }
    }
  }

  it('accumulates into c, and reuses a prepared operand', () => {
    const [m, k, n] = [6, 270, 11];
    const a = hostMatrix(random(m * k, 'a'), m, k);
    const bValues = random(n * k, 'b');
    const prepared = gemm.prepare(hostMatrix(bValues, n, k), true);
    expect([prepared.rows, prepared.cols]).toEqual([k, n]);
    const start = random(m * n, 'c');
    const c = hostMatrix(Float32Array.from(start), m, n);
    gemm.multiplyPrepared(a, prepared, c, true);
    gemm.multiplyPrepared(a, prepared, c, true);
    const product = reference(a, false, hostMatrix(bValues, n, k), true);
    expectClose(
      c,
      product.map((v, i) => start[i]! + 2 * v),
      k,
    );
    gemm.release(prepared);
  });

  it('reads and writes blocks of columns (strided rows) and leaves the rest of c alone', () => {
    const [m, k, n] = [7, 9, 5];
    const wide = hostMatrix(random(m * 20, 'a'), m, 20);
    const a = columns(wide, 3, k);
    const bWide = hostMatrix(random(k * 12, 'b'), k, 12);
    const b = columns(bWide, 6, n);
    const cData = new Float32Array(m * 16).fill(7);
    const c = columns(hostMatrix(cData, m, 16), 4, n);
    gemm.multiply(a, false, b, false, c, false);
    expectClose(c, reference(a, false, b, false), k);
    for (let i = 0; i < m; i++) {
      for (const j of [0, 3, 9, 15]) expect(cData[i * 16 + j]).toBe(7);
    }
  });

  it('refuses products whose shapes do not fit (a driver bug, not user input)', () => {
    const a = hostMatrix(new Float32Array(6), 2, 3);
    const b = hostMatrix(new Float32Array(8), 4, 2);
    expect(() => gemm.multiply(a, false, b, false, hostMatrix(new Float32Array(4), 2, 2), false)).toThrow(
      'fused kernel product: [2, 3]·[4, 2] into [2, 2] (internal error)',
    );
  });
});
