/**
 * A minimal `Backend` over tfjs-core with autodiff, for this package's tests only: the real bindings
 * (`@seqmodel/backend-cpu` and friends) live in their own packages and are not on this branch yet. It lets the tests
 * run layers on a second backend and check that `model.apply` with weight overrides is differentiable under
 * `valueAndGrads`, which the float64 reference backend (forward only) cannot show.
 */
import {
  type Backend,
  broadcastShapes,
  type DType,
  type MemoryInfo,
  type NestedArray,
  type Operand,
  type Shape,
  type TensorContainer,
  type TypedArray,
  type ValueAndGrads,
} from '@seqmodel/core';
import { tf } from '../test-helpers.js';

type Tensor = tf.Tensor;

function operand(x: Operand<Tensor>): Tensor {
  return typeof x === 'number' ? tf.scalar(x) : x;
}

function float(x: Tensor): Tensor {
  return x.dtype === 'float32' ? x : tf.cast(x, 'float32');
}

export function createTfjsTestBackend(): Backend<Tensor> {
  const backend: Backend<Tensor> = {
    name: 'tfjs-test',
    shape: (x) => [...x.shape],
    fill: (shape, value, dtype = 'float32') => tf.fill([...shape], value, dtype),
    cast: (x, dtype) => tf.cast(x, dtype),
    add: (a, b) => tf.add(operand(a), operand(b)),
    sub: (a, b) => tf.sub(operand(a), operand(b)),
    mul: (a, b) => tf.mul(operand(a), operand(b)),
    div: (a, b) => tf.div(operand(a), operand(b)),
    maximum: (a, b) => tf.maximum(operand(a), operand(b)),
    minimum: (a, b) => tf.minimum(operand(a), operand(b)),
    greater: (a, b) => float(tf.greater(operand(a), operand(b))),
    equal: (a, b) => float(tf.equal(operand(a), operand(b))),
    where: (condition, a, b) => {
      const ta = operand(a);
      const tb = operand(b);
      const shape = broadcastShapes(broadcastShapes(condition.shape, ta.shape), tb.shape);
      return tf.where(
        tf.broadcastTo(tf.cast(condition, 'bool'), shape),
        tf.broadcastTo(ta, shape),
        tf.broadcastTo(tb, shape),
      );
    },
    neg: (x) => tf.neg(x),
    exp: (x) => tf.exp(x),
    log: (x) => tf.log(x),
    sqrt: (x) => tf.sqrt(x),
    abs: (x) => tf.abs(x),
    sigmoid: (x) => tf.sigmoid(x),
    tanh: (x) => tf.tanh(x),
    relu: (x) => tf.relu(x),
    clip: (x, min, max) => tf.clipByValue(x, min, max),
    matMul: (a, b, transposeA = false, transposeB = false) =>
      tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, transposeA, transposeB),
    reshape: (x, shape) => tf.reshape(x, [...shape]),
    transpose: (x, perm) => tf.transpose(x, perm === undefined ? undefined : [...perm]),
    slice: (x, begin, size) => tf.slice(x, [...begin], [...size]),
    concat: (xs, axis) => tf.concat([...xs], axis),
    stack: (xs, axis) => tf.stack([...xs], axis),
    unstack: (x, axis) => tf.unstack(x, axis),
    gather: (x, indices, axis = 0) => tf.gather(x, indices, axis),
    oneHot: (indices, depth) => float(tf.oneHot(indices as tf.Tensor1D, depth)),
    sum: (x, axes, keepDims = false) =>
      tf.sum(x, axes === undefined ? undefined : (axes as number | number[]), keepDims),
    max: (x, axes, keepDims = false) =>
      tf.max(x, axes === undefined ? undefined : (axes as number | number[]), keepDims),
    argMax: (x, axis) => tf.argMax(x, axis),
    tensor(values: NestedArray | readonly number[] | TypedArray, shape?: Shape, dtype: DType = 'float32') {
      const data = values instanceof Float64Array ? Float32Array.from(values) : values;
      return tf.tensor(data as never, shape === undefined ? undefined : [...shape], dtype);
    },
    isTensor: (x): x is Tensor => x instanceof tf.Tensor,
    toArray: (x) => x.arraySync() as NestedArray,
    dataSync: (x) => x.dataSync() as Float32Array | Int32Array,
    data: async (x) => (await x.data()) as Float32Array | Int32Array,
    dtype: (x) => x.dtype as DType,
    dispose: (x: TensorContainer<Tensor>) => tf.dispose(x as tf.TensorContainer),
    tidy: <R>(fn: () => R): R => tf.tidy(fn as () => tf.TensorContainer) as R,
    keep: <X extends Tensor>(x: X): X => tf.keep(x),
    memory: (): MemoryInfo => ({ numTensors: tf.memory().numTensors }),
    valueAndGrads(f: (...args: Tensor[]) => Tensor, args: readonly Tensor[]): ValueAndGrads<Tensor> {
      const { value, grads } = tf.valueAndGrads((...xs: Tensor[]) => f(...xs) as tf.Scalar)([...args]);
      return { value, grads };
    },
  };
  return backend;
}
