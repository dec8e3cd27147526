/**
 * `gather` whose gradient does not need tfjs's `UnsortedSegmentSum` kernel. tfjs-core differentiates `gather` with
 * `unsortedSegmentSum`, which tfjs-backend-wasm 4.22 does not register, so an Embedding layer could not train there
 * ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"). On a tfjs backend without that kernel the
 * binding's `gather` goes through {@link gatherWithHostGradient}: the same forward op, and a backward pass that
 * scatter-adds the output gradient into the rows it was gathered from on the host (exact, O(size of dy)). CPU
 * backends read tensors synchronously, so the readback costs a copy and no stall.
 */
import { sizeOfShape } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { customGradient } from './custom-gradient.js';

/** Whether tfjs's backend `name` can differentiate `tf.gather` itself (it has `UnsortedSegmentSum`). */
export function hasGatherGradientKernel(name: string): boolean {
  return tf.getKernel('UnsortedSegmentSum', name) !== undefined;
}

/**
 * The gradient of `gather(x, indices, axis)` with respect to `x`: zeros of `xShape`, with `dy`'s slices added into
 * the slices of `x` they came from (indices repeated add up). `dy` has shape
 * `xShape[:axis] ++ indices.shape ++ xShape[axis+1:]`.
 */
export function gatherGradient(
  dy: Float32Array,
  indices: Int32Array,
  xShape: readonly number[],
  axis: number,
): Float32Array {
  const outer = sizeOfShape(xShape.slice(0, axis));
  const rows = xShape[axis]!;
  const inner = sizeOfShape(xShape.slice(axis + 1));
  const n = indices.length;
  const dx = new Float32Array(outer * rows * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const from = (o * n + k) * inner;
      const to = (o * rows + indices[k]!) * inner;
      for (let j = 0; j < inner; j++) dx[to + j]! += dy[from + j]!;
    }
  }
  return dx;
}

/** `tf.gather(x, indices, axis)` differentiated by {@link gatherGradient} (float32 `x`, int32 `indices`). */
export function gatherWithHostGradient(x: tf.Tensor, indices: tf.Tensor, axis: number): tf.Tensor {
  const xShape = x.shape;
  const [y] = customGradient(
    {
      name: 'gather',
      // The indices are saved: the caller may free its own before the backward pass runs.
      forward: ([t, i], save) => {
        save([i!]);
        return [tf.gather(t!, i!, axis)];
      },
      backward: ([dy], [i]) => [
        () =>
          tf.tensor(
            gatherGradient(dy!.dataSync() as Float32Array, i!.dataSync() as Int32Array, xShape, axis),
            xShape,
            'float32',
          ),
        undefined,
      ],
    },
    [x, indices],
  );
  return y!;
}
