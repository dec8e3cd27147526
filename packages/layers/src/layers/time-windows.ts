/**
 * Windows along the time axis of `[batch, steps, channels]`, shared by the layers whose outputs each read several
 * steps (`Conv1D`, `MaxPooling1D`, `AveragePooling1D`) and those that pad or crop it (`ZeroPadding1D`,
 * `Cropping1D`): the window sizes as Keras gives them (`n` or `[n]`), the steps to pad or crop at each end, the
 * output length and padding of each padding mode, and the values at each position of every window, gathered with
 * the backend's ops so that every backend runs and differentiates them.
 */
import { type Backend, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';

export type WindowPadding = 'valid' | 'same' | 'causal';

/** A positive integer given as `n` or `[n]` (Keras writes `kernel_size: [3]`), or `fallback` when absent. */
export function checkWindowInteger(argument: string, value: unknown, fallback?: number): number {
  const given = value ?? fallback;
  const n = Array.isArray(given) && given.length === 1 ? given[0] : given;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    invalidArgument(argument, value, 'a positive integer (or [n])');
  }
  return n;
}

/** The strides and dilation of a convolution's window, given as Keras does; one of them must be 1 (as Keras). */
export function checkStridesAndDilation(
  factory: string,
  args: { strides?: unknown; dilationRate?: unknown },
): { strides: number; dilationRate: number } {
  const strides = checkWindowInteger(`${factory} strides`, args.strides, 1);
  const dilationRate = checkWindowInteger(`${factory} dilationRate`, args.dilationRate, 1);
  if (strides > 1 && dilationRate > 1) {
    throw new SeqmodelError(
      `${factory} strides and dilationRate: expected one of them to be 1 (as Keras), received strides ${strides} and dilationRate ${dilationRate}`,
    );
  }
  return { strides, dilationRate };
}

/** The channel count of `[batch, steps, channels]`, which a convolution must know to build its kernel. */
export function knownChannels(layer: string, shape: ShapeSpec): number {
  const channels = shape[2];
  if (channels === null || channels === undefined) {
    throw new SeqmodelError(
      `${layer}: the channels axis of the input must be known to build, received ${formatShapeSpec(shape)}`,
    );
  }
  return channels;
}

/**
 * Steps at the start and at the end of the time axis, given as `n` (both ends) or `[start, end]` (Keras' `padding` of
 * `ZeroPadding1D` and `cropping` of `Cropping1D`), or `fallback` at both ends when absent: non-negative integers.
 */
export function checkStepPair(argument: string, value: unknown, fallback: number): [number, number] {
  const given = value ?? fallback;
  if (!isStepPair(given)) invalidArgument(argument, value, STEP_PAIR_EXPECTED);
  return typeof given === 'number' ? [given, given] : [given[0], given[1]];
}

/** What `checkStepPair` (and the Keras mappings reading such an option) expect, in errors. */
export const STEP_PAIR_EXPECTED = 'a non-negative integer or [start, end] of them';

/** Whether `value` is `n` or `[start, end]`, non-negative integers. */
export function isStepPair(value: unknown): value is number | readonly [number, number] {
  const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  return ok(value) || (Array.isArray(value) && value.length === 2 && value.every(ok));
}

/**
 * Output length and left / right padding of windows of `size` positions `dilationRate` steps apart, moved `strides`
 * steps at a time along `steps`: `'valid'` (no padding), `'same'` (`ceil(steps / strides)` outputs, padded on both
 * sides, the extra step on the right) or `'causal'` (padded on the left only).
 */
export function conv1dGeometry(
  steps: number,
  size: number,
  strides: number,
  dilationRate: number,
  padding: WindowPadding,
): { outSteps: number; padLeft: number; padRight: number } {
  const span = dilationRate * (size - 1) + 1;
  if (padding === 'same') {
    const outSteps = Math.ceil(steps / strides);
    const total = Math.max((outSteps - 1) * strides + span - steps, 0);
    const padLeft = Math.floor(total / 2);
    return { outSteps, padLeft, padRight: total - padLeft };
  }
  const padLeft = padding === 'causal' ? span - 1 : 0;
  return { outSteps: Math.floor((steps + padLeft - span) / strides) + 1, padLeft, padRight: 0 };
}

