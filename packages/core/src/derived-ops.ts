/**
 * Helpers derived once from the `Ops` primitives, so that no backend has to implement them. Where a backend offers a
 * native version (`OptionalOps`), the helper uses it.
 */
import { invalidArgument, SeqmodelError } from './errors.js';
import type { Ops, OptionalOps } from './ops.js';
import { formatShape, normalizeAxis, shapesEqual } from './shape.js';

/** `x[..., begin : begin + size]`. */
export function sliceLast<T>(ops: Ops<T>, x: T, begin: number, size: number): T {
  const rank = ops.shape(x).length;
  const starts = new Array<number>(rank).fill(0);
  const sizes = new Array<number>(rank).fill(-1);
  starts[rank - 1] = begin;
  sizes[rank - 1] = size;
  return ops.slice(x, starts, sizes);
}

/** Splits the last axis into `parts` equal chunks (gates stacked as `[i | f | c | o]`, say). */
export function splitLast<T>(ops: Ops<T>, x: T, parts: number): T[] {
  const shape = ops.shape(x);
  const last = shape[shape.length - 1] ?? 1;
  if (last % parts !== 0) {
    invalidArgument('splitLast(x)', shape, `a last axis divisible by ${parts}`);
  }
  const width = last / parts;
  return Array.from({ length: parts }, (_, i) => sliceLast(ops, x, i * width, width));
}

/** `x` with its elements squared. */
export function square<T>(ops: Ops<T>, x: T): T {
  return ops.mul(x, x);
}

/** Mean over `axes` (all axes when omitted). */
export function mean<T>(ops: Ops<T>, x: T, axes?: number | readonly number[], keepDims = false): T {
  const shape = ops.shape(x);
  const list = axes === undefined ? shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : axes;
  const count = list.reduce((n, a) => n * (shape[normalizeAxis('mean(axes)', a, shape.length)] ?? 1), 1);
  return ops.div(ops.sum(x, axes, keepDims), count);
}

/** Variance (mean squared deviation from the mean, no Bessel correction, as Keras and PyTorch's layer norm) over `axes`. */
export function variance<T>(ops: Ops<T>, x: T, axes?: number | readonly number[], keepDims = false): T {
  const centered = ops.sub(x, mean(ops, x, axes, true));
  return mean(ops, square(ops, centered), axes, keepDims);
}

/** 1 / sqrt(x). */
export function rsqrt<T>(ops: Ops<T>, x: T): T {
  return ops.div(1, ops.sqrt(x));
}

/**
 * `x / max(‖x‖, epsilon)` with the Euclidean norm taken along `axis` (one axis or several; Keras 3's `ops.normalize`,
 * `order` 2). The bound
 * is taken before the square root, as `sqrt(max(Σ x², epsilon²))`: the same value, and at a zero vector a finite
 * gradient (the upstream one over epsilon), where a bound taken after the square root, or `rsqrt` of the sum, gives NaN.
 */
export function l2Normalize<T>(ops: Ops<T>, x: T, axis: number | readonly number[], epsilon = 1e-7): T {
  return ops.div(x, ops.sqrt(ops.maximum(ops.sum(square(ops, x), axis, true), epsilon * epsilon)));
}

/**
 * `(x − mean) / sqrt(variance + epsilon) · scale + offset`, computed as TensorFlow's `tf.nn.batch_normalization`
 * (which Keras' BatchNormalization and LayerNormalization run) does: `inv = scale / sqrt(variance + epsilon)`, then
 * `x·inv + (offset − mean·inv)`. `mean`, `variance`, `scale` and `offset` broadcast against `x`; without `scale` or
 * `offset` those factors are left out.
 */
export function batchNormalize<T>(
  ops: Ops<T>,
  x: T,
  mean: T,
  variance: T,
  epsilon: number,
  scale?: T,
  offset?: T,
): T {
  let inv = rsqrt(ops, ops.add(variance, epsilon));
  if (scale !== undefined) inv = ops.mul(inv, scale);
  let shift = ops.neg(ops.mul(mean, inv));
  if (offset !== undefined) shift = ops.add(shift, offset);
  return ops.add(ops.mul(x, inv), shift);
}

