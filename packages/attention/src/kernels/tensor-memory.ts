/**
 * Host access to the data of tfjs tensors that live in CPU memory, without copies: tfjs-backend-cpu hands out the
 * `Float32Array` it stores (and stores the one a tensor is made from), tfjs-backend-wasm keeps tensors in its
 * module's heap, which JavaScript can view. A kernel allocates its outputs first and then takes its views: a wasm
 * heap view detaches when an allocation grows the heap.
 *
 * The wasm side relies on two methods of tfjs-backend-wasm 4.22's `BackendWasm` (`write` with null values to
 * allocate, `typedArrayFromHeap` for a view), as `@seqmodel/backend-wasm`'s `XnnpackGemm` does; the kernel tests
 * guard them.
 */
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';

export interface TensorMemory {
  /** The values of a float32 tensor, shared with it (read-only for inputs); valid until the next `allocate`. */
  view(x: tf.Tensor): Float32Array;
  /** A new float32 tensor of `shape` with unspecified values, to be written through `view`. */
  allocate(shape: readonly number[]): tf.Tensor;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** tfjs-backend-cpu (and any tfjs backend whose `readSync` returns its own storage). */
export const cpuTensorMemory: TensorMemory = {
  view: (x) => tf.engine().readSync(x.dataId) as Float32Array,
  allocate: (shape) => tf.tensor(new Float32Array(size(shape)), [...shape], 'float32'),
};

interface WasmHeapBackend extends tf.KernelBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

/** tfjs-backend-wasm: views of its heap, outputs allocated on it. */
export function wasmTensorMemory(tfjsBackendName: string): TensorMemory {
  const backend = tf.engine().findBackend(tfjsBackendName) as Partial<WasmHeapBackend> | null;
  if (typeof backend?.typedArrayFromHeap !== 'function' || typeof backend.write !== 'function') {
    throw new SeqmodelError(
      `flash attention: expected tfjs-backend-wasm 4.22 (a backend with typedArrayFromHeap and write) under ` +
        `${JSON.stringify(tfjsBackendName)}`,
    );
  }
  const heap = backend as WasmHeapBackend;
  return {
    view: (x) => heap.typedArrayFromHeap(x),
    allocate: (shape) => {
      const s = [...shape];
      const dataId = heap.write(null as unknown as Float32Array, s, 'float32');
      return tf.engine().makeTensorFromDataId(dataId, s, 'float32', heap);
    },
  };
}
