/**
 * Where data meets a tensor library: a batch of typed arrays becomes tensors of any seqmodel `Backend` (float32
 * values, int32 ids, float32 masks), through core's converter, the one `model.fit` uses too.
 */
import { type Backend, batchToTensors, checkBackend, invalidArgument, toBackendTensor } from '@seqmodel/core';
import type { SequenceData } from './batch.js';
import type { TensorData } from './tensor-data.js';

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
  checkBackend('backend', backend);
  return toBackendTensor(backend, x, 'toTensor(x)');
}

/**
 * Turns a batch (or a whole in-memory data set) into tensors of `backend`. The caller owns the tensors and
 * disposes them (`backend.dispose(result)`); if creating one fails, those already created are disposed.
 */
export function toTensors<T>(backend: Backend<T>, batch: SequenceData): BatchTensors<T> {
  checkBackend('backend', backend);
  if (typeof batch !== 'object' || batch === null) {
    invalidArgument('batch', batch, 'a batch { inputs, targets?, mask?, lengths?, sampleWeights? }');
  }
  // A data set's fields hold one array each, so each converted field is one tensor.
  return batchToTensors(backend, batch) as BatchTensors<T>;
}
