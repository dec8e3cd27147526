/**
 * Sliding windows over a time series: each window of `inputLength` steps becomes an input, and the `horizon` steps
 * after it (optionally after a gap) its target. Like Keras' `timeseries_dataset_from_array`, in memory.
 */
import {
  checkOptions,
  checkPositiveInteger,
  invalidArgument,
  optionKeys,
  SeqmodelError,
} from '@seqmodel/core';
import type { SequenceData } from '../batch.js';
import { checkNonNegativeInteger } from '../checks.js';
import type { TensorData } from '../tensor-data.js';

/** A series: a `Float32Array` (univariate) or `[time, features]` float32 data. */
export type Series = Float32Array | TensorData<Float32Array>;

export interface WindowOptions {
  /** Steps per input window. */
  inputLength: number;
  /** Steps to predict after each window (default 1). */
  horizon?: number;
  /** Steps between the starts of consecutive windows (default 1). */
  stride?: number;
  /** Steps skipped between the end of a window and its first target (default 0: the very next step). */
  gap?: number;
  /** Feature columns that form the targets (default: all). Only for `[time, features]` series. */
  targetColumns?: readonly number[];
}

/** A series as `[time, features]`. */
export function asMatrix(
  series: Series,
  argument = 'series',
): { data: Float32Array; time: number; features: number } {
  if (series instanceof Float32Array) return { data: series, time: series.length, features: 1 };
  if (!series || !(series.data instanceof Float32Array) || series.shape.length !== 2) {
    invalidArgument(argument, series, 'a Float32Array or { data: Float32Array, shape: [time, features] }');
  }
  const [time, features] = series.shape as [number, number];
  return { data: series.data, time, features };
}

const windowKeys = optionKeys<WindowOptions>({
  inputLength: true,
  horizon: true,
  stride: true,
  gap: true,
  targetColumns: true,
});

/**
 * Checks the window options (of the function `caller`) against a series of `time` steps; returns them resolved.
 */
export function resolveWindowOptions(
  caller: string,
  options: WindowOptions,
  features: number,
  time?: number,
) {
  checkOptions(`${caller}(options)`, options, windowKeys);
  const inputLength = checkPositiveInteger('inputLength', options?.inputLength);
  const horizon = checkPositiveInteger('horizon', options.horizon ?? 1);
  const stride = checkPositiveInteger('stride', options.stride ?? 1);
  const gap = options.gap ?? 0;
  if (!Number.isInteger(gap) || gap < 0) invalidArgument('gap', gap, 'a non-negative integer');
  const targetColumns = options.targetColumns ?? Array.from({ length: features }, (_, f) => f);
  if (!Array.isArray(targetColumns) || targetColumns.length === 0) {
    invalidArgument('targetColumns', targetColumns, 'a non-empty array of column indices');
  }
  targetColumns.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= features) {
      invalidArgument(`targetColumns[${i}]`, c, `a column index in [0, ${features})`);
    }
  });
  const span = inputLength + gap + horizon;
  if (time !== undefined) {
    if (time === 0) invalidArgument('series', [], 'a non-empty series');
    if (span > time) {
      throw new SeqmodelError(
        `inputLength + gap + horizon: expected at most the series length (${time}), received ${span} ` +
          `(${inputLength} + ${gap} + ${horizon})`,
      );
    }
  }
  return { inputLength, horizon, stride, gap, targetColumns, span };
}

/** How many windows fit in `time` steps. */
export function numWindows(time: number, options: WindowOptions): number {
  checkNonNegativeInteger('time', time);
  const o = resolveWindowOptions('numWindows', options, 1);
  return time < o.span ? 0 : Math.floor((time - o.span) / o.stride) + 1;
}

/**
 * Cuts `series` into windows.
 *
 * - inputs: `[n, inputLength, features]`.
 * - targets: `[n, horizon]` for a univariate `Float32Array` series, `[n, horizon, targetColumns.length]` for a
 *   `[time, features]` series.
 *
 * The window count is `⌊(time − inputLength − gap − horizon) / stride⌋ + 1`; a series shorter than one window is
 * an error.
 */
export function slidingWindows(series: Series, options: WindowOptions): SequenceData {
  const { data, time, features } = asMatrix(series);
  const o = resolveWindowOptions('slidingWindows', options, features, time);
  const n = Math.floor((time - o.span) / o.stride) + 1;
  const targetWidth = o.targetColumns.length;
  const inputs = new Float32Array(n * o.inputLength * features);
  const targets = new Float32Array(n * o.horizon * targetWidth);
  for (let i = 0; i < n; i++) {
    const start = i * o.stride;
    inputs.set(
      data.subarray(start * features, (start + o.inputLength) * features),
      i * o.inputLength * features,
    );
    const targetStart = start + o.inputLength + o.gap;
    for (let h = 0; h < o.horizon; h++) {
      for (let c = 0; c < targetWidth; c++) {
        targets[(i * o.horizon + h) * targetWidth + c] =
          data[(targetStart + h) * features + o.targetColumns[c]!]!;
      }
    }
  }
  return {
    inputs: { data: inputs, shape: [n, o.inputLength, features] },
    targets: {
      data: targets,
      shape: series instanceof Float32Array ? [n, o.horizon] : [n, o.horizon, targetWidth],
    },
  };
}
