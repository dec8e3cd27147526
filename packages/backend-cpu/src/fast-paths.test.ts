/**
 * The default backend's speed pieces beyond the recurrent kernels: every matrix product through seqmodel's GEMM
 * and an Embedding's gradient through a host scatter-add, instead of tfjs-backend-cpu's `BatchMatMul` (~0.5-0.8
 * GFLOP/s) and `UnsortedSegmentSum` (its cost grows with the vocabulary). Each must agree with tfjs's own path on
 * the same tfjs backend; the timings are `bench layers`' business.
 */
import { createTfjsBackend, JsGemm } from '@seqmodel/backend-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

const cpu = createCpuBackend();
// tfjs's kernels on the same tfjs backend: the reference for values and gradients.
const tfjsPath = createTfjsBackend({ name: 'tfjs-path', tfjsBackendName: 'cpu' });

function values(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.9 + 0.3) * scale);
}

describe('createCpuBackend picks the fast paths', () => {
  it('multiplies with JsGemm and differentiates gather on the host', () => {
    expect(cpu.hostMatMul).toBeInstanceOf(JsGemm);
    expect(cpu.hostGatherGradient).toBe(true);
    expect(tfjsPath.hostMatMul).toBeUndefined();
    expect(tfjsPath.hostGatherGradient).toBe(false);
  });

  it('runs neither BatchMatMul nor UnsortedSegmentSum in a Dense and Embedding training step', async () => {
    const table = cpu.tensor(values(50 * 8), [50, 8]);
    const kernel = cpu.tensor(values(8 * 6, 0.5), [8, 6]);
    const ids = cpu.tensor([3, 7, 3, 49, 0, 12], [2, 3], 'int32');
    const step = (b: typeof cpu) => () => {
      const { value, grads } = b.valueAndGrads(
        (t, w) => {
          const embedded = b.reshape(b.gather(t!, ids, 0), [6, 8]);
          return b.sum(b.tanh(b.matMul(embedded, w!)));
        },
        [table, kernel],
      );
      return [value, ...grads];
    };
    const ours = await tf.profile(step(cpu));
    expect(ours.kernelNames).not.toContain('BatchMatMul');
    expect(ours.kernelNames).not.toContain('UnsortedSegmentSum');
    const theirs = await tf.profile(step(tfjsPath));
    expect(theirs.kernelNames).toContain('BatchMatMul');
    expect(theirs.kernelNames).toContain('UnsortedSegmentSum');
    tf.dispose([table, kernel, ids, ...(ours.result as tf.Tensor[]), ...(theirs.result as tf.Tensor[])]);
  });
});

describe("the host gather gradient agrees with tfjs's UnsortedSegmentSum", () => {
  const cases: [string, number[], number[], number[], number][] = [
    ['rows of a table, repeated ids', [6, 4], [5, 1, 5, 5, 0], [5], 0],
    ['a [batch, time] id matrix', [30, 3], [2, 29, 2, 0, 7, 7], [2, 3], 0],
    ['an inner axis', [2, 5, 3], [4, 0, 4], [3], 1],
    ['the last axis', [3, 4], [3, 3, 1], [3], 1],
  ];
  for (const [name, shape, idValues, idShape, axis] of cases) {
    it(name, () => {
      const [ours, theirs] = [cpu, tfjsPath].map((b) => {
        const x = b.tensor(values(shape.reduce((p, q) => p * q, 1)), shape);
        const ids = b.tensor(idValues, idShape, 'int32');
        const before = b.memory().numTensors;
        const { value, grads } = b.valueAndGrads(
          (t) => {
            const g = b.gather(t!, ids, axis);
            // Weights that differ per element, so that a gradient in the wrong row shows.
            return b.sum(
              b.mul(
                g,
                b.tensor(
                  values(
                    b.shape(g).reduce((p, q) => p * q, 1),
                    2,
                  ),
                  b.shape(g),
                ),
              ),
            );
          },
          [x],
        );
        const out = { value: b.dataSync(value)[0]!, grad: Array.from(b.dataSync(grads[0]!)) };
        b.dispose([value, ...grads]);
        expect(b.memory().numTensors).toBe(before);
        b.dispose([x, ids]);
        return out;
      });
      expect(ours!.value).toBeCloseTo(theirs!.value, 5);
      // Sums of the same float32 terms: repeated ids may add in another order (one rounding, ~1e-7 here).
      ours!.grad.forEach((g, i) => {
        expect(g).toBeCloseTo(theirs!.grad[i]!, 6);
      });
    });
  }

  it('keeps the forward pass and int32 tables on tfjs', () => {
    const x = cpu.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const ids = cpu.tensor([1, 1], [2], 'int32');
    expect(cpu.toArray(cpu.gather(x, ids, 0))).toEqual([
      [3, 4],
      [3, 4],
    ]);
    cpu.dispose([x, ids]);
  });
});