/**
 * Matrix product over any number of leading (batch) axes: `[..., m, k]·[..., k, n]` → `[..., m, n]`, with the same
 * leading axes on both sides; or `[..., m, k]·[k, n]` with one matrix shared by every batch entry (a projection).
 * `transposeA` / `transposeB` transpose the last two axes first. Rank 2 and 3 go to `ops.matMul` as they are; higher
 * ranks are folded into one batch axis by reshapes, which cost nothing on tfjs backends, so no backend has to
 * implement products of rank 4 (attention's `[batch, heads, time, depth]`).
 */
export function batchMatMul<T>(ops: Ops<T>, a: T, b: T, transposeA = false, transposeB = false): T {
  const sa = ops.shape(a);
  const sb = ops.shape(b);
  const fail = (expected: string, suffix = ['', '']): never => {
    throw new SeqmodelError(
      `batchMatMul(a, b): expected ${expected}, received shapes ${formatShape(sa)}${suffix[0]} and ${formatShape(sb)}${suffix[1]}`,
    );
  };
  if (sa.length < 2 || sb.length < 2) fail('tensors of rank 2 or more');
  const [a0, a1] = sa.slice(-2) as [number, number];
  const [b0, b1] = sb.slice(-2) as [number, number];
  const k = transposeA ? a0 : a1;
  const kb = transposeB ? b1 : b0;
  if (k !== kb) fail(`equal inner sizes (${k} vs ${kb})`, [transposeA ? 'ᵀ' : '', transposeB ? 'ᵀ' : '']);
  if (sb.length === 2 && sa.length > 2 && !transposeA) {
    // A shared right-hand matrix: one plain product over every row of every batch entry.
    const y = ops.matMul(ops.reshape(a, [-1, k]), b, false, transposeB);
    return ops.reshape(y, [...sa.slice(0, -1), transposeB ? b0 : b1]);
  }
  const batch = sa.slice(0, -2);
  if (sa.length !== sb.length || !shapesEqual(batch, sb.slice(0, -2))) {
    fail('the same leading (batch) axes on both, or a rank-2 right-hand operand');
  }
  if (sa.length <= 3) return ops.matMul(a, b, transposeA, transposeB);
  const y = ops.matMul(ops.reshape(a, [-1, a0, a1]), ops.reshape(b, [-1, b0, b1]), transposeA, transposeB);
  return ops.reshape(y, [...batch, transposeA ? a1 : a0, transposeB ? b0 : b1]);
}

/** A tensor of zeros with `x`'s shape. */
export function zerosLike<T>(ops: Ops<T>, x: T): T {
  return ops.fill(ops.shape(x), 0);
}

/** `x·w + b` for `x` `[n, in]`, `w` `[in, out]`, `b` `[out]` (optional). */
export function affine<T>(ops: Ops<T>, x: T, w: T, b?: T): T {
  const xw = ops.matMul(x, w);
  return b === undefined ? xw : ops.add(xw, b);
}

/** Numerically stable softmax along `axis` (default last). */
export function softmax<T>(ops: Ops<T> & OptionalOps<T>, x: T, axis = -1): T {
  if (ops.softmax) return ops.softmax(x, axis);
  const shifted = ops.sub(x, ops.max(x, axis, true));
  const e = ops.exp(shifted);
  return ops.div(e, ops.sum(e, axis, true));
}

/** Numerically stable log-softmax along `axis` (default last). */
export function logSoftmax<T>(ops: Ops<T> & OptionalOps<T>, x: T, axis = -1): T {
  if (ops.logSoftmax) return ops.logSoftmax(x, axis);
  const shifted = ops.sub(x, ops.max(x, axis, true));
  return ops.sub(shifted, ops.log(ops.sum(ops.exp(shifted), axis, true)));
}

/** log(1 + exp(x)), computed as relu(x) + log(1 + exp(-|x|)) so that it neither overflows nor loses precision. */
export function softplus<T>(ops: Ops<T> & OptionalOps<T>, x: T): T {
  if (ops.softplus) return ops.softplus(x);
  return ops.add(ops.relu(x), ops.log(ops.add(1, ops.exp(ops.neg(ops.abs(x))))));
}

