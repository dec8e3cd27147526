import { describe, expect, it } from 'vitest';
import { expectProductClose, randomFloats, randomOperand, referenceProduct } from '../testing/gemm-checks.js';
import { columns, hostMatrix } from './gemm.js';
import { JsGemm } from './js-gemm.js';

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
          const a = randomOperand(m, k, tA, 'a');
          const b = randomOperand(k, n, tB, 'b');
          const c = hostMatrix(new Float32Array(m * n).fill(Number.NaN), m, n);
          gemm.multiply(a, tA, b, tB, c, false);
          expectProductClose(c, referenceProduct(a, tA, b, tB), k);
        });
      }
    }
  }

  it('accumulates into c, and reuses a prepared operand', () => {
    const [m, k, n] = [6, 270, 11];
    const a = hostMatrix(randomFloats(m * k, 'a'), m, k);
    const bValues = randomFloats(n * k, 'b');
    const prepared = gemm.prepare(hostMatrix(bValues, n, k), true);
    expect([prepared.rows, prepared.cols]).toEqual([k, n]);
    const start = randomFloats(m * n, 'c');
    const c = hostMatrix(Float32Array.from(start), m, n);
    gemm.multiplyPrepared(a, prepared, c, true);
    gemm.multiplyPrepared(a, prepared, c, true);
    const product = referenceProduct(a, false, hostMatrix(bValues, n, k), true);
    expectProductClose(
      c,
      product.map((v, i) => start[i]! + 2 * v),
      k,
    );
    gemm.release(prepared);
  });

  it('reads and writes blocks of columns (strided rows) and leaves the rest of c alone', () => {
    const [m, k, n] = [7, 9, 5];
    const wide = hostMatrix(randomFloats(m * 20, 'a'), m, 20);
    const a = columns(wide, 3, k);
    const bWide = hostMatrix(randomFloats(k * 12, 'b'), k, 12);
    const b = columns(bWide, 6, n);
    const cData = new Float32Array(m * 16).fill(7);
    const c = columns(hostMatrix(cData, m, 16), 4, n);
    gemm.multiply(a, false, b, false, c, false);
    expectProductClose(c, referenceProduct(a, false, b, false), k);
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