/**
 * `conv1dGeometry` for the kernel of a convolution layer (`layer` describes it in errors): an input shorter than one
 * window of taps, with no padding to make up for it, is an error that says which `paddings` would take it.
 */
export function kernelGeometry(
  layer: string,
  steps: number,
  kernel: { kernelSize: number; strides: number; dilationRate: number; padding: WindowPadding },
  paddings: string,
): { outSteps: number; padLeft: number; padRight: number } {
  const { kernelSize, strides, dilationRate, padding } = kernel;
  const g = conv1dGeometry(steps, kernelSize, strides, dilationRate, padding);
  if (g.outSteps < 1) {
    throw new SeqmodelError(
      `${layer}: input of ${steps} steps is shorter than the kernel's span of ${dilationRate * (kernelSize - 1) + 1} steps; expected at least that many, or padding ${paddings}`,
    );
  }
  return g;
}

/** What `windowTaps` reads: the window and the geometry `conv1dGeometry` gave for it. */
export interface WindowSpec {
  readonly size: number;
  readonly strides: number;
  readonly dilationRate: number;
  readonly outSteps: number;
  readonly padLeft: number;
  readonly padRight: number;
  /** What the padding steps hold (0 for a convolution or an average, −∞ for a maximum). */
  readonly padValue: number;
}

/**
 * Position j of every window: `[batch, outSteps, channels]` holding, for output t, padded step
 * `t · strides + j · dilationRate` (a slice for strides 1, a gather otherwise). New tensors; free them (or `tidy`).
 */
export function windowTaps<T>(b: Backend<T>, x: T, w: WindowSpec): T[] {
  const [batch, , channels] = b.shape(x) as [number, number, number];
  const padded = padSteps(b, x, w.padLeft, w.padRight, w.padValue);
  return Array.from({ length: w.size }, (_, j) => {
    const first = j * w.dilationRate;
    if (w.strides === 1) return b.slice(padded, [0, first, 0], [batch, w.outSteps, channels]);
    const rows = Int32Array.from({ length: w.outSteps }, (_, t) => t * w.strides + first);
    return b.gather(padded, b.tensor(rows, [w.outSteps], 'int32'), 1);
  });
}

/**
 * `x` (`[batch, steps, channels]`) with `start` steps of `value` before its first step and `end` after its last: a new
 * tensor, or `x` itself when both are 0.
 */
export function padSteps<T>(b: Backend<T>, x: T, start: number, end: number, value: number): T {
  if (start + end === 0) return x;
  const [batch, , channels] = b.shape(x) as [number, number, number];
  const edge = (n: number) => (n > 0 ? [b.fill([batch, n, channels], value)] : []);
  return b.concat([...edge(start), x, ...edge(end)], 1);
}

/**
 * The taps of a convolution's kernel over `x` (`kernelGeometry`, then `windowTaps` with zero padding): one
 * `[batch, outSteps, channels]` tensor per tap, and `outSteps`.
 */
export function kernelTaps<T>(
  b: Backend<T>,
  x: T,
  layer: string,
  kernel: { kernelSize: number; strides: number; dilationRate: number; padding: WindowPadding },
  paddings: string,
): { taps: T[]; outSteps: number } {
  const geometry = kernelGeometry(layer, b.shape(x)[1]!, kernel, paddings);
  const taps = windowTaps(b, x, {
    ...geometry,
    size: kernel.kernelSize,
    strides: kernel.strides,
    dilationRate: kernel.dilationRate,
    padValue: 0,
  });
  return { taps, outSteps: geometry.outSteps };
}
