/**
 * Layout kernels. Each is one or more strided copies in the addon (`StridedCopy`): the input read through strides
 * (permuted for Transpose, negative for Reverse, zero for broadcasting, doubled axes for Tile) into a block of the
 * output (at an offset for Concat, Pack, PadV2). Reshape, ExpandDims, Squeeze and Identity share the input's data.
 */
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { fill } from './elementwise.js';
import {
  broadcastStrides,
  code,
  elementBytes,
  type Info,
  type KernelArgs,
  type Register,
  sizeOf,
  stridesOf,
} from './support.js';

type Backend = KernelArgs['backend'];

/** Copies `x` read as `shape` with `inStrides` from `inOffset` into `out` at `outOffset` with `outStrides`. */
export function copyView(
  backend: Backend,
  x: Info,
  out: Info,
  shape: readonly number[],
  inStrides: readonly number[],
  inOffset: number,
  outStrides: readonly number[],
  outOffset: number,
): void {
  if (sizeOf(shape) === 0) return;
  backend.addon.copy(
    elementBytes(x.dtype),
    backend.buffer(x),
    backend.buffer(out),
    inOffset,
    outOffset,
    shape,
    inStrides,
    outStrides,
  );
}

export function transpose(backend: Backend, x: Info, perm: readonly number[]): Info {
  const shape = perm.map((p) => x.shape[p]!);
  const out = backend.makeOutput(shape, x.dtype);
  const strides = stridesOf(x.shape);
  copyView(
    backend,
    x,
    out,
    shape,
    perm.map((p) => strides[p]!),
    0,
    stridesOf(shape),
    0,
  );
  return out;
}

export function slice(backend: Backend, x: Info, begin: readonly number[], size: readonly number[]): Info {
  const out = backend.makeOutput(size, x.dtype);
  const strides = stridesOf(x.shape);
  const offset = begin.reduce((o, b, d) => o + b * strides[d]!, 0);
  copyView(backend, x, out, size, strides, offset, stridesOf(size), 0);
  return out;
}

function reshapeKernel({ inputs, backend, attrs }: KernelArgs): Info {
  const x = inputs.x as Info;
  const size = sizeOf(x.shape);
  const shape = tf.util.inferFromImplicitShape([...(attrs.shape as number[])], size);
  if (sizeOf(shape) !== size) {
    throw new SeqmodelError(`native Reshape: cannot reshape [${x.shape}] (${size} elements) to [${shape}]`);
  }
  return backend.view(x, shape);
}

function concat(backend: Backend, xs: Info[], axis: number): Info {
  const first = xs[0]!;
  const a = tf.util.parseAxisParam(axis, first.shape)[0]!;
  const shape = [...first.shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a]!, 0);
  const out = backend.makeOutput(shape, first.dtype);
  const outStrides = stridesOf(shape);
  let at = 0;
  for (const x of xs) {
    if (x.dtype !== first.dtype)
      throw new SeqmodelError(`native Concat: inputs of dtypes ${first.dtype} and ${x.dtype}`);
    copyView(backend, x, out, x.shape, stridesOf(x.shape), 0, outStrides, at * outStrides[a]!);
    at += x.shape[a]!;
  }
  return out;
}

function splitSizes(x: Info, sizes: number[] | number, axis: number): number[] {
  const extent = x.shape[axis]!;
  if (typeof sizes === 'number') return new Array<number>(sizes).fill(extent / sizes);
  const known = sizes.reduce((s, v) => (v === -1 ? s : s + v), 0);
  return sizes.map((v) => (v === -1 ? extent - known : v));
}

