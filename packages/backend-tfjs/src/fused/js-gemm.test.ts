import { describe, expect, it } from 'vitest';
import {
  expectProductClose,
  gemmProviderChecks,
  randomFloats,
  randomOperand,
  referenceProduct,
} from '../testing/gemm-checks.js';
import { hostMatrix } from './gemm.js';
import { JsGemm } from './js-gemm.js';

describe('JsGemm', () => {
  const gemm = new JsGemm();
  for (const check of gemmProviderChecks(gemm)) it(check.name, check.run);

  // JsGemm packs op(a) 128 rows at a time and op(b) in blocks of 256 deep by 4,096 columns.
  describe('across its blocks', () => {
    for (const check of gemmProviderChecks(gemm, [
      [133, 7, 6],
      [5, 3, 4_101],
    ])) {
      it(check.name, check.run);
    }

    it('multiplies by a prepared operand of more than one block in depth and in columns', () => {
      // Five rows: whole 4 x 4 tiles past the first column block, not only edge tiles.
      const [m, k, n] = [5, 257, 4_097];
      for (const transpose of [false, true]) {
        const a = randomOperand(m, k, false, 'a');
        const b = randomOperand(k, n, transpose, 'b');
        const prepared = gemm.prepare(b, transpose);
        const start = randomFloats(m * n, 'c');
        const c = hostMatrix(Float32Array.from(start), m, n);
        gemm.multiplyPrepared(a, prepared, c, true);
        expectProductClose(
          c,
          referenceProduct(a, false, b, transpose).map((v, i) => start[i]! + v),
          k,
        );
      }
    });
  });

  it('sums each element in order in float64 and adds it to c (float32) once per 256-deep block, at the edges too', () => {
    // Whole tiles and the tiles that stick out of c ([7, 13] is neither 4 rows nor 4 columns a whole number of times)
    // round alike, so a product does not depend on where its tiles fall.
    const [m, k, n] = [7, 300, 13];
    for (const accumulate of [false, true]) {
      const a = randomOperand(m, k, false, 'a');
      const b = randomOperand(k, n, false, 'b');
      const start = randomFloats(m * n, 'c');
      const c = hostMatrix(Float32Array.from(start), m, n);
      gemm.multiply(a, false, b, false, c, accumulate);
      const expected = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let value = accumulate ? start[i * n + j]! : 0;
          for (let block = 0; block < k; block += 256) {
            let sum = 0;
            for (let p = block; p < Math.min(k, block + 256); p++)
              sum += a.data[i * k + p]! * b.data[p * n + j]!;
            value = Math.fround(value + sum);
          }
          expected[i * n + j] = value;
        }
      }
      expect(c.data).toEqual(expected);
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
