import { expect, it } from 'vitest';
import { hostMatrix } from '../gemm.js';
import { JsGemm } from '../js-gemm.js';
import { onesProduct } from './compiled-run.js';

/** Values with a fraction, seeded by position, so that sums round. */
const values = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(seed + 1.3 * i) * 7);

it('onesProduct: row sums and repeated columns, as JsGemm multiplies by ones, in strided rows, replacing and adding', () => {
  const gemm = new JsGemm();
  // [3, 5] rows inside a wider array (stride 8, from offset 2), by a column [5, 1]; as [3, 1], by a row [1, 4]; and
  // by a whole matrix of ones [5, 2] (a step's own ones: every column the row's sum).
  const cases = [
    { a: [3, 5, 2, 8], ones: [5, 1] },
    { a: [3, 1, 1, 3], ones: [1, 4] },
    { a: [3, 5, 2, 8], ones: [5, 2] },
  ] as const;
  for (const {
    a: [rows, cols, offset, stride],
    ones,
  } of cases) {
    const a = hostMatrix(values(offset + rows * stride, rows + cols), rows, cols, offset, stride);
    const one = hostMatrix(new Float32Array(ones[0] * ones[1]).fill(1), ones[0], ones[1]);
    for (const accumulate of [false, true]) {
      const n = ones[1];
      // Each result [rows, n] inside a wider array too (stride n + 2, from offset 1), starting from the same values.
      const start = values(1 + rows * (n + 2), 9);
      const viaGemm = hostMatrix(start.slice(), rows, n, 1, n + 2);
      const viaOnes = hostMatrix(start.slice(), rows, n, 1, n + 2);
      gemm.multiply(a, false, one, false, viaGemm, accumulate);
      onesProduct(a, viaOnes, accumulate);
      expect([...viaOnes.data]).toEqual([...viaGemm.data]);
    }
  }
});
