/**
 * The batch contract: one batch of examples as data sets yield it and training takes it, spelled the same
 * everywhere: `inputs`, `targets`, `mask`, `lengths`, `sampleWeights`. Axis 0 of every array is the example. A model
 * with several inputs or outputs takes one value per input or output (a list); nested arrays of numbers are always one
 * value. `batchToTensors` is the one converter from a batch of host values to backend tensors.
 */
import type { Backend } from './backend.js';
import { invalidArgument, SeqmodelError } from './errors.js';
import { isHostTensor, isNestedNumbers, type TensorLike, toBackendTensor } from './host-tensor.js';

/** Valid steps of each example (`[batch]`): host integers, or a value of the batch's kind. */
export type Lengths<V> = Int32Array | readonly number[] | V;

/** One batch of examples; `V` is what its arrays are (host tensors from data sets, backend tensors, ...). */
export interface Batch<V> {
  /** The model's input (`[batch, time, features]` values or `[batch, time]` ids), or one per model input. */
  readonly inputs: V | readonly V[];
  /** What the model should output, or one per model output. */
  readonly targets?: V | readonly V[];
  /** `[batch, time]`, 1 for real steps and 0 for padding: of the (first) input, or one per input. */
  readonly mask?: V | readonly (V | undefined)[];
  /** Real steps of each example, of the (first) input or one per input; a mask made from them is redundant. */
  readonly lengths?: Lengths<V> | readonly (Lengths<V> | undefined)[];
  /** Weights of the targets: `[batch]` per example or `[batch, time]` per step; a weight of 0 leaves one out. */
  readonly sampleWeights?: V;
}

/** The fields of a batch. */
export type BatchField = keyof Batch<unknown>;

/** A batch of backend tensors, as `batchToTensors` returns it: lengths are int32 `[batch]` tensors. */
export interface TensorBatch<T> {
  inputs: T | T[];
  targets?: T | T[];
  mask?: T | (T | undefined)[];
  lengths?: T | (T | undefined)[];
  sampleWeights?: T;
}

export interface BatchToTensorsOptions<T> {
  /** How errors name each field (default: the field's name), e.g. `{ inputs: 'fit x' }`. */
  readonly names?: Partial<Readonly<Record<BatchField, string>>>;
  /**
   * Receives the tensors made here, for the caller to free; tensors of the backend given in the batch are used as
   * they are and not listed. Without it the caller owns every tensor made (all of them, for a batch of host values).
   */
  readonly created?: T[];
  /**
   * How many inputs and outputs the model has (default 1 each). With several, an array of `inputs` or `targets` is
   * one value per input or output even when it reads as nested numbers (`[ids, [[1], [0]]]`).
   */
  readonly counts?: { readonly inputs?: number; readonly targets?: number };
}

/** A list of values (several inputs or outputs) rather than one value: an array that is not nested numbers. */
function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) && !isNestedNumbers(value);
}

/** Lengths of one input rather than a list of them: an `Int32Array`, numbers, or a single value. */
function isSingleLengths(value: unknown): boolean {
  return !Array.isArray(value) || value.every((v) => typeof v === 'number');
}

/**
 * Turns a batch into tensors of `backend`, field by field and keeping its structure (one value or a list). Host
 * tensors keep their dtype (int32 for an `Int32Array`), nested arrays become float32, lengths become int32 `[batch]`
 * tensors; tensors of the backend are used as they are. Lists of masks and of lengths may hold `undefined` for an
 * input that has none. When one value cannot be converted, the tensors made so far are freed and the error names the
 * field (and the list entry).
 */
export function batchToTensors<T>(
  backend: Backend<T>,
  batch: Batch<TensorLike<T>>,
  options: BatchToTensorsOptions<T> = {},
): TensorBatch<T> {
  if (typeof batch !== 'object' || batch === null) {
    invalidArgument(
      'batchToTensors(batch)',
      batch,
      'an object { inputs, targets?, mask?, lengths?, sampleWeights? }',
    );
  }
  const name = (field: BatchField) => options.names?.[field] ?? field;
  const made: T[] = [];
  const one = (value: unknown, argument: string) => toBackendTensor(backend, value, argument, made);
  // Only a list of masks may leave an input out; every input and target needs a value.
  const oneOrList = (field: BatchField, value: unknown, count = 1): T | (T | undefined)[] =>
    isList(value) || (Array.isArray(value) && count > 1)
      ? value.map((v, i) =>
          v === undefined && field === 'mask' ? undefined : one(v, `${name(field)}[${i}]`),
        )
      : one(value, name(field));
  const lengths = (value: unknown, argument: string): T => {
    if (backend.isTensor(value) || isHostTensor(value)) return one(value, argument);
    if (!(value instanceof Int32Array) && !Array.isArray(value)) {
      invalidArgument(argument, value, 'an Int32Array, an array of integers or an int tensor');
    }
    const list = value as ArrayLike<number>;
    for (let i = 0; i < list.length; i++) {
      if (!Number.isInteger(list[i]) || list[i]! < 0) {
        throw new SeqmodelError(
          `${argument}[${i}]: expected a non-negative integer length, received ${String(list[i])}`,
        );
      }
    }
    return one({ data: Int32Array.from(list), shape: [list.length] }, argument);
  };
  try {
    if (batch.inputs === undefined || batch.inputs === null) {
      invalidArgument(name('inputs'), batch.inputs, 'a tensor-like, or one per model input');
    }
    const out: TensorBatch<T> = {
      inputs: oneOrList('inputs', batch.inputs, options.counts?.inputs) as T | T[],
    };
    if (batch.targets !== undefined) {
      out.targets = oneOrList('targets', batch.targets, options.counts?.targets) as T | T[];
    }
    if (batch.mask !== undefined) out.mask = oneOrList('mask', batch.mask);
    if (batch.lengths !== undefined) {
      const value = batch.lengths;
      out.lengths = isSingleLengths(value)
        ? lengths(value, name('lengths'))
        : (value as readonly unknown[]).map((l, i) =>
            l === undefined ? undefined : lengths(l, `${name('lengths')}[${i}]`),
          );
    }
    if (batch.sampleWeights !== undefined)
      out.sampleWeights = one(batch.sampleWeights, name('sampleWeights'));
    options.created?.push(...made);
    return out;
  } catch (error) {
    backend.dispose(made);
    throw error;
  }
}
