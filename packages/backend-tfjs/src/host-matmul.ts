/**
 * Matrix products on the host through a {@link GemmProvider}, for tfjs backends that keep tensors in JavaScript
 * memory and whose own product is slow: tfjs-backend-cpu's matMul runs at ~0.5-0.8 GFLOP/s, seqmodel's `JsGemm`
 * at ~4-5, so a Dense layer's step (forward and gradients) took 1.15 s through tfjs and ~0.15 s through the GEMM.
 * The forward pass and both gradients are products of the same kind (`dA = dC·op(B)ᵀ`, `dB = op(A)ᵀ·dC`, transposed
 * back where an operand was transposed), so a training step never reaches tfjs's kernel. Rank-3 operands are
 * batches of independent products, as in tfjs.
 */
import type { Shape } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient } from './custom-gradient.js';
import { type GemmProvider, hostMatrix } from './fused/gemm.js';

type Tensor = tf.Tensor;

/** A float32 operand read on the host: its values, the batch count and the `[rows, cols]` of each matrix. */
interface HostOperand {
  readonly data: Float32Array;
  readonly batch: number;
  readonly rows: number;
  readonly cols: number;
}

function operand(x: Tensor): HostOperand {
  const shape = x.shape;
  const rank = shape.length;
  // On a CPU-memory backend this is the backend's own storage: read, never written.
  return {
    data: x.dataSync() as Float32Array,
    batch: rank === 3 ? shape[0]! : 1,
    rows: shape[rank - 2]!,
    cols: shape[rank - 1]!,
  };
}

/** `op(a)·op(b)` for each batch entry, as a new tensor of the right rank. */
function product(
  gemm: GemmProvider,
  a: HostOperand,
  transposeA: boolean,
  b: HostOperand,
  transposeB: boolean,
  rank: number,
): Tensor {
  const m = transposeA ? a.cols : a.rows;
  const n = transposeB ? b.rows : b.cols;
  const batch = a.batch;
  const out = new Float32Array(batch * m * n);
  const sizeA = a.rows * a.cols;
  const sizeB = b.rows * b.cols;
  for (let i = 0; i < batch; i++) {
    gemm.multiply(
      hostMatrix(a.data, a.rows, a.cols, i * sizeA),
      transposeA,
      hostMatrix(b.data, b.rows, b.cols, i * sizeB),
      transposeB,
      hostMatrix(out, m, n, i * m * n),
      false,
    );
  }
  const shape: Shape = rank === 3 ? [batch, m, n] : [m, n];
  return tf.tensor(out, shape as number[], 'float32');
}

/**
 * `matMul(a, b, transposeA, transposeB)` of two float32 tensors of rank 2 (or rank 3, equal batch sizes: the
 * caller has checked the shapes) computed by `gemm`, differentiable under tfjs's autodiff with the GEMM in the
 * backward pass too. Runs on the current tfjs backend, which must keep tensors in JavaScript memory.
 */
export function matMulOnHost(
  gemm: GemmProvider,
  a: Tensor,
  b: Tensor,
  transposeA: boolean,
  transposeB: boolean,
): Tensor {
  const rank = a.rank;
  if (!tf.engine().isTapeOn()) return product(gemm, operand(a), transposeA, operand(b), transposeB, rank);
  const [c] = customGradient(
    {
      name: 'matMul',
      forward: ([x, y], save) => {
        save([x!, y!]);
        return [product(gemm, operand(x!), transposeA, operand(y!), transposeB, rank)];
      },
      // C = op(A)·op(B): dop(A) = dC·op(B)ᵀ and dop(B) = op(A)ᵀ·dC; a transposed operand takes the transpose,
      // written as one product with the flags swapped. Each only when asked for.
      backward: ([dy], [x, y]) => [
        () => {
          const [g, yy] = [operand(dy!), operand(y!)];
          return transposeA
            ? product(gemm, yy, transposeB, g, true, rank)
            : product(gemm, g, false, yy, !transposeB, rank);
        },
        () => {
          const [g, xx] = [operand(dy!), operand(x!)];
          return transposeB
            ? product(gemm, g, true, xx, transposeA, rank)
            : product(gemm, xx, !transposeA, g, false, rank);
        },
      ],
    },
    [a, b],
  );
  return c!;
}