describe("the gradient of a sum over every axis agrees with tfjs's Sum gradient", () => {
  // A loss: sum (or, keepDims, a [1, 1] sum) of weighted squares; the gradient is 2·w·x, whatever the reduction.
  const cases: [string, number[], boolean][] = [
    ['a [16, 64] output', [16, 64], false],
    ['keepDims, rank 3', [2, 3, 5], true],
    ['a vector', [7], false],
  ];
  for (const [name, shape, keepDims] of cases) {
    it(name, async () => {
      const [ours, theirs] = [cpu, tfjsPath].map((b) => {
        const size = shape.reduce((p, q) => p * q, 1);
        const x = b.tensor(values(size), shape);
        const w = b.tensor(values(size, 3), shape);
        const before = b.memory().numTensors;
        const loss = (t: tf.Tensor) => {
          const s = b.sum(b.mul(w, b.mul(t, t)), undefined, keepDims);
          expect(b.shape(s)).toEqual(keepDims ? shape.map(() => 1) : []);
          return keepDims ? b.reshape(s, []) : s;
        };
        const { value, grads } = b.valueAndGrads((t) => loss(t!), [x]);
        const out = { value: b.dataSync(value)[0]!, grad: Array.from(b.dataSync(grads[0]!)) };
        b.dispose([value, ...grads]);
        expect(b.memory().numTensors).toBe(before);
        b.dispose([x, w]);
        return out;
      });
      expect(ours!.value).toBe(theirs!.value);
      // The same products (dy·1, then the mul gradients): equal to the last bit.
      expect(ours!.grad).toEqual(theirs!.grad);
      const x = values(shape.reduce((p, q) => p * q, 1));
      const w = values(x.length, 3);
      ours!.grad.forEach((g, i) => {
        expect(g).toBeCloseTo(2 * w[i]! * x[i]!, 5);
      });
    });
  }

  it("does not broadcast through tfjs-backend-cpu's index arithmetic, and keeps partial sums and int32 on tfjs", async () => {
    const x = cpu.tensor(values(12), [3, 4]);
    const run = () => {
      const { value, grads } = cpu.valueAndGrads((t) => cpu.sum(t!), [x]);
      return [value, ...grads];
    };
    const profile = await tf.profile(run);
    // The gradient is ones times a rank-0 gradient: no Reshape of the gradient to [1, 1].
    expect(profile.kernelNames).not.toContain('Reshape');
    expect(cpu.dataSync((profile.result as tf.Tensor[])[1]!)).toEqual(new Float32Array(12).fill(1));
    tf.dispose(profile.result as tf.Tensor[]);
    const [rows, reference] = [cpu.sum(x, 1), tfjsPath.sum(x, 1)];
    expect(cpu.toArray(rows)).toEqual(tfjsPath.toArray(reference));
    const ints = cpu.tensor([1, 2, 3, 4], [2, 2], 'int32');
    const total = cpu.sum(ints);
    expect(cpu.dtype(total)).toBe('int32');
    expect(cpu.toArray(total)).toBe(10);
    cpu.dispose([x, ints, total, rows, reference]);
  });
});
