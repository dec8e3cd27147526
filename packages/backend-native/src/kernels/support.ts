/**
 * What the kernel files share: the backend object a kernel receives, dtype codes, strides for broadcasting and
 * layout views, and one registration helper.
 */
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { dtypeCodes, type NativeDType } from '../addon.js';
import type { NativeKernelBackend } from '../native-kernel-backend.js';

export type Info = tf.TensorInfo;

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: NativeKernelBackend;
  attrs: tf.NamedAttrMap;
}

export type Register = (kernelName: string, kernelFunc: (args: KernelArgs) => Info | Info[]) => void;

/**
 * Registers kernels for the tfjs backend `backendName` (the native one, or another backend over an addon with the
 * same functions, such as `@seqmodel/backend-cuda`'s).
 */
export function kernelRegistrar(backendName: string): Register {
  return (kernelName, kernelFunc) =>
    tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

export function code(dtype: tf.DataType): number {
  const c = dtypeCodes[dtype as NativeDType];
  if (c === undefined) throw new SeqmodelError(`unsupported dtype ${dtype} (float32, int32 and bool are)`);
  return c;
}

export function elementBytes(dtype: tf.DataType): number {
  return dtype === 'bool' ? 1 : 4;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** Strides reading a contiguous tensor of `shape` broadcast to `outShape` (NumPy rules; 0 on broadcast axes). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const shift = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const k = d - shift;
    return k < 0 || shape[k] === 1 ? 0 : own[k]!;
  });
}

/** The broadcast shape of several shapes (their compatibility was checked by tfjs's op). */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  return shapes.reduce<number[]>(
    (acc, s) => tf.backend_util.assertAndGetBroadcastShape(acc, s as number[]),
    [],
  );
}

/**
 * Merges adjacent axes that every operand reads the same way (contiguous in all, or broadcast in all), so that the
 * addon's per-element index arithmetic runs over as few axes as possible ([N, C] + [C] stays rank 2, a same-shape
 * sum becomes rank 1).
 */
export function coalesce(
  shape: readonly number[],
  strides: number[][],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const extent = shape[d]!;
    if (extent === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => s[d]! * extent === outStrides[k]![last]!)) {
      outShape[last] = outShape[last]! * extent;
      strides.forEach((s, k) => {
        outStrides[k]![last] = s[d]!;
      });
      continue;
    }
    outShape.push(extent);
    strides.forEach((s, k) => {
      outStrides[k]!.push(s[d]!);
    });
  }
  return { shape: outShape, strides: outStrides };
}
