/**
 * Layout kernels for tfjs backends that keep tensors in CPU memory (cpu, wasm), where tfjs's own are slow for the
 * recurrent loop: tfjs-backend-cpu slices a non-contiguous block element by element through index arithmetic
 * (~3 ms for a [32, 128] gate of a [32, 512] tensor), and tfjs-backend-wasm's Slice copies its whole input first,
 * so unstacking T steps costs T copies of the whole sequence. These kernels copy contiguous runs with
 * `TypedArray.set`, and unstack reads its input once.
 *
 * They are registered under seqmodel's own kernel names (with their gradients), so tfjs's kernels, and any other
 * tfjs code in the process, are untouched. `registerHostKernels(name)` adds them for one tfjs backend.
 */
import { sizeOfShape, stridesOf } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';

type Tensor = tf.Tensor;
type Values = Float32Array | Int32Array;

export const hostKernelNames = {
  slice: 'SeqmodelSlice',
  /** The gradient of a slice: the slice written into zeros of the input's shape. */
  unslice: 'SeqmodelUnslice',
  unstack: 'SeqmodelUnstack',
  stack: 'SeqmodelStack',
} as const;

/**
 * Copies the block of `size` at `srcBegin` in `src` (of shape `srcShape`) to `dstBegin` in `dst` (of shape
 * `dstShape`). Trailing axes copied whole in both are merged into one contiguous run.
 */
export function copyBlock(
  src: Values,
  srcShape: readonly number[],
  srcBegin: readonly number[],
  dst: Values,
  dstShape: readonly number[],
  dstBegin: readonly number[],
  size: readonly number[],
): void {
  const rank = size.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return;
  }
  if (size.some((d) => d === 0)) return;
  let runAxis = rank - 1;
  while (runAxis > 0 && size[runAxis] === srcShape[runAxis] && size[runAxis] === dstShape[runAxis]) runAxis--;
  const run = sizeOfShape(size.slice(runAxis));
  const srcStrides = stridesOf(srcShape);
  const dstStrides = stridesOf(dstShape);
  let srcOffset = 0;
  let dstOffset = 0;
  for (let k = 0; k <= runAxis; k++) {
    srcOffset += srcBegin[k]! * srcStrides[k]!;
    dstOffset += dstBegin[k]! * dstStrides[k]!;
  }
  // An odometer over the axes before the run axis.
  const index = new Array<number>(runAxis).fill(0);
  for (;;) {
    if (run < 16) for (let i = 0; i < run; i++) dst[dstOffset + i] = src[srcOffset + i]!;
    else dst.set(src.subarray(srcOffset, srcOffset + run), dstOffset);
    let k = runAxis - 1;
    while (k >= 0) {
      index[k]!++;
      srcOffset += srcStrides[k]!;
      dstOffset += dstStrides[k]!;
      if (index[k]! < size[k]!) break;
      srcOffset -= size[k]! * srcStrides[k]!;
      dstOffset -= size[k]! * dstStrides[k]!;
      index[k] = 0;
      k--;
    }
    if (k < 0) return;
  }
}

