/** Small tensor helpers the layers share, written against core's `Ops` so they run on every backend. */
import type { Backend, Rng } from '@seqmodel/core';

/** `x` with its time axis (axis 1) reversed. */
export function reverseTime<T>(backend: Backend<T>, x: T): T {
  const time = backend.shape(x)[1]!;
  const indices = backend.tensor(
    Int32Array.from({ length: time }, (_, i) => time - 1 - i),
    [time],
    'int32',
  );
  return backend.gather(x, indices, 1);
}

/**
 * The entry of `seq` `[batch, time, n]` at each row's last valid step: the last step where `mask` `[batch, time]` is
 * 1 (the last step when there is no mask or when a row has no valid step). Differentiable with respect to `seq`.
 */
export function lastValidStep<T>(backend: Backend<T>, seq: T, mask: T | undefined): T {
  const [batch, time, width] = backend.shape(seq) as [number, number, number];
  if (mask === undefined)
    return backend.reshape(backend.slice(seq, [0, time - 1, 0], [-1, 1, -1]), [batch, width]);
  // Valid steps weighted by position 1..time: the largest is the last valid step; an empty row picks the last step.
  const positions = backend.tensor(
    Float32Array.from({ length: time }, (_, i) => i + 1),
    [1, time],
  );
  const weighted = backend.mul(mask, positions);
  const hasValid = backend.greater(backend.max(mask, 1), 0);
  const index = backend.where(hasValid, backend.cast(backend.argMax(weighted, 1), 'float32'), time - 1);
  const onehot = backend.oneHot(backend.cast(index, 'int32'), time);
  return backend.sum(backend.mul(seq, backend.reshape(onehot, [batch, time, 1])), 1);
}

/**
 * A dropout mask drawn host-side from `rng`: each entry is 0 with probability `rate`, else `1 / (1 - rate)` (inverted
 * dropout, as Keras), so expectations are unchanged.
 */
export function dropoutMask<T>(backend: Backend<T>, rng: Rng, shape: readonly number[], rate: number): T {
  const size = shape.reduce((n, d) => n * d, 1);
  const values = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) values[i] = rng.next() < rate ? 0 : keep;
  return backend.tensor(values, shape);
}
