/**
 * Counts the WebGL programs tfjs's WebGL backend launches, at its one draw call (`GPGPUContext.executeProgram`):
 * every op's program, and the packing, unpacking and reshaping programs tfjs inserts between them. The count
 * depends on the computation and tfjs's choices, not on the GPU, so it is how fused kernels are compared with
 * tfjs-layers and with the generic path.
 */
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import type { WebglInstance } from './webgl-backend.js';

/** Runs `fn` and counts the programs tfjs's WebGL backend launched meanwhile (`fn`'s work must be synchronous). */
export function countWebglPrograms<R>(fn: () => R): { readonly result: R; readonly programs: number } {
  const instance = tf.engine().findBackend('webgl') as unknown as WebglInstance | null;
  if (instance === null) {
    throw new SeqmodelError(
      "countWebglPrograms: tfjs's WebGL backend has not started (await createWebglBackend() first)",
    );
  }
  const gpgpu = instance.gpgpu;
  const own = Object.hasOwn(gpgpu, 'executeProgram');
  const launch = gpgpu.executeProgram;
  let programs = 0;
  gpgpu.executeProgram = function (this: unknown) {
    programs++;
    return launch.call(this);
  };
  try {
    return { result: fn(), programs };
  } finally {
    if (own) gpgpu.executeProgram = launch;
    else delete (gpgpu as { executeProgram?: unknown }).executeProgram;
  }
}
