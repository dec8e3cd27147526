/**
 * Activations on four float32 lanes, emitted inline (a wasm call per four units cost a third of an LSTM step). Each
 * consumes the v128 value on the stack and leaves its result, using v128 locals given by the caller as scratch.
 * exp is Cephes' `expf` (range reduction by ln 2, a polynomial, 2^k from the exponent bits), in float32 like tfjs's
 * own kernels: within a few float32 ulps of the exact values.
 */
import { op, simd } from './wasm-encoder.js';

const { splat } = simd;

/** c₀·xⁿ + c₁·xⁿ⁻¹ + … + cₙ by Horner's scheme, `x` a v128 local; leaves the value on the stack. */
function horner(x: number, coefficients: readonly number[]): number[] {
  const code: number[] = [...splat(coefficients[0]!)];
  for (const c of coefficients.slice(1))
    code.push(...op.localGet(x), ...simd.f32x4Mul, ...splat(c), ...simd.f32x4Add);
  return code;
}

/** e^x for four lanes (Cephes expf); `x` and `k` are scratch v128 locals. */
export function exp(x: number, k: number): number[] {
  // The polynomial in r (x holds r after the range reduction).
  const poly = horner(
    x,
    [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1],
  );
  return [
    // x = min(max(x, -87), 88): e^x stays a normal float32 and 2^k below.
    ...splat(-87),
    ...simd.f32x4Max,
    ...splat(88),
    ...simd.f32x4Min,
    ...op.localTee(x),
    // k = nearest(x · log2 e)
    ...splat(Math.LOG2E),
    ...simd.f32x4Mul,
    ...simd.f32x4Nearest,
    ...op.localSet(k),
    // r = x − k · 0.693359375 − k · (−2.12194440e-4)   (ln 2 in two parts)
    ...op.localGet(x),
    ...op.localGet(k),
    ...splat(0.693359375),
    ...simd.f32x4Mul,
    ...simd.f32x4Sub,
    ...op.localGet(k),
    ...splat(-2.1219444e-4),
    ...simd.f32x4Mul,
    ...simd.f32x4Sub,
    ...op.localSet(x),
    // p(r) · r² + r + 1
    ...poly,
    ...op.localGet(x),
    ...simd.f32x4Mul,
    ...op.localGet(x),
    ...simd.f32x4Mul,
    ...op.localGet(x),
    ...simd.f32x4Add,
    ...splat(1),
    ...simd.f32x4Add,
    // · 2^k, built from the exponent bits: (k + 127) << 23
    ...op.localGet(k),
    ...simd.i32x4TruncSatF32x4,
    ...op.i32Const(127),
    ...simd.i32x4Splat,
    ...simd.i32x4Add,
    ...op.i32Const(23),
    ...simd.i32x4Shl,
    ...simd.f32x4Mul,
  ];
}

/** σ(v) = 1 / (1 + e^−v); `e` is a third scratch local. */
export function sigmoid(x: number, k: number, e: number): number[] {
  return [
    ...simd.f32x4Neg,
    ...exp(x, k),
    ...op.localSet(e),
    ...splat(1),
    ...splat(1),
    ...op.localGet(e),
    ...simd.f32x4Add,
    ...simd.f32x4Div,
  ];
}

/**
 * tanh(v); `e` and `v` are a third and fourth scratch local. 1 − 2 / (1 + e^{2v}) loses the relative accuracy near 0
 * (1e-5 at |v| = 1e-2, 5% at 1e-6, and 0 below ~3e-8, where the exact tanh is v), so lanes with |v| ≤ 0.2 take the
 * series v − v³/3 + 2v⁵/15 − 17v⁷/315 instead, as tfjs-wasm's own tanh is accurate near 0 too. In float32 (with an
 * exactly rounded exp) the relative error is at most ~1.1e-7 below 0.2 and ~4.1e-7 just above it.
 */
export function tanh(x: number, k: number, e: number, v: number): number[] {
  return [
    ...op.localSet(v),
    // the formula
    ...op.localGet(v),
    ...op.localGet(v),
    ...simd.f32x4Add,
    ...exp(x, k),
    ...op.localSet(e),
    ...splat(1),
    ...splat(2),
    ...splat(1),
    ...op.localGet(e),
    ...simd.f32x4Add,
    ...simd.f32x4Div,
    ...simd.f32x4Sub,
    // v · (1 + v² · (−1/3 + v² · (2/15 − v² · 17/315))), with e = v²
    ...op.localGet(v),
    ...op.localGet(v),
    ...simd.f32x4Mul,
    ...op.localSet(e),
    ...horner(e, [-17 / 315, 2 / 15, -1 / 3, 1]),
    ...op.localGet(v),
    ...simd.f32x4Mul,
    // the formula where 0.2 < |v| (NaN takes the series: NaN either way)
    ...splat(0.2),
    ...op.localGet(v),
    ...simd.f32x4Abs,
    ...simd.f32x4Lt,
    ...simd.v128Bitselect,
  ];
}

