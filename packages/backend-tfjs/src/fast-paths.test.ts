import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from './backend-switching.js';
import { copyBlock } from './host-layout-kernels.js';
import { createTfjsBackend } from './tfjs-backend.js';

await initTfjsBackend('cpu');
// The same tfjs backend through seqmodel's layout kernels and through tfjs's: they must agree exactly.
const host = createTfjsBackend({ name: 'host', tfjsBackendName: 'cpu', hostKernels: true });
const plain = createTfjsBackend({ name: 'plain', tfjsBackendName: 'cpu' });
const explicit = createTfjsBackend({ name: 'explicit', tfjsBackendName: 'cpu', explicitTransposes: true });

function values(shape: number[]): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + 1) * 10);
}

describe('copyBlock', () => {
  it('copies a block between tensors of different shapes', () => {
    // [3, 4] source, block at [1, 1] of size [2, 2] into [2, 3] at [0, 1].
    const src = Float32Array.from({ length: 12 }, (_, i) => i);
    const dst = new Float32Array(6);
    copyBlock(src, [3, 4], [1, 1], dst, [2, 3], [0, 1], [2, 2]);
    expect(Array.from(dst)).toEqual([0, 5, 6, 0, 9, 10]);
  });

  it('handles scalars, empty blocks and long merged runs', () => {
    const scalar = new Float32Array(1);
    copyBlock(Float32Array.of(7), [], [], scalar, [], [], []);
    expect(scalar[0]).toBe(7);
    const untouched = new Float32Array(2);
    copyBlock(Float32Array.of(1, 2), [2], [0], untouched, [2], [0], [0]);
    expect(Array.from(untouched)).toEqual([0, 0]);
    const big = Float32Array.from({ length: 2 * 3 * 40 }, (_, i) => i);
    const out = new Float32Array(3 * 40);
    copyBlock(big, [2, 3, 40], [1, 0, 0], out, [1, 3, 40], [0, 0, 0], [1, 3, 40]);
    expect(out[0]).toBe(120);
    expect(out[119]).toBe(239);
  });
});

describe('host layout kernels agree with tfjs, values and gradients', () => {
  type Case = [string, number[], (b: typeof host, x: tf.Tensor) => tf.Tensor | tf.Tensor[]];
  const cases: Case[] = [
    ['slice rank 1', [7], (b, x) => b.slice(x, [2], [3])],
    ['slice gate of [5, 12]', [5, 12], (b, x) => b.slice(x, [0, 4], [-1, 4])],
    ['slice rank 3 middle', [3, 4, 5], (b, x) => b.slice(x, [1, 1, 2], [2, 2, -1])],
    ['slice rank 4', [2, 3, 2, 4], (b, x) => b.slice(x, [1, 0, 1, 1], [1, 3, 1, 2])],
    ['slice everything', [2, 3], (b, x) => b.slice(x, [0, 0], [-1, -1])],
    ['unstack axis 0', [3, 2, 4], (b, x) => b.unstack(x, 0)],
    ['unstack axis 1', [3, 5, 4], (b, x) => b.unstack(x, 1)],
    ['unstack last axis', [3, 4], (b, x) => b.unstack(x, -1)],
    ['unstack a single step', [2, 1, 3], (b, x) => b.unstack(x, 1)],
    ['stack axis 1', [3, 4], (b, x) => b.stack(b.unstack(x, 0), 1)],
    ['stack last axis', [3, 4], (b, x) => b.stack([x, b.mul(x, 2)], -1)],
    ['stack axis 0 of one', [3, 4], (b, x) => b.stack([x], 0)],
  ];

  for (const [name, shape, op] of cases) {
    it(name, () => {
      const results = [host, plain].map((b) => {
        const x = b.tensor(values(shape), shape);
        const forward = b.tidy(() => {
          const r = op(b, x);
          return (Array.isArray(r) ? r : [r]).map((t) => ({
            shape: b.shape(t),
            values: Array.from(b.dataSync(t)),
          }));
        });
        // A loss that weighs every output element differently, so that misplaced gradients show.
        const { value, grads } = b.valueAndGrads(
          (t) => {
            const r = op(b, t!);
            return (Array.isArray(r) ? r : [r]).reduce(
              (acc, part, i) => {
                const w = b.tensor(
                  values(b.shape(part)).map((v) => v + i),
                  b.shape(part),
                );
                return b.add(acc, b.sum(b.mul(part, w)));
              },
              b.fill([], 0),
            );
          },
          [x],
        );
        const gradient = Array.from(b.dataSync(grads[0]!));
        b.dispose([x, value, ...grads]);
        return { forward, gradient };
      });
      expect(results[0]).toEqual(results[1]);
    });
  }

  it('keeps int32 tensors int32', () => {
    const x = host.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      undefined,
      'int32',
    );
    const parts = host.unstack(x, 1);
    const sliced = host.slice(x, [0, 1], [2, 1]);
    expect(parts.map((p) => host.dtype(p))).toEqual(['int32', 'int32', 'int32']);
    expect(host.toArray(host.stack(parts, 0))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(host.toArray(sliced)).toEqual([[2], [5]]);
    tf.dispose([x, sliced, ...parts]);
  });

  it("leaves tfjs kernels alone: tf.slice still runs tfjs's Slice", async () => {
    const x = tf.tensor([1, 2, 3]);
    const profile = await tf.profile(() => tf.slice(x, [1], [1]));
    expect(profile.kernelNames).toEqual(['Slice']);
    const ours = await tf.profile(() => host.slice(x, [1], [1]));
    expect(ours.kernelNames).toEqual(['SeqmodelSlice']);
    x.dispose();
  });
});

describe("explicit transposes agree with tfjs's transposed products, values and gradients", () => {
  const shapes: [string, number[], number[], boolean, boolean][] = [
    ['a·b', [3, 4], [4, 5], false, false],
    ['aᵀ·b', [4, 3], [4, 5], true, false],
    ['a·bᵀ', [3, 4], [5, 4], false, true],
    ['aᵀ·bᵀ', [4, 3], [5, 4], true, true],
    ['batched aᵀ·bᵀ', [2, 4, 3], [2, 5, 4], true, true],
  ];
  for (const [name, shapeA, shapeB, ta, tb] of shapes) {
    it(name, () => {
      const [ours, theirs] = [explicit, plain].map((b) => {
        const a = b.tensor(values(shapeA), shapeA);
        const c = b.tensor(
          values(shapeB).map((v) => v / 3),
          shapeB,
        );
        const product = b.matMul(a, c, ta, tb);
        const forward = Array.from(b.dataSync(product));
        const { value, grads } = b.valueAndGrads(
          (x, y) => {
            const p = b.matMul(x!, y!, ta, tb);
            return b.sum(b.mul(p, b.tensor(values(b.shape(p)), b.shape(p))));
          },
          [a, c],
        );
        const result = { forward, grads: grads.map((g) => Array.from(b.dataSync(g))) };
        b.dispose([a, c, product, value, ...grads]);
        return result;
      });
      // The same products in another order of summation: equal to float32 rounding.
      const close = (x: number[], y: number[]) => {
        for (const [i, v] of x.entries()) expect(v).toBeCloseTo(y[i]!, 3);
      };
      close(ours!.forward, theirs!.forward);
      for (const [i, g] of ours!.grads.entries()) close(g, theirs!.grads[i]!);
    });
  }
});
