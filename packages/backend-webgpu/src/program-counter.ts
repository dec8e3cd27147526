/**
 * Counts the compute-shader dispatches tfjs's WebGPU backend records, at its one dispatch point
 * (`WebGPUBackend.recordAndSubmit`): every op's program, and the fused kernels' ones. The count depends on the
 * computation and tfjs's choices, not on the GPU, so it is how fused kernels are compared with tfjs-layers and with
 * the generic path.
 */
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import type { WebgpuInstance } from './webgpu-backend.js';

/** Runs `fn` and counts the programs tfjs's WebGPU backend dispatched meanwhile (`fn`'s work must be synchronous). */
export function countWebgpuPrograms<R>(fn: () => R): { readonly result: R; readonly programs: number } {
  const instance = tf.engine().findBackend('webgpu') as unknown as WebgpuInstance | null;
  if (instance === null) {
    throw new SeqmodelError(
      "countWebgpuPrograms: tfjs's WebGPU backend has not started (await createWebgpuBackend() first)",
    );
  }
  const own = Object.hasOwn(instance, 'recordAndSubmit');
  const record = instance.recordAndSubmit;
  let programs = 0;
  instance.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    programs++;
    return record.apply(this, args);
  };
  try {
    return { result: fn(), programs };
  } finally {
    if (own) instance.recordAndSubmit = record;
    else delete (instance as { recordAndSubmit?: unknown }).recordAndSubmit;
  }
}
