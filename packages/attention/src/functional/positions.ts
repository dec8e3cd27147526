/**
 * Position tables for positional encodings, computed on the host in float64 (positions are known before a call, so
 * no trigonometric op is needed on any backend) and uploaded once per call as float32 constants.
 */
import { type Backend, checkPositiveInteger, invalidArgument, SeqmodelError } from '@seqmodel/core';

function checkStart(start: number): number {
  if (!Number.isInteger(start) || start < 0) invalidArgument('startIndex', start, 'a non-negative integer');
  return start;
}

/**
 * The sinusoidal encoding of Vaswani et al. (2017) as keras-hub's `SinePositionEncoding` lays it out, `[length,
 * depth]`: feature `i` of position `p` is `sin(p·ω)` for even `i` and `cos(p·ω)` for odd `i`, with
 * `ω = maxWavelength^(−2·floor(i/2) / depth)`; positions start at `startIndex`.
 */
export function sinusoidalEncoding<T>(
  backend: Backend<T>,
  length: number,
  depth: number,
  options: { readonly maxWavelength?: number; readonly startIndex?: number } = {},
): T {
  checkPositiveInteger('sinusoidalEncoding length', length);
  checkPositiveInteger('sinusoidalEncoding depth', depth);
  const maxWavelength = options.maxWavelength ?? 10000;
  const start = checkStart(options.startIndex ?? 0);
  const values = new Float32Array(length * depth);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < depth; i++) {
      const angle = (start + p) * maxWavelength ** (-(2 * Math.floor(i / 2)) / depth);
      values[p * depth + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return backend.tensor(values, [length, depth]);
}

/**
 * Rotary position embedding (RoPE, Su et al. 2021) in keras-hub's `RotaryEmbedding` layout (that of GPT-NeoX and
 * Hugging Face's LLaMA): the feature axis (last, even size `d`) is split into halves `x1`, `x2`, and
 *
 *   y = x·cos(θ) + concat(−x2, x1)·sin(θ),   θ[p, i] = θ[p, i + d/2] = (p / scalingFactor) · maxWavelength^(−2i/d)
 *
 * for position `p = startIndex + t`, `t` the index on axis 1 (`[batch, time, ..., d]`). A decoder with `past` cached
 * steps passes `startIndex: past`. Differentiable with respect to `x`.
 */
export function applyRotaryEmbedding<T>(
  backend: Backend<T>,
  x: T,
  options: {
    readonly maxWavelength?: number;
    readonly scalingFactor?: number;
    readonly startIndex?: number;
  } = {},
): T {
  const shape = backend.shape(x);
  const d = shape[shape.length - 1]!;
  if (shape.length < 3 || d % 2 !== 0) {
    throw new SeqmodelError(
      `applyRotaryEmbedding(x): expected [batch, time, ..., features] with an even feature size, received shape [${shape.join(', ')}]`,
    );
  }
  const maxWavelength = options.maxWavelength ?? 10000;
  const scaling = options.scalingFactor ?? 1;
  const start = checkStart(options.startIndex ?? 0);
  const time = shape[1]!;
  const half = d / 2;
  const cos = new Float32Array(time * d);
  const sin = new Float32Array(time * d);
  for (let t = 0; t < time; t++) {
    for (let i = 0; i < half; i++) {
      const angle = ((start + t) / scaling) * maxWavelength ** (-(2 * i) / d);
      for (const k of [i, i + half]) {
        cos[t * d + k] = Math.cos(angle);
        sin[t * d + k] = Math.sin(angle);
      }
    }
  }
  const tableShape = shape.map((s, a) => (a === 1 || a === shape.length - 1 ? s : 1));
  const begin = shape.map(() => 0);
  const size = shape.map((s, a) => (a === shape.length - 1 ? half : s));
  const x1 = backend.slice(x, begin, size);
  const x2 = backend.slice(x, [...begin.slice(0, -1), half], size);
  const rotated = backend.concat([backend.neg(x2), x1], -1);
  return backend.add(
    backend.mul(x, backend.tensor(cos, tableShape)),
    backend.mul(rotated, backend.tensor(sin, tableShape)),
  );
}
