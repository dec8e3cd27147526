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

/**
 * Runs `launches` one after another (each makes some tensors: its `tensors`), reads every tensor they made with one
 * `read`, and disposes them all; each launch comes back with the host copies of its own tensors as `values`. Nothing
 * is left behind, also when a launch or the read throws. On a GPU backend one read is one round trip, however many
 * launches it gathers.
 */
export function launchAndRead<T, L extends { readonly tensors: readonly T[] }, V>(
  backend: Backend<T>,
  launches: readonly (() => L)[],
  read: (backend: Backend<T>, tensors: readonly T[]) => V[],
): (L & { readonly values: V[] })[] {
  const launched: L[] = [];
  try {
    for (const launch of launches) launched.push(launch());
  } catch (error) {
    backend.dispose(launched.flatMap((l) => l.tensors));
    throw error;
  }
  const tensors = launched.flatMap((l) => l.tensors);
  let values: V[];
  try {
    values = read(backend, tensors);
  } finally {
    backend.dispose(tensors);
  }
  let at = 0;
  return launched.map((l) => {
    at += l.tensors.length;
    return { ...l, values: values.slice(at - l.tensors.length, at) };
  });
}
