import { describe, expect, it } from 'vitest';
import { batchMatMul, batchNormalize, l2Normalize, rsqrt, variance } from './derived-ops.js';
import { createReferenceBackend } from './reference/reference-backend.js';
import { createRng } from './rng.js';

const ref = createReferenceBackend();

/** `[..., m, k]·[..., k, n]` by explicit loops over flat arrays (independent of the reference's matMul). */
function loopProduct(a: Float64Array, b: Float64Array, batch: number, m: number, k: number, n: number) {
  const out = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[p * m * k + i * k + q]! * b[p * k * n + q * n + j]!;
        out[p * m * n + i * n + j] = s;
      }
  return out;
}

function random(n: number, seed: string): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('batchMatMul', () => {
  it('multiplies rank-4 operands over both leading axes, with transposes', () => {
    const a = random(2 * 3 * 4 * 5, 'a');
    const b = random(2 * 3 * 5 * 6, 'b');
    const expected = loopProduct(a, b, 6, 4, 5, 6);
    const ta = ref.tensor(a, [2, 3, 4, 5]);
    const tb = ref.tensor(b, [2, 3, 5, 6]);
    const plain = batchMatMul(ref, ta, tb);
    expect(ref.shape(plain)).toEqual([2, 3, 4, 6]);
    expect(Array.from(ref.toFloat64(plain))).toEqual(Array.from(expected));
    // The same product from transposed storage of each operand.
    const aT = ref.transpose(ta, [0, 1, 3, 2]);
    const bT = ref.transpose(tb, [0, 1, 3, 2]);
    const both = batchMatMul(ref, aT, bT, true, true);
    expect(Array.from(ref.toFloat64(both))).toEqual(Array.from(expected));
  });

  it('applies a shared rank-2 right operand to every batch entry', () => {
    const a = random(2 * 3 * 4, 'x');
    const w = random(4 * 5, 'w');
    const y = batchMatMul(ref, ref.tensor(a, [2, 3, 4]), ref.tensor(w, [4, 5]));
    expect(ref.shape(y)).toEqual([2, 3, 5]);
    const tiled = new Float64Array(6 * 20);
    for (let p = 0; p < 6; p++) tiled.set(w, p * 20);
    expect(Array.from(ref.toFloat64(y))).toEqual(Array.from(loopProduct(a, tiled, 6, 1, 4, 5)));
  });

  it('names the operands and both shapes on a mismatch', () => {
    const a = ref.fill([2, 3, 4, 5], 1);
    expect(() => batchMatMul(ref, a, ref.fill([2, 3, 6, 5], 1))).toThrow(
      'batchMatMul(a, b): expected equal inner sizes (5 vs 6), received shapes [2, 3, 4, 5] and [2, 3, 6, 5]',
    );
    expect(() => batchMatMul(ref, a, ref.fill([3, 2, 5, 5], 1))).toThrow(
      'batchMatMul(a, b): expected the same leading (batch) axes on both, or a rank-2 right-hand operand, received shapes [2, 3, 4, 5] and [3, 2, 5, 5]',
    );
    expect(() => batchMatMul(ref, ref.fill([5], 1), a)).toThrow('tensors of rank 2 or more');
  });
});

describe('variance and rsqrt', () => {
  it('computes the population variance along an axis', () => {
    const x = ref.tensor([
      [1, 2, 3, 6],
      [2, 2, 2, 2],
    ]);
    // Row 0: mean 3, squared deviations 4, 1, 0, 9 → 14 / 4.
    expect(ref.toArray(variance(ref, x, -1))).toEqual([3.5, 0]);
    expect(ref.shape(variance(ref, x, 1, true))).toEqual([2, 1]);
    expect(ref.toArray(variance(ref, x))).toBeCloseTo(2, 12);
  });

  it('computes 1 / sqrt(x)', () => {
    expect(ref.toArray(rsqrt(ref, ref.tensor([4, 0.25])))).toEqual([0.5, 2]);
  });
});

describe('batchNormalize', () => {
  it('normalizes, scales and shifts with broadcast statistics, as (x − mean) / sqrt(var + eps) · scale + offset', () => {
    const x = random(12, 'bn x');
    const [mu, v, g, o] = [random(4, 'mu'), random(4, 'v').map(Math.abs), random(4, 'g'), random(4, 'o')];
    const t = (a: Float64Array, shape: number[]) => ref.tensor(a, shape);
    const y = ref.toFloat64(
      batchNormalize(ref, t(x, [3, 4]), t(mu, [4]), t(v, [4]), 1e-3, t(g, [4]), t(o, [4])),
    );
    const bare = ref.toFloat64(batchNormalize(ref, t(x, [3, 4]), t(mu, [4]), t(v, [4]), 0.5));
    x.forEach((xi, i) => {
      const f = i % 4;
      expect(y[i]).toBeCloseTo(((xi - mu[f]!) / Math.sqrt(v[f]! + 1e-3)) * g[f]! + o[f]!, 12);
      expect(bare[i]).toBeCloseTo((xi - mu[f]!) / Math.sqrt(v[f]! + 0.5), 12);
    });
  });
});

describe('l2Normalize', () => {
  it('divides by the norm along the axis, bounded below by epsilon', () => {
    // Normalized along axis 1 and along axis 0; the second row is zero (divided by epsilon: zeros).
    const x = ref.tensor([
      [3, 0, 4],
      [0, 0, 0],
    ]);
    expect(ref.toArray(l2Normalize(ref, x, 1))).toEqual([
      [0.6, 0, 0.8],
      [0, 0, 0],
    ]);
    expect(ref.toArray(l2Normalize(ref, x, 0))).toEqual([
      [1, 0, 1],
      [0, 0, 0],
    ]);
    // Over both axes: the norm of the whole matrix, 5.
    expect(ref.toArray(l2Normalize(ref, x, [0, 1]))).toEqual([
      [0.6, 0, 0.8],
      [0, 0, 0],
    ]);
    // Below epsilon the divisor is epsilon: 1e-9 / 1e-7.
    const tiny = ref.tensor([[1e-9, 0]]);
    expect((ref.toArray(l2Normalize(ref, tiny, 1)) as number[][])[0]![0]).toBeCloseTo(1e-2, 12);
    expect((ref.toArray(l2Normalize(ref, tiny, 1, 1e-12)) as number[][])[0]![0]).toBeCloseTo(1, 12);
  });
});