/**
 * ln(v) for four lanes (Cephes logf: v = m·2^e with m in [√½, √2), a polynomial in m − 1), consuming the value on
 * the stack; `v`, `e`, `x` and `z` are scratch v128 locals. ln 0 = −∞, negative lanes and NaN give NaN, +∞ gives
 * +∞. Subnormal inputs are scaled by 2^23 first (their exponent field is 0, so read as they are they would all come
 * out between −88.0 and −87.3), and 23 is taken off their exponent.
 */
export function log(v: number, e: number, x: number, z: number): number[] {
  const coefficients = [
    7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
    2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
  ];
  const intSplat = (n: number) => [...op.i32Const(n), ...simd.i32x4Splat];
  const poly: number[] = [...splat(coefficients[0]!)];
  for (const c of coefficients.slice(1))
    poly.push(...op.localGet(x), ...simd.f32x4Mul, ...splat(c), ...simd.f32x4Add);
  // Lanes where `condition` (a mask computed from v) holds take `value` instead.
  const replace = (value: number, condition: number[]) => [
    ...splat(value),
    ...op.localGet(z),
    ...op.localGet(v),
    ...condition,
    ...simd.v128Bitselect,
    ...op.localSet(z),
  ];
  return [
    // subnormal (and 0 and negative) lanes: v·2^23, z the mask meanwhile
    ...op.localTee(v),
    ...splat(1.1754943508222875e-38),
    ...simd.f32x4Lt,
    ...op.localSet(z),
    ...op.localGet(v),
    ...splat(8388608),
    ...simd.f32x4Mul,
    ...op.localGet(v),
    ...op.localGet(z),
    ...simd.v128Bitselect,
    ...op.localTee(v),
    // e = exponent field − 126, as float, less 23 in the scaled lanes
    ...op.i32Const(23),
    ...simd.i32x4ShrU,
    ...intSplat(126),
    ...simd.i32x4Sub,
    ...simd.f32x4ConvertI32x4,
    ...op.localGet(z),
    ...splat(23),
    ...simd.v128And,
    ...simd.f32x4Sub,
    ...op.localSet(e),
    // x = mantissa in [0.5, 1): (bits & 0x807fffff) | 0x3f000000
    ...op.localGet(v),
    ...intSplat(0x807fffff | 0),
    ...simd.v128And,
    ...intSplat(0x3f000000),
    ...simd.v128Or,
    ...op.localTee(x),
    // below √½: e −= 1 and x = 2x − 1, else x = x − 1 (z holds the mask meanwhile)
    ...splat(Math.SQRT1_2),
    ...simd.f32x4Lt,
    ...op.localSet(z),
    ...op.localGet(e),
    ...op.localGet(z),
    ...splat(1),
    ...simd.v128And,
    ...simd.f32x4Sub,
    ...op.localSet(e),
    ...op.localGet(x),
    ...op.localGet(x),
    ...op.localGet(z),
    ...simd.v128And,
    ...simd.f32x4Add,
    ...splat(1),
    ...simd.f32x4Sub,
    ...op.localTee(x),
    ...op.localGet(x),
    ...simd.f32x4Mul,
    ...op.localSet(z),
    // y = p(x)·x·z + e·(−2.12194440e-4) − z/2; result x + y + e·0.693359375, into z
    ...poly,
    ...op.localGet(x),
    ...simd.f32x4Mul,
    ...op.localGet(z),
    ...simd.f32x4Mul,
    ...op.localGet(e),
    ...splat(-2.1219444e-4),
    ...simd.f32x4Mul,
    ...simd.f32x4Add,
    ...op.localGet(z),
    ...splat(0.5),
    ...simd.f32x4Mul,
    ...simd.f32x4Sub,
    ...op.localGet(x),
    ...simd.f32x4Add,
    ...op.localGet(e),
    ...splat(0.693359375),
    ...simd.f32x4Mul,
    ...simd.f32x4Add,
    ...op.localSet(z),
    ...replace(Number.NEGATIVE_INFINITY, [...splat(0), ...simd.f32x4Eq]),
    ...replace(Number.NaN, [...splat(0), ...simd.f32x4Lt]),
    ...replace(Number.NaN, [...op.localGet(v), ...simd.f32x4Ne]),
    ...replace(Number.POSITIVE_INFINITY, [...splat(Number.POSITIVE_INFINITY), ...simd.f32x4Eq]),
    ...op.localGet(z),
  ];
}
