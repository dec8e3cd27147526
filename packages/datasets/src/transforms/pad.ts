/**
 * Padding and truncation of variable-length sequences into one rectangular array, with the mask and lengths that
 * tell a model which steps are real. `padSequences` follows Keras' `pad_sequences` (pre-padding and
 * pre-truncation by default).
 */
import { checkOneOf, checkOptions, checkPositiveInteger, invalidArgument } from '@seqmodel/core';
import type { DataArray, TensorData } from '../tensor-data.js';

/** A sequence: numbers (one value per step) or vectors (one feature vector per step). */
export type Sequence = ArrayLike<number> | readonly ArrayLike<number>[];

export type PaddingSide = 'pre' | 'post';

export interface PadOptions {
  /** Length of the output (default: the longest sequence). Longer sequences are truncated. */
  maxLength?: number;
  /** Where padding goes: `'pre'` (before the sequence, Keras' default) or `'post'`. */
  padding?: PaddingSide;
  /** Which end is cut from sequences longer than `maxLength`: `'pre'` (the start, Keras' default) or `'post'`. */
  truncating?: PaddingSide;
  /** Value of padded steps (default 0). */
  value?: number;
  /**
   * `int32` (token ids) or `float32`. Default: `float32` if any sequence is a float typed array or holds a
   * non-integer value, else `int32`. Non-integers with `int32` are an error (never silently truncated).
   */
  dtype?: 'float32' | 'int32';
}

export interface PaddedSequences {
  /** `[n, maxLength]` for number sequences, `[n, maxLength, features]` for vector sequences. */
  readonly values: TensorData;
  /** `[n, maxLength]` float32: 1 at real steps, 0 at padding. */
  readonly mask: TensorData<Float32Array>;
  /**
   * Real steps kept from each sequence (after truncation). A model's `lengths` option reads them as "the first L
   * steps are real", true only with `padding: 'post'`; with pre-padding (the default) give the model `mask`.
   */
  readonly lengths: Int32Array;
}

const sides = ['pre', 'post'] as const;

function isVectorSequence(seq: Sequence): seq is readonly ArrayLike<number>[] {
  return seq.length > 0 && typeof seq[0] !== 'number';
}

/** Number of features per step of `sequences` (0 when they hold plain numbers), checking they all agree. */
/** How errors name sequence `i` (`sequences[2]`, `examples[2].input`). */
export type SequenceName = (i: number) => string;

function featureSize(sequences: readonly Sequence[], name: SequenceName): number {
  let features: number | undefined;
  sequences.forEach((seq, i) => {
    if (seq === null || typeof seq !== 'object' || typeof seq.length !== 'number') {
      invalidArgument(name(i), seq, 'an array of numbers or of number vectors');
    }
    if (seq.length === 0) return;
    const f = isVectorSequence(seq) ? (seq[0]?.length ?? 0) : 0;
    if (features === undefined) features = f;
    for (let t = 0; t < seq.length; t++) {
      const step = seq[t];
      const stepFeatures = typeof step === 'number' ? 0 : (step as ArrayLike<number>)?.length;
      if (stepFeatures !== features) {
        invalidArgument(
          `${name(i)}[${t}]`,
          step,
          features === 0 ? 'a number (like the other steps)' : `a vector of ${features} numbers`,
        );
      }
    }
  });
  return features ?? 0;
}

/** The dtype padding should produce for `sequences` (see `PadOptions.dtype`). */
function inferDtype(sequences: readonly Sequence[], padValue = 0): 'float32' | 'int32' {
  if (!Number.isInteger(padValue)) return 'float32';
  for (const seq of sequences) {
    if (seq instanceof Float32Array || seq instanceof Float64Array) return 'float32';
    for (let t = 0; t < seq.length; t++) {
      const step = seq[t]!;
      if (typeof step === 'number') {
        if (!Number.isInteger(step)) return 'float32';
      } else {
        if (step instanceof Float32Array || step instanceof Float64Array) return 'float32';
        for (let f = 0; f < step.length; f++) if (!Number.isInteger(step[f])) return 'float32';
      }
    }
  }
  return 'int32';
}

