import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from './backend-switching.js';
import { JsGemm } from './fused/js-gemm.js';
import { createTfjsBackend, type TfjsBackend } from './tfjs-backend.js';

await initTfjsBackend('cpu');
// One tfjs backend, products through seqmodel's GEMM and through tfjs's kernel.
const host = createTfjsBackend({ name: 'host', tfjsBackendName: 'cpu', hostMatMul: new JsGemm() });
const plain = createTfjsBackend({ name: 'plain', tfjsBackendName: 'cpu' });

function values(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + 1) * scale);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A loss weighing every element of the product differently, so that a misplaced gradient shows. */
function weightedSum(b: TfjsBackend, p: tf.Tensor): tf.Tensor {
  const shape = b.shape(p);
  return b.sum(b.mul(p, b.tensor(values(size(shape), 0.5), shape)));
}

interface ProductCase {
  readonly name: string;
  readonly a: number[];
  readonly b: number[];
  readonly ta: boolean;
  readonly tb: boolean;
}

// Every transpose combination, rank 2 and batched rank 3; sizes off the 4 x 4 tile, a depth past one 256-deep
// block, single rows and columns.
const cases: ProductCase[] = [];
for (const [ta, tb] of [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const) {
  const flags = `${ta ? 'aᵀ' : 'a'}·${tb ? 'bᵀ' : 'b'}`;
  const shape2 = (rows: number, cols: number, t: boolean) => (t ? [cols, rows] : [rows, cols]);
  for (const [m, k, n] of [
    [1, 1, 1],
    [5, 7, 3],
    [17, 33, 9],
    [6, 300, 11],
    [1, 12, 40],
  ] as const) {
    cases.push({
      name: `${flags} [${m}, ${k}]·[${k}, ${n}]`,
      a: shape2(m, k, ta),
      b: shape2(k, n, tb),
      ta,
      tb,
    });
  }
  cases.push({
    name: `${flags} batched [3, 9, 5]·[3, 5, 10]`,
    a: [3, ...shape2(9, 5, ta)],
    b: [3, ...shape2(5, 10, tb)],
    ta,
    tb,
  });
}

/** The product and the gradients of a weighted sum of it, through backend `b`. */
function run(b: TfjsBackend, c: ProductCase) {
  const a = b.tensor(values(size(c.a)), c.a);
  const y = b.tensor(values(size(c.b), 0.3), c.b);
  const p = b.matMul(a, y, c.ta, c.tb);
  const forward = { shape: b.shape(p), values: b.dataSync(p) };
  const { value, grads } = b.valueAndGrads((x, z) => weightedSum(b, b.matMul(x!, z!, c.ta, c.tb)), [a, y]);
  const result = { forward, grads: grads.map((g) => ({ shape: b.shape(g), values: b.dataSync(g) })) };
  b.dispose([a, y, p, value, ...grads]);
  return result;
}

/** |x - y| <= 1e-5 · (1 + |y|) elementwise: float32 sums of up to 300 terms of size ~1, in another order. */
function expectClose(what: string, x: Float32Array | Int32Array, y: Float32Array | Int32Array): void {
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < y.length; i++) {
    if (Math.abs(x[i]! - y[i]!) > 1e-5 * (1 + Math.abs(y[i]!))) {
      expect.fail(`${what}[${i}]: ${x[i]} vs tfjs ${y[i]}`);
    }
  }
}

describe("matMul through seqmodel's GEMM agrees with tfjs's, values and gradients", () => {
  for (const c of cases) {
    it(c.name, () => {
      const before = host.memory().numTensors;
      const ours = run(host, c);
      const theirs = run(plain, c);
      expect(ours.forward.shape).toEqual(theirs.forward.shape);
      expectClose('product', ours.forward.values, theirs.forward.values);
      for (const i of [0, 1]) {
        expect(ours.grads[i]!.shape).toEqual(i === 0 ? c.a : c.b);
        expectClose(`gradient ${i}`, ours.grads[i]!.values, theirs.grads[i]!.values);
      }
      expect(host.memory().numTensors).toBe(before);
    });
  }
});

describe("matMul's gradient through the GEMM against finite differences", () => {
  // The loss is linear in each operand, so a central difference is exact up to rounding: with steps of 1e-2 on
  // values ~1 the float32 loss (~10) carries errors ~1e-6, divided by 2e-2: ~1e-4. Tolerance 2e-3.
  for (const c of cases.filter((x) => size(x.a) <= 60 && size(x.b) <= 60)) {
    it(c.name, () => {
      const { grads } = run(host, c);
      const loss = (av: Float32Array, bv: Float32Array) => {
        const [a, y] = [host.tensor(av, c.a), host.tensor(bv, c.b)];
        const l = weightedSum(host, host.matMul(a, y, c.ta, c.tb));
        const v = host.dataSync(l)[0]!;
        host.dispose([a, y, l]);
        return v;
      };
      const base = [values(size(c.a)), values(size(c.b), 0.3)] as const;
      for (const which of [0, 1] as const) {
        for (let i = 0; i < base[which].length; i++) {
          const plus = base.map((v) => v.slice()) as [Float32Array, Float32Array];
          const minus = base.map((v) => v.slice()) as [Float32Array, Float32Array];
          plus[which][i]! += 1e-2;
          minus[which][i]! -= 1e-2;
          const numeric = (loss(...plus) - loss(...minus)) / 2e-2;
          expect(Math.abs(grads[which]!.values[i]! - numeric), `operand ${which}, element ${i}`).toBeLessThan(
            2e-3,
          );
        }
      }
    });
  }
});

describe('picks the fast path', () => {
  it('runs no tfjs BatchMatMul kernel, forward or backward, and leaves int32 products to tfjs', async () => {
    const a = host.tensor(values(12), [3, 4]);
    const b = host.tensor(values(20), [4, 5]);
    const forward = await tf.profile(() => host.matMul(a, b, false, false));
    expect(forward.kernelNames).not.toContain('BatchMatMul');
    const backward = await tf.profile(() => {
      const { value, grads } = host.valueAndGrads((x, y) => host.sum(host.matMul(x!, y!)), [a, b]);
      return [value, ...grads];
    });
    expect(backward.kernelNames).not.toContain('BatchMatMul');
    const viaTfjs = await tf.profile(() => plain.matMul(a, b));
    expect(viaTfjs.kernelNames).toContain('BatchMatMul');
    const ints = host.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const intProduct = await tf.profile(() => host.matMul(ints, ints));
    expect(intProduct.kernelNames).toContain('BatchMatMul');
    expect(host.toArray(host.matMul(ints, ints))).toEqual([
      [7, 10],
      [15, 22],
    ]);
    tf.dispose([a, b, ints]);
  });

  it('checks shapes before multiplying, as the tfjs path does', () => {
    const a = host.tensor(values(6), [2, 3]);
    expect(() => host.matMul(a, a)).toThrow('matMul(a, b): expected equal inner sizes');
    expect(host.dataSync(host.matMul(a, a, false, true)).length).toBe(4);
    a.dispose();
  });
});
