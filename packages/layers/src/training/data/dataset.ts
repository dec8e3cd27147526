/**
 * Datasets: a sync or async iterable of batches, or a function `(epoch) => iterable` that makes a new one per epoch
 * (Keras' generator data adapter). A batch is `{ x, y, mask?, lengths?, sampleWeight? }`, or datasets'
 * `{ inputs, targets, mask?, lengths?, sampleWeights? }`, with tensors or host arrays. When a batch has both a mask
 * and lengths for an input (as datasets' batches do), the mask is used.
 */
import { type Backend, invalidArgument, SeqmodelError } from '@seqmodel/core';
import {
  type Batch,
  checkRows,
  isHostTensor,
  type LengthsLike,
  type TensorLike,
  type TensorsLike,
  toLengthsList,
  toMaskList,
  toTensor,
  toTensorList,
} from './batch.js';

/** One batch of a dataset. */
export interface DataBatch<T> {
  readonly x?: TensorsLike<T>;
  readonly y?: TensorsLike<T>;
  /** `@seqmodel/datasets`' name for `x`. */
  readonly inputs?: TensorsLike<T>;
  /** `@seqmodel/datasets`' name for `y`. */
  readonly targets?: TensorsLike<T>;
  /** `[batch, time]` mask of the (first) input, or one per input. */
  readonly mask?: TensorLike<T> | readonly (TensorLike<T> | undefined)[];
  /** Lengths of the (first) input's sequences, or one per input. */
  readonly lengths?: LengthsLike<T> | readonly (LengthsLike<T> | undefined)[];
  readonly sampleWeight?: TensorLike<T>;
  /** `@seqmodel/datasets`' name for `sampleWeight`. */
  readonly sampleWeights?: TensorLike<T>;
}

/** A dataset: batches, once or per epoch. */
export type Dataset<T> =
  | Iterable<DataBatch<T>>
  | AsyncIterable<DataBatch<T>>
  | ((epoch: number) => Iterable<DataBatch<T>> | AsyncIterable<DataBatch<T>>);

/** Turns a dataset's batch into tensors; `what` names it in errors (`fit dataset batch 3`). */
export function batchFromDataset<T>(
  backend: Backend<T>,
  element: unknown,
  counts: { readonly inputs: number; readonly outputs: number },
  what: string,
): Batch<T> {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    invalidArgument(what, element, 'an object { x, y, mask?, lengths?, sampleWeight? }');
  }
  const e = element as DataBatch<T>;
  const x = e.x ?? e.inputs;
  const y = e.y ?? e.targets;
  if (x === undefined || y === undefined) {
    throw new SeqmodelError(
      `${what}: expected { x, y } (or { inputs, targets }), received an object with keys ${Object.keys(e).join(', ') || '(none)'}`,
    );
  }
  const owned: T[] = [];
  try {
    const xs = toTensorList(backend, x, `${what} x`, owned, counts.inputs);
    const ys = toTensorList(backend, y, `${what} y`, owned, counts.outputs);
    const masks = toMaskList(backend, e.mask, xs.length, `${what} mask`, owned);
    // Batches from @seqmodel/datasets carry both a mask and the lengths it was made from: the mask is used.
    const lengths = toLengthsList(backend, e.lengths, xs.length, `${what} lengths`).map((l, i) =>
      masks[i] === undefined ? l : undefined,
    );
    const weight = e.sampleWeight ?? e.sampleWeights;
    const sampleWeight =
      weight === undefined ? undefined : toTensor(backend, weight, `${what} sampleWeight`, owned);
    const size = checkRows(backend, what, xs, ys, masks, lengths, sampleWeight);
    return { xs, ys, masks, lengths, sampleWeight, size, owned };
  } catch (error) {
    backend.dispose(owned);
    throw error;
  }
}

/** Whether `value` looks like a dataset rather than in-memory tensors (see the module comment). */
export function isDataset(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Symbol.asyncIterator in value) return true;
  if (Array.isArray(value)) {
    const first = value[0];
    return (
      typeof first === 'object' &&
      first !== null &&
      !Array.isArray(first) &&
      !isHostTensor(first) &&
      ('x' in first || 'inputs' in first)
    );
  }
  return Symbol.iterator in value && !ArrayBuffer.isView(value);
}

/** Reads batches from a dataset, pass after pass (see `fit`'s `stepsPerEpoch`). */
export class DatasetReader<T> {
  private iterator: Iterator<DataBatch<T>> | AsyncIterator<DataBatch<T>> | undefined;
  private readonly oneShot: boolean;
  private passes = 0;
  private yielded = false;

  constructor(
    private readonly dataset: Dataset<T>,
    private readonly what: string,
  ) {
    if (!isDataset(dataset)) {
      invalidArgument(
        what,
        dataset,
        'an iterable or async iterable of batches, or a function (epoch) => iterable',
      );
    }
    // An iterator that returns itself (a generator) can be read once; arrays, iterables and functions give new passes.
    this.oneShot =
      typeof dataset !== 'function' &&
      ((Symbol.iterator in dataset &&
        (dataset as Iterable<unknown>)[Symbol.iterator]() === (dataset as unknown)) ||
        (Symbol.asyncIterator in dataset &&
          (dataset as AsyncIterable<unknown>)[Symbol.asyncIterator]() === (dataset as unknown)));
  }

  /** Whether a pass is under way. */
  get active(): boolean {
    return this.iterator !== undefined;
  }

  /** Whether a new pass can start: not for a one-shot iterator already started, nor after a pass that was empty. */
  get canRestart(): boolean {
    if (this.passes === 0) return true;
    return !this.oneShot && this.yielded;
  }

  /** Starts a new pass (`epoch` goes to a dataset function). */
  restart(epoch: number): void {
    const source = typeof this.dataset === 'function' ? this.dataset(epoch) : this.dataset;
    if (
      typeof source !== 'object' ||
      source === null ||
      !(Symbol.iterator in source || Symbol.asyncIterator in source)
    ) {
      invalidArgument(`${this.what}(${epoch})`, source, 'an iterable or async iterable of batches');
    }
    this.iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<DataBatch<T>>)[Symbol.asyncIterator]()
        : (source as Iterable<DataBatch<T>>)[Symbol.iterator]();
    this.passes += 1;
    this.yielded = false;
  }

  /** The next batch of the pass, or undefined when it is over. */
  async next(): Promise<DataBatch<T> | undefined> {
    if (this.iterator === undefined) return undefined;
    const result = await this.iterator.next();
    if (result.done) {
      this.iterator = undefined;
      return undefined;
    }
    this.yielded = true;
    return result.value;
  }
}
