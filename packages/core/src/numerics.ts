/**
 * Checks that tensors hold only finite numbers, naming the first NaN or ±Infinity by its index. Off by default
 * (reading values back costs time); a backend turns it on with `Backend.checkNumerics`, and then `runSequence`
 * checks every tensor argument before running a cell. Layers and fused kernels call {@link assertFinite} on their
 * own inputs under the same flag.
 */
import type { Backend } from './backend.js';
import { SeqmodelError } from './errors.js';
import type { SequenceArgs } from './sequence.js';
import { formatShape, type Shape, stridesOf } from './shape.js';

/** Index of the first NaN or ±Infinity in `values`, or -1 when all are finite. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) return i;
  }
  return -1;
}

/** The multi-index of element `flat` of a row-major tensor of `shape` (`[]` for a scalar). */
export function unravelIndex(flat: number, shape: Shape): number[] {
  return stridesOf(shape).map((stride, axis) => Math.floor(flat / stride) % shape[axis]!);
}

/**
 * Throws a `SeqmodelError` when `x` holds a NaN or ±Infinity, naming `argument`, the first bad element's index and
 * value, how many elements are bad and the tensor's shape. int32 tensors are always finite and are not read.
 *
 * @example
 * assertFinite(backend, inputs, 'lstm inputs');
 * // SeqmodelError: lstm inputs: expected finite values, received NaN at index [0, 3, 1]
 * //   (1 of 24 elements not finite, shape [2, 4, 3])
 */
export function assertFinite<T>(backend: Backend<T>, x: T, argument: string): void {
  if (backend.dtype(x) === 'int32') return;
  const values = backend.dataSync(x);
  const first = firstNonFinite(values);
  if (first < 0) return;
  let count = 0;
  for (let i = first; i < values.length; i++) if (!Number.isFinite(values[i]!)) count++;
  const shape = backend.shape(x);
  throw new SeqmodelError(
    `${argument}: expected finite values, received ${values[first]} at index ${formatShape(unravelIndex(first, shape))} ` +
      `(${count} of ${values.length} elements not finite, shape ${formatShape(shape)})`,
  );
}

/**
 * Throws unless every value of a mask is 0 or 1, naming the first other value and its index. A mask of 0.5 or 2 would
 * otherwise scale states and losses without a word.
 */
export function checkMaskValues(values: ArrayLike<number>, shape: readonly number[], argument: string): void {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== 1) {
      if (first < 0) first = i;
      count += 1;
    }
  }
  if (first < 0) return;
  throw new SeqmodelError(
    `${argument}: expected 0 (masked) or 1 (valid) in a mask, received ${values[first]} at index ` +
      `${formatShape(unravelIndex(first, shape))} (${count} of ${values.length} values, shape ${formatShape(shape)})`,
  );
}

/**
 * Every tensor of a sequence call with the name errors give it: inputs, params, initial states, the masks, and
 * `extra` (a traced call's probe, say) after them.
 */
export function namedSequenceTensors<T>(
  args: SequenceArgs<T>,
  extra: Readonly<Record<string, T | undefined>> = {},
): [tensor: T, argument: string][] {
  const name = args.cell.name;
  const named: [T, string][] = [[args.inputs, `${name} inputs`]];
  for (const [param, tensor] of Object.entries(args.params)) named.push([tensor, `${name} params.${param}`]);
  args.initialState?.forEach((s, i) => {
    named.push([s, `${name} initialState[${i}]`]);
  });
  const optional = { mask: args.mask, recurrentMask: args.recurrentMask, ...extra };
  for (const [key, tensor] of Object.entries(optional)) {
    if (tensor !== undefined) named.push([tensor, `${name} ${key}`]);
  }
  return named;
}

/**
 * {@link assertFinite} on every tensor of a sequence call: inputs, params, initial state and the recurrent mask; the
 * mask's values must be 0 or 1 ({@link checkMaskValues}, which refuses NaN and ±Infinity too), read once.
 */
export function assertSequenceFinite<T>(backend: Backend<T>, args: SequenceArgs<T>): void {
  for (const [tensor, argument] of namedSequenceTensors(args)) {
    if (tensor === args.mask) checkMaskValues(backend.dataSync(tensor), backend.shape(tensor), argument);
    else assertFinite(backend, tensor, argument);
  }
}
