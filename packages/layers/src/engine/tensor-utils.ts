/** Small tensor helpers the layers share, written against core's `Ops` so they run on every backend. */
import {
  assertFinite,
  type Backend,
  checkNumberInRange,
  describeValue,
  formatShape,
  invalidArgument,
  type Rng,
  SeqmodelError,
  sizeOfShape,
} from '@seqmodel/core';

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

/** Checks a dropout rate: a number in [0, 1) (1 would drop everything and scale by infinity). */
export function checkDropoutRate(argument: string, value: unknown): number {
  checkNumberInRange(argument, value, 0, 1);
  if (value === 1) invalidArgument(argument, value, 'a rate in [0, 1)');
  return value as number;
}

/**
 * A dropout mask drawn host-side from `rng`: each entry is 0 with probability `rate`, else `1 / (1 - rate)` (inverted
 * dropout, as Keras), so expectations are unchanged.
 */
export function dropoutMask<T>(backend: Backend<T>, rng: Rng, shape: readonly number[], rate: number): T {
  const size = sizeOfShape(shape);
  const values = new Float32Array(size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < size; i++) values[i] = rng.next() < rate ? 0 : keep;
  return backend.tensor(values, shape);
}

/** Normal draws of `mean` and `stddev` in `shape`, host-side from `rng` (GaussianNoise's and GaussianDropout's noise). */
export function normalNoise<T>(
  backend: Backend<T>,
  rng: Rng,
  shape: readonly number[],
  mean: number,
  stddev: number,
): T {
  const values = new Float32Array(sizeOfShape(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal(mean, stddev);
  return backend.tensor(values, shape);
}

/**
 * `output` with `carried` `[batch, n]` in place of the steps that come before each row's first valid step (`mask`
 * `[batch, time]`): what a pass that continues an earlier one (streaming) repeats there, where a fresh pass has zeros.
 * `output` is the sequence `[batch, time, n]`, or the last step `[batch, n]` when `sequence` is false.
 */
export function fillBeforeFirstValid<T>(
  backend: Backend<T>,
  output: T,
  mask: T,
  carried: T,
  sequence: boolean,
): T {
  const [batch, time] = backend.shape(mask) as [number, number];
  // validSoFar[b, t] = number of valid steps in 0..t: the mask times an upper-triangular matrix of ones.
  const upper = new Float32Array(time * time);
  for (let i = 0; i < time; i++) for (let j = i; j < time; j++) upper[i * time + j] = 1;
  const validSoFar = backend.matMul(mask, backend.tensor(upper, [time, time]));
  const noneYet = backend.equal(validSoFar, 0);
  const width = backend.shape(carried)[1]!;
  if (sequence) {
    return backend.where(
      backend.reshape(noneYet, [batch, time, 1]),
      backend.reshape(carried, [batch, 1, width]),
      output,
    );
  }
  return backend.where(backend.slice(noneYet, [0, time - 1], [-1, 1]), carried, output);
}

/** `size` entries of `t` from `start` along `axis` (rows at axis 0, time steps at axis 1), every other axis whole. */
export function sliceAxis<T>(backend: Backend<T>, t: T, axis: number, start: number, size: number): T {
  const shape = backend.shape(t);
  return backend.slice(
    t,
    shape.map((_, i) => (i === axis ? start : 0)),
    shape.map((_, i) => (i === axis ? size : -1)),
  );
}

/**
 * Throws unless `states` holds one tensor of `backend` per entry of `sizes`, each `[batch, size]` with one batch for
 * all (finite, with `backend.checkNumerics`); `what` names the call. Stream and stateful-layer state setters check
 * with it before changing anything.
 */
export function checkStates<T>(
  backend: Backend<T>,
  what: string,
  states: unknown,
  sizes: readonly number[],
): void {
  if (!Array.isArray(states) || states.length !== sizes.length) {
    throw new SeqmodelError(
      `${what}: expected an array of ${sizes.length} state tensors ([batch, ${sizes.join('], [batch, ')}]), received ${Array.isArray(states) ? `${states.length}` : describeValue(states)}`,
    );
  }
  let batch: number | undefined;
  states.forEach((s, k) => {
    if (!backend.isTensor(s)) invalidArgument(`${what}[${k}]`, s, `a tensor of backend ${backend.name}`);
    const shape = backend.shape(s);
    if (shape.length !== 2 || shape[1] !== sizes[k] || (batch !== undefined && shape[0] !== batch)) {
      throw new SeqmodelError(
        `${what}[${k}]: expected shape [${batch ?? 'batch'}, ${sizes[k]}], received shape ${formatShape(shape)}`,
      );
    }
    batch = shape[0];
    if (backend.checkNumerics) assertFinite(backend, s, `${what}[${k}]`);
  });
}
