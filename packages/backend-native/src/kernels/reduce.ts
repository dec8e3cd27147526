/**
 * Reductions, arg-extremes and softmax: the reduced axes are moved last (a transpose when they are not already),
 * and the addon reduces rows of the resulting [outer, reduced] view.
 */
import * as tf from '@tensorflow/tfjs-core';
import { opNumber, type ReduceOpName, reduceOps } from '../ops.js';
import { cast, fill } from './elementwise.js';
import { transpose } from './layout.js';
import { code, type Info, type KernelArgs, type Register, sizeOf } from './support.js';

type Backend = KernelArgs['backend'];

/** `x` with `axes` moved last (a transposed copy, or `x` itself), and the kept and reduced shapes. */
function rowsView(
  backend: Backend,
  x: Info,
  axes: number[],
): { view: Info; outShape: number[]; cols: number } {
  const rank = x.shape.length;
  const perm = tf.backend_util.getAxesPermutation(axes, rank);
  const view = perm === null ? x : transpose(backend, x, perm);
  const moved = perm === null ? axes : tf.backend_util.getInnerMostAxes(axes.length, rank);
  const [outShape, reduceShape] = tf.backend_util.computeOutAndReduceShapes(view.shape, moved);
  return { view, outShape, cols: sizeOf(reduceShape) };
}

const identities: Record<ReduceOpName, number> = {
  sum: 0,
  max: -Infinity,
  min: Infinity,
  mean: Number.NaN,
  prod: 1,
  any: 0,
  all: 1,
};

function reduce(args: KernelArgs, op: ReduceOpName, axisAttr: string): Info {
  const { backend, attrs } = args;
  let x = args.inputs.x as Info;
  const keepDims = (attrs.keepDims as boolean) ?? false;
  const axes = tf.util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
  // tfjs sums bools as int32 and averages in float32.
  const dtype: tf.DataType =
    op === 'any' || op === 'all'
      ? 'bool'
      : op === 'mean'
        ? 'float32'
        : x.dtype === 'bool'
          ? 'int32'
          : x.dtype;
  let converted: Info | undefined;
  if (x.dtype !== dtype) {
    converted = cast(backend, x, dtype);
    x = converted;
  }
  const { view, outShape, cols } = rowsView(backend, x, axes);
  const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
  try {
    if (cols === 0) return fill(backend, shape, dtype, identities[op]);
    const out = backend.makeOutput(shape, dtype);
    backend.addon.reduce(
      opNumber(reduceOps, op),
      code(dtype),
      backend.buffer(view),
      backend.buffer(out),
      sizeOf(outShape),
      cols,
    );
    return out;
  } finally {
    if (view !== x) backend.disposeIntermediateTensorInfo(view);
    if (converted) backend.disposeIntermediateTensorInfo(converted);
  }
}

function argExtreme(args: KernelArgs, minimum: boolean): Info {
  const { backend, attrs } = args;
  const x = args.inputs.x as Info;
  const axes = tf.util.parseAxisParam(attrs.axis as number, x.shape);
  const { view, outShape, cols } = rowsView(backend, x, axes);
  try {
    const out = backend.makeOutput(outShape, 'int32');
    backend.addon.argExtreme(
      code(x.dtype),
      backend.buffer(view),
      backend.buffer(out),
      sizeOf(outShape),
      cols,
      minimum,
    );
    return out;
  } finally {
    if (view !== x) backend.disposeIntermediateTensorInfo(view);
  }
}

export function registerReduceKernels(register: Register): void {
  register('Sum', (args) => reduce(args, 'sum', 'axis'));
  register('Max', (args) => reduce(args, 'max', 'reductionIndices'));
  register('Min', (args) => reduce(args, 'min', 'axis'));
  register('Mean', (args) => reduce(args, 'mean', 'axis'));
  register('Prod', (args) => reduce(args, 'prod', 'axis'));
  register('Any', (args) => reduce(args, 'any', 'axis'));
  register('All', (args) => reduce(args, 'all', 'axis'));
  register('ArgMax', (args) => argExtreme(args, false));
  register('ArgMin', (args) => argExtreme(args, true));
  register('Softmax', ({ inputs, backend }) => {
    // tfjs's softmax op calls the kernel for the last axis only.
    const x = inputs.logits as Info;
    const cols = x.shape[x.shape.length - 1] ?? 1;
    const out = backend.makeOutput(x.shape, 'float32');
    if (cols > 0)
      backend.addon.softmax(backend.buffer(x), backend.buffer(out), sizeOf(x.shape) / cols, cols, false);
    return out;
  });
}
