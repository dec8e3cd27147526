/** Elementwise kernels: unary math, binary arithmetic and comparisons with broadcasting, Select, Cast, fills. */
import type * as tf from '@tensorflow/tfjs-core';
import { type BinaryOpName, binaryOps, opNumber, predicateOps, type UnaryOpName, unaryOps } from '../ops.js';
import {
  broadcastShapes,
  broadcastStrides,
  coalesce,
  code,
  type Info,
  type KernelArgs,
  type Register,
  sizeOf,
} from './support.js';

export function unary(args: KernelArgs, op: UnaryOpName, a = 0, b = 0): Info {
  const { backend } = args;
  const x = args.inputs.x as Info;
  const out = backend.makeOutput(x.shape, x.dtype);
  backend.addon.unary(
    opNumber(unaryOps, op),
    code(x.dtype),
    backend.buffer(x),
    backend.buffer(out),
    sizeOf(x.shape),
    a,
    b,
  );
  return out;
}

/** `x` as `dtype` (a shared view when it already is). */
export function cast(backend: KernelArgs['backend'], x: Info, dtype: tf.DataType): Info {
  if (x.dtype === dtype) return backend.view(x, x.shape);
  const out = backend.makeOutput(x.shape, dtype);
  backend.addon.cast(code(x.dtype), code(dtype), backend.buffer(x), backend.buffer(out), sizeOf(x.shape));
  return out;
}

export function binaryInfo(backend: KernelArgs['backend'], op: BinaryOpName, a: Info, b: Info): Info {
  // tfjs's ops make the dtypes match; a kernel called directly with mixed ones computes in float32.
  const dtype = a.dtype === b.dtype ? a.dtype : 'float32';
  const ca = cast(backend, a, dtype);
  const cb = cast(backend, b, dtype);
  try {
    const shape = broadcastShapes(a.shape, b.shape);
    const out = backend.makeOutput(shape, predicateOps.has(op) ? 'bool' : dtype);
    const merged = coalesce(shape, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
    backend.addon.binary(
      opNumber(binaryOps, op),
      code(dtype),
      backend.buffer(ca),
      backend.buffer(cb),
      backend.buffer(out),
      merged.shape,
      merged.strides[0]!,
      merged.strides[1]!,
    );
    return out;
  } finally {
    backend.disposeIntermediateTensorInfo(ca);
    backend.disposeIntermediateTensorInfo(cb);
  }
}

function binary(args: KernelArgs, op: BinaryOpName): Info {
  return binaryInfo(args.backend, op, args.inputs.a as Info, args.inputs.b as Info);
}

export function fill(
  backend: KernelArgs['backend'],
  shape: readonly number[],
  dtype: tf.DataType,
  value: number,
): Info {
  const out = backend.makeOutput(shape, dtype);
  if (value !== 0) backend.addon.fill(code(dtype), backend.buffer(out), sizeOf(shape), value);
  return out;
}

const unaryKernels: Record<string, UnaryOpName> = {
  Neg: 'neg',
  Exp: 'exp',
  Log: 'log',
  Sqrt: 'sqrt',
  Abs: 'abs',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Relu: 'relu',
  Square: 'square',
  Softplus: 'softplus',
  Selu: 'selu',
  Elu: 'elu',
  LogicalNot: 'logicalNot',
  Rsqrt: 'rsqrt',
  Reciprocal: 'reciprocal',
  Floor: 'floor',
  Sign: 'sign',
  Relu6: 'relu6',
  Round: 'round',
  Ceil: 'ceil',
  Expm1: 'expm1',
  Log1p: 'log1p',
  Sin: 'sin',
  Cos: 'cos',
  Erf: 'erf',
};

const binaryKernels: Record<string, BinaryOpName> = {
  Add: 'add',
  Sub: 'sub',
  Multiply: 'mul',
  RealDiv: 'div',
  Maximum: 'maximum',
  Minimum: 'minimum',
  Pow: 'pow',
  SquaredDifference: 'squaredDifference',
  FloorDiv: 'floorDiv',
  Mod: 'mod',
  Equal: 'equal',
  NotEqual: 'notEqual',
  Greater: 'greater',
  GreaterEqual: 'greaterEqual',
  Less: 'less',
  LessEqual: 'lessEqual',
  LogicalAnd: 'logicalAnd',
  LogicalOr: 'logicalOr',
};

export function registerElementwiseKernels(register: Register): void {
  for (const [name, op] of Object.entries(unaryKernels)) register(name, (args) => unary(args, op));
  for (const [name, op] of Object.entries(binaryKernels)) register(name, (args) => binary(args, op));
  register('Step', (args) => unary(args, 'step', args.attrs.alpha as number));
  register('LeakyRelu', (args) => unary(args, 'leakyRelu', args.attrs.alpha as number));
  register('ClipByValue', (args) =>
    unary(args, 'clip', args.attrs.clipValueMin as number, args.attrs.clipValueMax as number),
  );
  register('Identity', ({ inputs, backend }) => backend.view(inputs.x as Info, (inputs.x as Info).shape));
  register('Cast', ({ inputs, backend, attrs }) =>
    cast(backend, inputs.x as Info, attrs.dtype as tf.DataType),
  );
  register('Fill', ({ backend, attrs }) =>
    fill(backend, attrs.shape as number[], (attrs.dtype as tf.DataType) ?? 'float32', attrs.value as number),
  );
  register('ZerosLike', ({ inputs, backend }) =>
    fill(backend, (inputs.x as Info).shape, (inputs.x as Info).dtype, 0),
  );
  register('OnesLike', ({ inputs, backend }) =>
    fill(backend, (inputs.x as Info).shape, (inputs.x as Info).dtype, 1),
  );
  register('AddN', ({ inputs, backend }) => {
    const xs = Object.values(inputs) as Info[];
    let sum = backend.view(xs[0]!, xs[0]!.shape);
    for (const x of xs.slice(1)) {
      const next = binaryInfo(backend, 'add', sum, x);
      backend.disposeIntermediateTensorInfo(sum);
      sum = next;
    }
    return sum;
  });
  register('Select', ({ inputs, backend }) => {
    const condition = inputs.condition as Info;
    const t = inputs.t as Info;
    const e = inputs.e as Info;
    const dtype = t.dtype === e.dtype ? t.dtype : 'float32';
    const c = cast(backend, condition, 'bool');
    const ct = cast(backend, t, dtype);
    const ce = cast(backend, e, dtype);
    try {
      // tfjs's Select also takes a rank-1 condition choosing whole rows of higher-rank branches.
      const shape = broadcastShapes(t.shape, e.shape);
      const conditionShape =
        condition.shape.length === 1 && shape.length > 1
          ? [condition.shape[0]!, ...shape.slice(1).map(() => 1)]
          : condition.shape;
      const out = backend.makeOutput(broadcastShapes(shape, conditionShape), dtype);
      const merged = coalesce(out.shape, [
        broadcastStrides(conditionShape, out.shape),
        broadcastStrides(t.shape, out.shape),
        broadcastStrides(e.shape, out.shape),
      ]);
      backend.addon.select(
        code(dtype),
        backend.buffer(c),
        backend.buffer(ct),
        backend.buffer(ce),
        backend.buffer(out),
        merged.shape,
        merged.strides[0]!,
        merged.strides[1]!,
        merged.strides[2]!,
      );
      return out;
    } finally {
      for (const i of [c, ct, ce]) backend.disposeIntermediateTensorInfo(i);
    }
  });
}
