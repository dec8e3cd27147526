/**
 * Masks mark the valid time steps of padded sequences: a float32 tensor `[batch, time]` holding 1 for a valid step
 * and 0 for a masked one. They come from a `masking` layer, an `embedding({ maskZero: true })`, an explicit `mask`
 * or a lengths array (`lengthsToMask`), and flow through the layers that support them, as in Keras.
 */
import { type Backend, checkMaskValues, formatShape, invalidArgument, SeqmodelError } from '@seqmodel/core';

/**
 * A mask `[batch, time]` from sequence lengths: row `b` is valid for its first `lengths[b]` steps (post-padding).
 *
 * @example
 * lengthsToMask(backend, [2, 3], 4); // [[1, 1, 0, 0], [1, 1, 1, 0]]
 */
export function lengthsToMask<T>(
  backend: Backend<T>,
  lengths: readonly number[],
  time: number,
  argument = 'lengths',
): T {
  if (!Array.isArray(lengths)) invalidArgument(argument, lengths, 'an array of sequence lengths');
  const values = new Float32Array(lengths.length * time);
  lengths.forEach((length, b) => {
    if (!Number.isInteger(length) || length < 0 || length > time) {
      invalidArgument(
        `${argument}[${b}]`,
        length,
        `an integer in [0, ${time}] (the time steps of the input)`,
      );
    }
    values.fill(1, b * time, b * time + length);
  });
  return backend.tensor(values, [lengths.length, time]);
}

/**
 * Checks lengths against an input `[batch, time, ...]` and turns them into a mask; the message names the argument,
 * the count received and what the input needs.
 */
export function maskFromLengths<T>(
  backend: Backend<T>,
  lengths: readonly number[],
  inputShape: readonly number[],
  argument: string,
): T {
  if (!Array.isArray(lengths)) invalidArgument(argument, lengths, 'an array of sequence lengths');
  if (inputShape.length < 2) {
    throw new SeqmodelError(
      `${argument}: lengths need an input with a time axis [batch, time, ...], received input shape ${formatShape(inputShape)}`,
    );
  }
  const [batch, time] = inputShape as [number, number];
  if (lengths.length !== batch) {
    throw new SeqmodelError(
      `${argument}: expected ${batch} lengths (one per batch row of the input ${formatShape(inputShape)}), received ${lengths.length}`,
    );
  }
  return lengthsToMask(backend, lengths, time, argument);
}

/**
 * Throws unless `mask` is `[batch, time]` for an input `[batch, time, ...]`; with `backend.checkNumerics`, also unless
 * it holds only 0 and 1 (that reads it back, which is why it is not done otherwise).
 */
export function checkMask<T>(
  backend: Backend<T>,
  argument: string,
  mask: T,
  inputShape: readonly number[],
): void {
  if (!backend.isTensor(mask)) invalidArgument(argument, mask, 'a tensor [batch, time]');
  const shape = backend.shape(mask);
  const expected = inputShape.slice(0, 2);
  if (shape.length !== 2 || shape[0] !== expected[0] || shape[1] !== expected[1]) {
    throw new SeqmodelError(
      `${argument}: expected shape ${formatShape(expected)} ([batch, time] of the input ${formatShape(inputShape)}), received shape ${formatShape(shape)}`,
    );
  }
  if (backend.checkNumerics) checkMaskValues(backend.dataSync(mask), shape, argument);
}
