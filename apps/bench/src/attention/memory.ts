/**
 * Peak tensor memory of one run: the bytes held by live tfjs data buffers (each buffer once, however many tensors
 * share it: a reshape adds no memory), sampled every time tfjs registers a new tensor, so that the peak inside a
 * run is seen, kernels' outputs and intermediates alike. tfjs's own `memory().numBytes` counts a buffer once per
 * tensor and its profiler samples only after registered kernels; neither would see a fused kernel's outputs
 * reliably. This wraps two methods of tfjs-core 4.22's engine for the duration of the run (`trackTensor`, which
 * every new tensor goes through, and `removeDataId`, which every freed buffer goes through). The level at the start
 * is tfjs's `memory().numBytes` (its buffer list is a WeakMap, which cannot be walked): exact when each tensor held
 * then has a buffer of its own, as the bench's inputs and weights do.
 */
import * as tf from '@tensorflow/tfjs-core';

interface TrackingEngine {
  trackTensor(tensor: tf.Tensor, backend: tf.KernelBackend): void;
  removeDataId(dataId: object, backend: tf.KernelBackend): void;
  readonly state: {
    readonly numBytes: number;
    readonly tensorInfo: WeakMap<object, { readonly bytes: number }>;
  };
}

export interface TensorMemory {
  /** tfjs's `numBytes` when the run started (the inputs and weights held before it). */
  readonly startBytes: number;
  /** The most bytes of live tfjs data buffers at any point of the run (absolute: includes `startBytes`). */
  readonly peakBytes: number;
}

/** Runs `run` once and reports its peak tensor memory (see the module comment). */
export function measureTensorMemory(run: () => unknown): TensorMemory {
  const engine = tf.engine() as unknown as TrackingEngine;
  if (typeof engine.trackTensor !== 'function' || typeof engine.removeDataId !== 'function') {
    throw new Error(
      'measureTensorMemory: expected tfjs-core 4.22 (an engine with trackTensor and removeDataId)',
    );
  }
  let bytes = engine.state.numBytes;
  const startBytes = bytes;
  let peakBytes = bytes;
  const track = engine.trackTensor;
  const remove = engine.removeDataId;
  engine.trackTensor = function (this: TrackingEngine, tensor, backend) {
    const known = this.state.tensorInfo.has(tensor.dataId);
    track.call(this, tensor, backend);
    if (!known) {
      bytes += this.state.tensorInfo.get(tensor.dataId)?.bytes ?? 0;
      peakBytes = Math.max(peakBytes, bytes);
    }
  };
  engine.removeDataId = function (this: TrackingEngine, dataId, backend) {
    const info = this.state.tensorInfo.get(dataId);
    remove.call(this, dataId, backend);
    if (info !== undefined && !this.state.tensorInfo.has(dataId)) bytes -= info.bytes;
  };
  try {
    run();
  } finally {
    // The wrappers are own properties shadowing the prototype's methods.
    delete (engine as Partial<TrackingEngine>).trackTensor;
    delete (engine as Partial<TrackingEngine>).removeDataId;
  }
  return { startBytes, peakBytes };
}