/** clip(0.2·x + 0.5, 0, 1): the hard sigmoid of tfjs-layers and Keras 2. */
export function hardSigmoid<T>(ops: Ops<T>, x: T): T {
  return ops.clip(ops.add(ops.mul(x, 0.2), 0.5), 0, 1);
}

/** clip(x/6 + 0.5, 0, 1) = relu6(x + 3)/6: the hard sigmoid of Keras 3 and PyTorch's `Hardsigmoid`. */
export function hardSigmoidKeras3<T>(ops: Ops<T>, x: T): T {
  return ops.clip(ops.add(ops.div(x, 6), 0.5), 0, 1);
}

/** x·σ(x): Keras' `silu` / `swish`, tfjs-layers' `swish`, PyTorch's `SiLU`. */
export function swish<T>(ops: Ops<T>, x: T): T {
  return ops.mul(x, ops.sigmoid(x));
}

/** x·tanh(softplus(x)) (Misra, 2019): Keras', tfjs-layers' and PyTorch's `mish`. */
export function mish<T>(ops: Ops<T>, x: T): T {
  return ops.mul(x, ops.tanh(softplus(ops, x)));
}

/** min(max(x, 0), 6): Keras', tfjs-layers' and PyTorch's `relu6`. */
export function relu6<T>(ops: Ops<T>, x: T): T {
  return ops.clip(x, 0, 6);
}

/** x / (1 + |x|). */
export function softsign<T>(ops: Ops<T>, x: T): T {
  return ops.div(x, ops.add(1, ops.abs(x)));
}

/**
 * x for x > 0, alpha·(exp(x) − 1) otherwise. The exponential sees min(x, 0), so large positive inputs cannot
 * overflow into the discarded branch (whose gradient would then be 0·inf = NaN).
 */
export function elu<T>(ops: Ops<T>, x: T, alpha = 1): T {
  const negative = ops.mul(ops.sub(ops.exp(ops.minimum(x, 0)), 1), alpha);
  return ops.where(ops.greater(x, 0), x, negative);
}

/** Scaled ELU with the constants of Klambauer et al. (2017), as Keras and PyTorch. */
export function selu<T>(ops: Ops<T>, x: T): T {
  return ops.mul(elu(ops, x, 1.6732632423543772), 1.0507009873554805);
}

const ERF_P = 0.3275911;
const ERF_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429] as const;

/**
 * The error function: the backend's own `erf` when it has one, else Abramowitz and Stegun's formula 7.1.26,
 * erf(|x|) ≈ 1 − t·(a₁ + t·(a₂ + …)) · e^{−x²} with t = 1/(1 + p|x|), absolute error below 1.5e-7.
 */
export function erf<T>(ops: Ops<T> & OptionalOps<T>, x: T): T {
  if (ops.erf) return ops.erf(x);
  const a = ops.abs(x);
  const t = ops.div(1, ops.add(ops.mul(a, ERF_P), 1));
  let poly: T | number = ERF_A[4];
  for (let i = 3; i >= 0; i--) poly = ops.add(ops.mul(t, poly), ERF_A[i]!);
  const positive = ops.sub(1, ops.mul(ops.mul(t, poly), ops.exp(ops.neg(ops.mul(a, a)))));
  return ops.where(ops.greater(0, x), ops.neg(positive), positive);
}

/**
 * The exact GELU, x·Φ(x) = x·(1 + erf(x/√2))/2: PyTorch's `nn.GELU()`, Keras' `gelu` (`approximate=False`) and
 * tfjs-layers' `gelu`.
 */
export function gelu<T>(ops: Ops<T> & OptionalOps<T>, x: T): T {
  return ops.mul(ops.mul(x, 0.5), ops.add(erf(ops, ops.mul(x, Math.SQRT1_2)), 1));
}

/**
 * The tanh approximation of GELU, x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))/2: tfjs-layers' `gelu_new`, Keras'
 * `gelu(x, approximate=True)` and PyTorch's `nn.GELU(approximate='tanh')`.
 */
export function geluNew<T>(ops: Ops<T>, x: T): T {
  const inner = ops.mul(ops.add(x, ops.mul(ops.mul(ops.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return ops.mul(ops.mul(x, 0.5), ops.add(ops.tanh(inner), 1));
}