/** Resolved padding options, shared by `padSequences` and the batch collation. */
export interface ResolvedPad {
  maxLength: number | undefined;
  padding: PaddingSide;
  truncating: PaddingSide;
  value: number;
  dtype: 'float32' | 'int32' | undefined;
}

/**
 * Checks padding options; `names` are how errors name the value and dtype options (`collate` calls them
 * `padValue` / `targetPadValue` and `dtype` / `targetDtype`). `null` means the default, as `undefined` does.
 */
export function resolvePadOptions(
  options: PadOptions | undefined,
  defaultSide: PaddingSide,
  names: { readonly value: string; readonly dtype: string } = { value: 'value', dtype: 'dtype' },
): ResolvedPad {
  const maxLength = options?.maxLength ?? undefined;
  if (maxLength !== undefined) checkPositiveInteger('maxLength', maxLength);
  const value = options?.value ?? 0;
  if (typeof value !== 'number' || Number.isNaN(value)) invalidArgument(names.value, value, 'a number');
  return {
    maxLength,
    padding: checkOneOf('padding', options?.padding ?? defaultSide, sides),
    truncating: checkOneOf('truncating', options?.truncating ?? defaultSide, sides),
    value,
    dtype:
      options?.dtype === undefined || options.dtype === null
        ? undefined
        : checkOneOf(names.dtype, options.dtype, ['float32', 'int32'] as const),
  };
}

/** Pads with already-resolved options; `argument` names the sequences in error messages. */
export function padResolved(
  sequences: readonly Sequence[],
  o: ResolvedPad,
  argument: string,
  name: SequenceName = (i) => `${argument}[${i}]`,
): PaddedSequences {
  if (!Array.isArray(sequences)) invalidArgument(argument, sequences, 'an array of sequences');
  const features = featureSize(sequences, name);
  const width = Math.max(1, features);
  const longest = sequences.reduce((m, s) => Math.max(m, s.length), 0);
  const maxLength = o.maxLength ?? longest;
  const dtype = o.dtype ?? inferDtype(sequences, o.value);
  const n = sequences.length;
  const values: DataArray =
    dtype === 'int32' ? new Int32Array(n * maxLength * width) : new Float32Array(n * maxLength * width);
  if (o.value !== 0) values.fill(o.value);
  const mask = new Float32Array(n * maxLength);
  const lengths = new Int32Array(n);
  sequences.forEach((seq, i) => {
    const kept = Math.min(seq.length, maxLength);
    const from = o.truncating === 'pre' ? seq.length - kept : 0;
    const to = o.padding === 'pre' ? maxLength - kept : 0;
    lengths[i] = kept;
    for (let t = 0; t < kept; t++) {
      const step = seq[from + t]!;
      const at = (i * maxLength + to + t) * width;
      mask[i * maxLength + to + t] = 1;
      const where = () => `${name(i)}[${from + t}]`;
      if (typeof step === 'number') writeValue(values, at, step, where);
      else for (let f = 0; f < width; f++) writeValue(values, at + f, step[f]!, where);
    }
  });
  return {
    values: { data: values, shape: features === 0 ? [n, maxLength] : [n, maxLength, features] },
    mask: { data: mask, shape: [n, maxLength] },
    lengths,
  };
}

function writeValue(out: DataArray, at: number, v: number, where: () => string): void {
  if (typeof v !== 'number' || Number.isNaN(v)) invalidArgument(where(), v, 'a number');
  if (out instanceof Int32Array && !Number.isInteger(v)) {
    invalidArgument(where(), v, 'an integer (dtype is int32)');
  }
  out[at] = v;
}

/**
 * Pads (and truncates) `sequences` to one length. Sequences of numbers give `[n, maxLength]`, sequences of
 * vectors `[n, maxLength, features]`.
 *
 * @example
 * padSequences([[1, 2, 3], [4]], { padding: 'post' });
 * // values [[1, 2, 3], [4, 0, 0]], mask [[1, 1, 1], [1, 0, 0]], lengths [3, 1]
 */
export function padSequences(sequences: readonly Sequence[], options: PadOptions = {}): PaddedSequences {
  checkOptions('padSequences(options)', options, ['maxLength', 'padding', 'truncating', 'value', 'dtype']);
  return padResolved(sequences, resolvePadOptions(options, 'pre'), 'sequences');
}
