/**
 * The activations a fused kernel can apply, elementwise over a run of a `Float32Array`, and their derivatives
 * written in terms of the activation's output (so the backward pass needs only what the forward pass kept). They
 * compute what core's activations (`@seqmodel/core`'s `activations.ts`) compute, in float64 before rounding to
 * float32. `softmax` is not elementwise and is not offered: kernels refuse it and the generic loop runs.
 *
 * At the corners of the hard sigmoids (an input exactly at ±2.5 or ±3) and of relu (exactly 0), the derivative from
 * the output is that of the open interval (0); tfjs's clip passes the gradient at the bounds themselves. Only inputs
 * exactly on a corner can tell the two apart.
 */

export const fusedActivationNames = [
  'linear',
  'tanh',
  'sigmoid',
  'relu',
  'hardSigmoid',
  'hardSigmoidKeras3',
  'softsign',
  'softplus',
  'elu',
  'selu',
  'exponential',
] as const;

export type FusedActivationName = (typeof fusedActivationNames)[number];

export function isFusedActivation(name: unknown): name is FusedActivationName {
  return typeof name === 'string' && (fusedActivationNames as readonly string[]).includes(name);
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** e^v = 2^(k/32)·e^r with |r| <= ln 2 / 64: the two powers of two from tables. */
const EXP_SCALE = 32 / Math.LN2;
const EXP_STEP = Math.LN2 / 32;
const FRACTIONS = Float64Array.from({ length: 32 }, (_, i) => 2 ** (i / 32));
const POWERS = Float64Array.from({ length: 256 }, (_, i) => 2 ** (i - 128));

/**
 * e^v for the gates, about three times as fast as `Math.exp` in V8 (which calls out of the JIT): v = (k/32)·ln 2 + r
 * with |r| <= ln 2 / 64, e^r by its degree-3 Taylor polynomial, times 2^(k/32) from two small tables. Relative error
 * below 6e-10 (float32 rounding is 6e-8). The argument is clamped to [-87, 88] (e^88 is still a finite float32), so saturated gates come out as
 * exactly 0, ±1, or within 1e-38 of them. NaN gives NaN.
 */
export function gateExp(v: number): number {
  const x = Math.min(Math.max(v, -87), 88);
  const k = Math.floor(x * EXP_SCALE + 0.5);
  const r = x - k * EXP_STEP;
  // Degree 3 suffices (|r|^4 / 24 < 6e-10) and ran a quarter faster per LSTM unit than degree 4 in V8.
  const p = 1 + r * (1 + r * (0.5 + r * 0.16666666666666666));
  // k & 31 and k >> 5 split k into its fraction and integer parts of 32 (also for negative k).
  return p * FRACTIONS[k & 31]! * POWERS[(k >> 5) + 128]!;
}

/** σ(v) = 1 / (1 + e^−v) with {@link gateExp}. */
export function gateSigmoid(v: number): number {
  return 1 / (1 + gateExp(-v));
}

/**
 * tanh(v) = 1 − 2 / (1 + e^{2v}) with {@link gateExp}, about four times as fast as `Math.tanh` in V8. Absolute
 * error below 6e-10; exactly ±1 once saturated, exactly 0 at 0.
 */
export function gateTanh(v: number): number {
  return 1 - 2 / (1 + gateExp(2 * v));
}

/** `x[i] = f(x[i])` for `i` in `[start, end)`. */
export function activate(name: FusedActivationName, x: Float32Array, start: number, end: number): void {
  switch (name) {
    case 'linear':
      return;
    case 'tanh':
      for (let i = start; i < end; i++) x[i] = gateTanh(x[i]!);
      return;
    case 'sigmoid':
      for (let i = start; i < end; i++) x[i] = gateSigmoid(x[i]!);
      return;
    case 'relu':
      for (let i = start; i < end; i++) x[i] = Math.max(x[i]!, 0);
      return;
    case 'hardSigmoid':
      for (let i = start; i < end; i++) x[i] = Math.min(Math.max(0.2 * x[i]! + 0.5, 0), 1);
      return;
    case 'hardSigmoidKeras3':
      for (let i = start; i < end; i++) x[i] = Math.min(Math.max(x[i]! / 6 + 0.5, 0), 1);
      return;
    case 'softsign':
      for (let i = start; i < end; i++) x[i] = x[i]! / (1 + Math.abs(x[i]!));
      return;
    case 'softplus':
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        x[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      return;
    case 'elu':
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        x[i] = v > 0 ? v : Math.expm1(v);
      }
      return;
    case 'selu':
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        x[i] = SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
      }
      return;
    case 'exponential':
      for (let i = start; i < end; i++) x[i] = Math.exp(x[i]!);
      return;
  }
}

/**
 * `d[dStart + i] *= f'(x_i)` for `i` in `[0, count)`, where `y[yStart + i] = f(x_i)` is the activation's output.
 */
export function multiplyByDerivative(
  name: FusedActivationName,
  d: Float32Array,
  dStart: number,
  y: Float32Array,
  yStart: number,
  count: number,
): void {
  const shift = yStart - dStart;
  const end = dStart + count;
  switch (name) {
    case 'linear':
      return;
    case 'tanh':
      for (let i = dStart; i < end; i++) {
        const v = y[i + shift]!;
        d[i] = d[i]! * (1 - v * v);
      }
      return;
    case 'sigmoid':
      for (let i = dStart; i < end; i++) {
        const v = y[i + shift]!;
        d[i] = d[i]! * v * (1 - v);
      }
      return;
    case 'relu':
      for (let i = dStart; i < end; i++) if (!(y[i + shift]! > 0)) d[i] = 0;
      return;
    case 'hardSigmoid':
      for (let i = dStart; i < end; i++) {
        const v = y[i + shift]!;
        d[i] = v > 0 && v < 1 ? 0.2 * d[i]! : 0;
      }
      return;
    case 'hardSigmoidKeras3':
      for (let i = dStart; i < end; i++) {
        const v = y[i + shift]!;
        d[i] = v > 0 && v < 1 ? d[i]! / 6 : 0;
      }
      return;
    case 'softsign':
      for (let i = dStart; i < end; i++) {
        const a = 1 - Math.abs(y[i + shift]!);
        d[i] = d[i]! * a * a;
      }
      return;
    case 'softplus':
      // f' = sigmoid(x) = 1 - exp(-y).
      for (let i = dStart; i < end; i++) d[i] = -d[i]! * Math.expm1(-y[i + shift]!);
      return;
    case 'elu':
      // f' = 1 for x > 0, else exp(x) = y + 1.
      for (let i = dStart; i < end; i++) {
        const v = y[i + shift]!;
        if (!(v > 0)) d[i] = d[i]! * (v + 1);
      }
      return;
    case 'selu':
      for (let i = dStart; i < end; i++) {
        const v = y[i + shift]!;
        d[i] = d[i]! * (v > 0 ? SELU_SCALE : v + SELU_SCALE * SELU_ALPHA);
      }
      return;
    case 'exponential':
      for (let i = dStart; i < end; i++) d[i] = d[i]! * y[i + shift]!;
      return;
  }
}
