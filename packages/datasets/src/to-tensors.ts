/**
 * The one place where data meets a tensor library: a batch of typed arrays becomes tensors of any seqmodel
 * `Backend` (float32 values, int32 ids, float32 masks).
 */
import type { Backend } from '@seqmodel/core';
import type { SequenceData } from './batch.js';
import { dtypeOf, type TensorData } from './tensor-data.js';

/** The tensors of a batch; `lengths` is an int32 `[batch]` tensor. */
export interface BatchTensors<T> {
  inputs: T;
  targets?: T;
  mask?: T;
  lengths?: T;
  sampleWeights?: T;
}

/** Creates one tensor from `x` on `backend`, with the dtype its typed array implies. */
export function toTensor<T>(backend: Backend<T>, x: TensorData): T {
  return backend.tensor(x.data, x.shape, dtypeOf(x.data));
}

/**
 * Turns a batch (or a whole in-memory data set) into tensors of `backend`. The caller owns the tensors and
 * disposes them (`backend.dispose(result)`); if creating one fails, those already created are disposed.
 */
export function toTensors<T>(backend: Backend<T>, batch: SequenceData): BatchTensors<T> {
  const created: T[] = [];
  const make = (x: TensorData): T => {
    const t = toTensor(backend, x);
    created.push(t);
    return t;
  };
  try {
    const out: BatchTensors<T> = { inputs: make(batch.inputs) };
    if (batch.targets) out.targets = make(batch.targets);
    if (batch.mask) out.mask = make(batch.mask);
    if (batch.lengths) out.lengths = make({ data: batch.lengths, shape: [batch.lengths.length] });
    if (batch.sampleWeights) out.sampleWeights = make(batch.sampleWeights);
    return out;
  } catch (error) {
    backend.dispose(created);
    throw error;
  }
}