export function registerLayoutKernels(register: Register): void {
  register('Reshape', reshapeKernel);
  register('ExpandDims', ({ inputs, backend, attrs }) => {
    const x = inputs.input as Info;
    let dim = attrs.dim as number;
    if (dim < 0) dim += x.shape.length + 1;
    const shape = [...x.shape];
    shape.splice(dim, 0, 1);
    return backend.view(x, shape);
  });
  register('Squeeze', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const axes = tf.util.parseAxisParam((attrs.axis as number[]) ?? [], x.shape);
    const { newShape } = tf.util.squeezeShape(x.shape, axes.length > 0 ? axes : undefined);
    return backend.view(x, newShape);
  });
  register('Transpose', ({ inputs, backend, attrs }) =>
    transpose(backend, inputs.x as Info, attrs.perm as number[]),
  );
  register('Slice', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as tf.Tensor,
      attrs.begin as number[] | number,
      attrs.size as number[] | number,
    );
    return slice(backend, x, begin!, size!);
  });
  register('Reverse', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const dims = tf.util.parseAxisParam(attrs.dims as number | number[], x.shape);
    const out = backend.makeOutput(x.shape, x.dtype);
    const strides = stridesOf(x.shape);
    let offset = 0;
    const inStrides = strides.map((s, d) => {
      if (!dims.includes(d)) return s;
      offset += (x.shape[d]! - 1) * s;
      return -s;
    });
    copyView(backend, x, out, x.shape, inStrides, offset, strides, 0);
    return out;
  });
  register('Tile', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const reps = attrs.reps as number[];
    const shape = x.shape.map((d, k) => d * reps[k]!);
    const out = backend.makeOutput(shape, x.dtype);
    // The output as [reps0, d0, reps1, d1, ...] (row-major, the same memory): a broadcast read of x.
    const strides = stridesOf(x.shape);
    const doubled = x.shape.flatMap((d, k) => [reps[k]!, d]);
    const inStrides = strides.flatMap((s) => [0, s]);
    if (doubled.length <= 8) {
      copyView(backend, x, out, doubled, inStrides, 0, stridesOf(doubled), 0);
    } else {
      throw new SeqmodelError(`native Tile: rank ${x.shape.length} above 4 is not supported`);
    }
    return out;
  });
  register('BroadcastTo', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const shape = attrs.shape as number[];
    const out = backend.makeOutput(shape, x.dtype);
    copyView(backend, x, out, shape, broadcastStrides(x.shape, shape), 0, stridesOf(shape), 0);
    return out;
  });
  register('Concat', ({ inputs, backend, attrs }) => {
    const xs = (Object.values(inputs) as Info[]).filter((x) => sizeOf(x.shape) > 0);
    if (xs.length === 0) {
      const all = Object.values(inputs) as Info[];
      const a = tf.util.parseAxisParam(attrs.axis as number, all[0]!.shape)[0]!;
      const shape = [...all[0]!.shape];
      shape[a] = all.reduce((s, x) => s + x.shape[a]!, 0);
      return backend.makeOutput(shape, all[0]!.dtype);
    }
    return concat(backend, xs, attrs.axis as number);
  });
  register('Pack', ({ inputs, backend, attrs }) => {
    const xs = Object.values(inputs) as Info[];
    const rank = xs[0]!.shape.length;
    let axis = attrs.axis as number;
    if (axis < 0) axis += rank + 1;
    const shape = [...xs[0]!.shape];
    shape.splice(axis, 0, xs.length);
    const out = backend.makeOutput(shape, xs[0]!.dtype);
    const outStrides = stridesOf(shape);
    const blockStrides = outStrides.filter((_, d) => d !== axis);
    xs.forEach((x, i) => {
      copyView(backend, x, out, x.shape, stridesOf(x.shape), 0, blockStrides, i * outStrides[axis]!);
    });
    return out;
  });
  register('Unpack', ({ inputs, backend, attrs }) => {
    const x = inputs.value as Info;
    let axis = attrs.axis as number;
    if (axis < 0) axis += x.shape.length;
    const shape = x.shape.filter((_, d) => d !== axis);
    const strides = stridesOf(x.shape);
    const inStrides = strides.filter((_, d) => d !== axis);
    return Array.from({ length: x.shape[axis]! }, (_, i) => {
      const out = backend.makeOutput(shape, x.dtype);
      copyView(backend, x, out, shape, inStrides, i * strides[axis]!, stridesOf(shape), 0);
      return out;
    });
  });
  register('SplitV', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
    const sizes = splitSizes(x, attrs.numOrSizeSplits as number[] | number, axis);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const out = slice(backend, x, begin, size);
      begin[axis] = begin[axis]! + s;
      return out;
    });
  });
  register('PadV2', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const paddings = attrs.paddings as [number, number][];
    const shape = x.shape.map((d, k) => paddings[k]![0] + d + paddings[k]![1]);
    const out = fill(backend, shape, x.dtype, attrs.constantValue as number);
    const outStrides = stridesOf(shape);
    const offset = paddings.reduce((o, [before], k) => o + before * outStrides[k]!, 0);
    copyView(backend, x, out, x.shape, stridesOf(x.shape), 0, outStrides, offset);
    return out;
  });
  register('GatherV2', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const indices = inputs.indices as Info;
    if (((attrs.batchDims as number) ?? 0) !== 0) {
      throw new SeqmodelError('native GatherV2: batchDims other than 0 are not supported');
    }
    const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
    const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const out = backend.makeOutput(shape, x.dtype);
    const ids = indices.dtype === 'int32' ? indices : castInt(backend, indices);
    try {
      backend.addon.gather(
        elementBytes(x.dtype),
        backend.buffer(x),
        backend.buffer(ids),
        backend.buffer(out),
        sizeOf(x.shape.slice(0, axis)),
        x.shape[axis]!,
        sizeOf(x.shape.slice(axis + 1)),
        sizeOf(indices.shape),
      );
    } catch (error) {
      backend.disposeIntermediateTensorInfo(out);
      throw error;
    } finally {
      if (ids !== indices) backend.disposeIntermediateTensorInfo(ids);
    }
    return out;
  });
  register('OneHot', ({ inputs, backend, attrs }) => {
    const indices = inputs.indices as Info;
    const depth = attrs.depth as number;
    const dtype = (attrs.dtype as tf.DataType) ?? 'int32';
    const out = backend.makeOutput([...indices.shape, depth], dtype);
    const ids = indices.dtype === 'int32' ? indices : castInt(backend, indices);
    backend.addon.oneHot(
      code(dtype),
      backend.buffer(ids),
      backend.buffer(out),
      sizeOf(indices.shape),
      depth,
      attrs.onValue as number,
      attrs.offValue as number,
    );
    if (ids !== indices) backend.disposeIntermediateTensorInfo(ids);
    return out;
  });
  register('UnsortedSegmentSum', ({ inputs, backend, attrs }) => {
    const x = inputs.x as Info;
    const ids = inputs.segmentIds as Info;
    const segments = attrs.numSegments as number;
    const rows = sizeOf(ids.shape);
    const inner = rows === 0 ? 1 : sizeOf(x.shape) / rows;
    const out = backend.makeOutput([segments, ...x.shape.slice(ids.shape.length)], x.dtype);
    const i = ids.dtype === 'int32' ? ids : castInt(backend, ids);
    backend.addon.segmentSum(
      code(x.dtype),
      backend.buffer(x),
      backend.buffer(i),
      backend.buffer(out),
      rows,
      Math.max(1, inner),
      segments,
    );
    if (i !== ids) backend.disposeIntermediateTensorInfo(i);
    return out;
  });
}

function castInt(backend: Backend, x: Info): Info {
  const out = backend.makeOutput(x.shape, 'int32');
  backend.addon.cast(code(x.dtype), code('int32'), backend.buffer(x), backend.buffer(out), sizeOf(x.shape));
  return out;
}