function allocate(dtype: tf.DataType, n: number): Values {
  return dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

function read(backend: tf.KernelBackend, x: tf.TensorInfo): Values {
  return backend.readSync(x.dataId) as Values;
}

function output(
  backend: tf.KernelBackend,
  values: Values,
  shape: number[],
  dtype: tf.DataType,
): tf.TensorInfo {
  return { dataId: backend.write(values, shape, dtype), shape, dtype };
}

const zeros = (rank: number) => new Array<number>(rank).fill(0);

type Attrs = Record<string, unknown>;

const kernelFuncs: Record<string, tf.KernelFunc> = {
  [hostKernelNames.slice]: ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const { begin, size } = attrs as { begin: number[]; size: number[] };
    const out = allocate(x.dtype, sizeOfShape(size));
    copyBlock(read(backend as tf.KernelBackend, x), x.shape, begin, out, size, zeros(size.length), size);
    return output(backend as tf.KernelBackend, out, [...size], x.dtype);
  },
  [hostKernelNames.unslice]: ({ inputs, backend, attrs }) => {
    const dy = inputs.dy!;
    const { begin, inputShape } = attrs as { begin: number[]; inputShape: number[] };
    const out = allocate(dy.dtype, sizeOfShape(inputShape));
    copyBlock(
      read(backend as tf.KernelBackend, dy),
      dy.shape,
      zeros(dy.shape.length),
      out,
      inputShape,
      begin,
      dy.shape,
    );
    return output(backend as tf.KernelBackend, out, [...inputShape], dy.dtype);
  },
  [hostKernelNames.unstack]: ({ inputs, backend, attrs }) => {
    const x = inputs.x!;
    const { axis } = attrs as { axis: number };
    const values = read(backend as tf.KernelBackend, x);
    const partShape = x.shape.filter((_, k) => k !== axis);
    const size = x.shape.map((d, k) => (k === axis ? 1 : d));
    const begin = zeros(x.shape.length);
    return Array.from({ length: x.shape[axis]! }, (_, i) => {
      begin[axis] = i;
      const out = allocate(x.dtype, sizeOfShape(partShape));
      copyBlock(values, x.shape, begin, out, size, zeros(size.length), size);
      return output(backend as tf.KernelBackend, out, partShape, x.dtype);
    });
  },
  [hostKernelNames.stack]: ({ inputs, backend, attrs }) => {
    const { axis } = attrs as { axis: number };
    const parts = Object.keys(inputs)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => inputs[k]!);
    const first = parts[0]!;
    const shape = [...first.shape.slice(0, axis), parts.length, ...first.shape.slice(axis)];
    const size = shape.map((d, k) => (k === axis ? 1 : d));
    const out = allocate(first.dtype, sizeOfShape(shape));
    const begin = zeros(shape.length);
    parts.forEach((part, i) => {
      begin[axis] = i;
      copyBlock(read(backend as tf.KernelBackend, part), size, zeros(size.length), out, shape, begin, size);
    });
    return output(backend as tf.KernelBackend, out, shape, first.dtype);
  },
};

/** `x[begin : begin + size]` (sizes resolved, no -1) through the host kernel. */
export function hostSlice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  return tf.engine().runKernel(hostKernelNames.slice, { x }, {
    begin: [...begin],
    size: [...size],
    inputShape: [...x.shape],
  } as Attrs as tf.NamedAttrMap);
}

export function hostUnstack(x: Tensor, axis: number): Tensor[] {
  const parts = tf.engine().runKernel(hostKernelNames.unstack, { x }, { axis } as Attrs as tf.NamedAttrMap);
  // A single output comes back as a tensor, several as an array.
  return Array.isArray(parts) ? [...parts] : [parts as Tensor];
}

export function hostStack(xs: readonly Tensor[], axis: number): Tensor {
  return tf
    .engine()
    .runKernel(
      hostKernelNames.stack,
      xs as unknown as tf.NamedTensorMap,
      { axis } as Attrs as tf.NamedAttrMap,
    );
}

const gradients: tf.GradConfig[] = [
  {
    kernelName: hostKernelNames.slice,
    gradFunc: (dy, _saved, attrs) => {
      const { begin, size, inputShape } = attrs as unknown as {
        begin: number[];
        size: number[];
        inputShape: number[];
      };
      return {
        x: () =>
          tf.engine().runKernel(hostKernelNames.unslice, { dy: dy as Tensor }, {
            begin,
            size,
            inputShape,
          } as Attrs as tf.NamedAttrMap),
      };
    },
  },
  {
    kernelName: hostKernelNames.unslice,
    gradFunc: (dy, _saved, attrs) => {
      const { begin, size } = attrs as unknown as { begin: number[]; size: number[] };
      return { dy: () => hostSlice(dy as Tensor, begin, size) };
    },
  },
  {
    kernelName: hostKernelNames.unstack,
    gradFunc: (dys, _saved, attrs) => {
      const { axis } = attrs as unknown as { axis: number };
      const list = Array.isArray(dys) ? dys : [dys];
      return { x: () => hostStack(list, axis) };
    },
  },
  {
    kernelName: hostKernelNames.stack,
    gradFunc: (dy, _saved, attrs) => {
      const { axis } = attrs as unknown as { axis: number };
      const parts = hostUnstack(dy as Tensor, axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
];

let gradientsRegistered = false;

/** Registers the host kernels for the tfjs backend `tfjsBackendName` (once; later calls do nothing). */
export function registerHostKernels(tfjsBackendName: string): void {
  if (!gradientsRegistered) {
    for (const g of gradients) tf.registerGradient(g);
    gradientsRegistered = true;
  }
  for (const [kernelName, kernelFunc] of Object.entries(kernelFuncs)) {
    if (tf.getKernel(kernelName, tfjsBackendName) === undefined) {
      tf.registerKernel({ kernelName, backendName: tfjsBackendName, kernelFunc });
    }
  }
}
