/**
 * Datasets: a sync or async iterable of batches, or a function `(epoch) => iterable` that makes a new one per epoch
 * (Keras' generator data adapter). A batch is core's batch contract, `{ inputs, targets, mask?, lengths?,
 * sampleWeights? }` (what `@seqmodel/datasets` yields), with tensors or host arrays; the older spelling `{ x, y,
 * sampleWeight? }` still works. When a batch has both a mask and lengths for an input (as datasets' batches do), the
 * mask is used.
 */
import { type Backend, type Batch, invalidArgument, isHostTensor, SeqmodelError } from '@seqmodel/core';
import {
  ARGUMENT_LABELS,
  BATCH_LABELS,
  type Counts,
  type InputValueChecks,
  type StepBatch,
  type TensorLike,
  type TensorsLike,
  toStepBatch,
} from './batch.js';

/** One batch of a dataset: core's `Batch` of tensors of the model's backend, host arrays or nested arrays. */
export interface DataBatch<T> extends Partial<Batch<TensorLike<T>>> {
  /** @deprecated Spell it `inputs`, as core's batch contract and `@seqmodel/datasets` do. */
  readonly x?: TensorsLike<T>;
  /** @deprecated Spell it `targets`, as core's batch contract and `@seqmodel/datasets` do. */
  readonly y?: TensorsLike<T>;
  /** @deprecated Spell it `sampleWeights`, as core's batch contract and `@seqmodel/datasets` do. */
  readonly sampleWeight?: TensorLike<T>;
}

/** A dataset: batches, once or per epoch. */
export type Dataset<T> =
  | Iterable<DataBatch<T>>
  | AsyncIterable<DataBatch<T>>
  | ((epoch: number) => Iterable<DataBatch<T>> | AsyncIterable<DataBatch<T>>);

/**
 * Turns a dataset's batch into tensors; `what` names it in errors (`fit dataset batch 3`). With `counts.outputs` 0
 * (`predict`) targets are not needed and not read.
 */
export function batchFromDataset<T>(
  backend: Backend<T>,
  element: unknown,
  counts: Counts,
  what: string,
  checks?: InputValueChecks,
): StepBatch<T> {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    invalidArgument(what, element, 'an object { inputs, targets, mask?, lengths?, sampleWeights? }');
  }
  const e = element as DataBatch<T>;
  const inputs = e.inputs ?? e.x;
  const targets = e.targets ?? e.y;
  if (inputs === undefined || (targets === undefined && counts.outputs > 0)) {
    throw new SeqmodelError(
      `${what}: expected ${counts.outputs > 0 ? '{ inputs, targets } (or { x, y })' : '{ inputs } (or { x })'}, received an object with keys ${Object.keys(e).join(', ') || '(none)'}`,
    );
  }
  // Errors name the fields as the batch spells them.
  const labels = e.inputs === undefined ? ARGUMENT_LABELS : BATCH_LABELS;
  const batch = {
    inputs,
    targets,
    mask: e.mask,
    lengths: e.lengths,
    sampleWeights: e.sampleWeights ?? e.sampleWeight,
  };
  // Batches from @seqmodel/datasets carry both a mask and the lengths it was made from: the mask is used.
  return toStepBatch(backend, batch, counts, what, labels, {
    maskOverLengths: true,
    ...(checks === undefined ? {} : { checks }),
  });
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
