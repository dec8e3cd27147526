/** Reading several tensors back at once, for the kits. */
import type { Backend } from '../backend.js';
import { sizeOfShape } from '../shape.js';

/**
 * The values of `tensors`, read back with one synchronous read where they are all float32: flattened and joined on
 * the backend, then split on the host. A GPU backend pays a round trip to the GPU per synchronous read, whatever
 * its size; tfjs-webgpu's `readSync` draws the buffer through canvases, ~0.1 s a read under SwiftShader, so a kit
 * reads a result and its gradients once rather than once per tensor. Tensors of another dtype are read one by one.
 * Each array returned is a copy.
 */
export function readAll<T>(backend: Backend<T>, tensors: readonly T[]): (Float32Array | Int32Array)[] {
  if (tensors.length < 2 || tensors.some((t) => backend.dtype(t) !== 'float32')) {
    return tensors.map((t) => backend.dataSync(t).slice());
  }
  const sizes = tensors.map((t) => sizeOfShape(backend.shape(t)));
  const flat = tensors.map((t, i) => backend.reshape(t, [sizes[i]!]));
  const joined = backend.concat(flat, 0);
  let values: Float32Array | Int32Array;
  try {
    values = backend.dataSync(joined);
  } finally {
    // A backend may hand back the tensor itself for a reshape that changes nothing; that one is the caller's.
    backend.dispose([joined, ...flat.filter((f, i) => f !== tensors[i])]);
  }
  let start = 0;
  return sizes.map((size) => {
    const part = values.slice(start, start + size);
    start += size;
    return part;
  });
}
