/**
 * Next-token prediction windows for language modeling: the input is a stretch of token ids and the target the
 * same stretch shifted by one (`targets[t] = ids[start + t + 1]`).
 */
import { checkOptions, checkPositiveInteger, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { SequenceData } from '../batch.js';
import { checkArrayLike } from '../checks.js';

export interface LanguageModelWindowOptions {
  /** Tokens per window. */
  sequenceLength: number;
  /** Tokens between window starts (default `sequenceLength`: windows that do not overlap). */
  stride?: number;
}

/**
 * - inputs: `[n, sequenceLength]` int32, `ids[s … s + L − 1]` for `s = 0, stride, 2·stride, …`.
 * - targets: `[n, sequenceLength]` int32, `ids[s + 1 … s + L]`.
 *
 * `n = ⌊(ids.length − 1 − L) / stride⌋ + 1`; fewer than `L + 1` ids is an error.
 */
export function nextTokenWindows(ids: ArrayLike<number>, options: LanguageModelWindowOptions): SequenceData {
  checkOptions('nextTokenWindows(options)', options, ['sequenceLength', 'stride']);
  const length = checkPositiveInteger('sequenceLength', options?.sequenceLength);
  const stride = checkPositiveInteger('stride', options.stride ?? length);
  checkTokenIds('ids', ids);
  if (ids.length < length + 1) {
    throw new SeqmodelError(
      `sequenceLength: expected at most ${Math.max(0, ids.length - 1)} (one less than the ${ids.length} ids), received ${length}`,
    );
  }
  const n = Math.floor((ids.length - 1 - length) / stride) + 1;
  const inputs = new Int32Array(n * length);
  const targets = new Int32Array(n * length);
  for (let i = 0; i < n; i++) {
    const s = i * stride;
    for (let t = 0; t < length; t++) {
      inputs[i * length + t] = ids[s + t]!;
      targets[i * length + t] = ids[s + t + 1]!;
    }
  }
  return { inputs: { data: inputs, shape: [n, length] }, targets: { data: targets, shape: [n, length] } };
}

/** Checks that `ids` is an array of integers (token ids are copied into an `Int32Array`, which would truncate). */
function checkTokenIds(argument: string, ids: unknown): void {
  checkArrayLike(argument, ids, 'an array of integer token ids');
  const values = ids as ArrayLike<unknown>;
  for (let i = 0; i < values.length; i++) {
    const id = values[i];
    if (typeof id !== 'number' || !Number.isInteger(id))
      invalidArgument(`${argument}[${i}]`, id, 'an integer token id');
  }
}
