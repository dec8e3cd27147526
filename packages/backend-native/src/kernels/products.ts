/**
 * Matrix products: BatchMatMul (batch axes broadcast where one side has a single matrix) and _FusedMatMul
 * (the product, then bias and activation through the elementwise kernels).
 */
import { SeqmodelError } from '@seqmodel/core';
import { binaryInfo, unary } from './elementwise.js';
import { type Info, type KernelArgs, type Register, sizeOf } from './support.js';

type Backend = KernelArgs['backend'];

export function batchMatMul(
  backend: Backend,
  a: Info,
  b: Info,
  transposeA: boolean,
  transposeB: boolean,
): Info {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) throw new SeqmodelError(`native BatchMatMul: inner sizes ${k} and ${kb} differ`);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const countA = sizeOf(batchA);
  const countB = sizeOf(batchB);
  if (countA !== countB && countA !== 1 && countB !== 1) {
    throw new SeqmodelError(
      `native BatchMatMul: batch shapes [${batchA}] and [${batchB}]: one side must have one matrix or both the same number`,
    );
  }
  const batchShape = countA >= countB ? batchA : batchB;
  const batch = Math.max(countA, countB);
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new SeqmodelError(
      `native BatchMatMul: float32 operands expected, received ${a.dtype} and ${b.dtype}`,
    );
  }
  backend.addon.matMul(
    backend.buffer(a),
    backend.buffer(b),
    backend.buffer(out),
    batch,
    m,
    n,
    k,
    transposeA,
    transposeB,
    countA === 1 ? 0 : m * k,
    countB === 1 ? 0 : k * n,
    false,
  );
  return out;
}

function replace(backend: Backend, old: Info, next: Info): Info {
  backend.disposeIntermediateTensorInfo(old);
  return next;
}

export function registerProductKernels(register: Register): void {
  register('BatchMatMul', ({ inputs, backend, attrs }) =>
    batchMatMul(
      backend,
      inputs.a as Info,
      inputs.b as Info,
      attrs.transposeA as boolean,
      attrs.transposeB as boolean,
    ),
  );
  register('_FusedMatMul', ({ inputs, backend, attrs }) => {
    let y = batchMatMul(
      backend,
      inputs.a as Info,
      inputs.b as Info,
      attrs.transposeA as boolean,
      attrs.transposeB as boolean,
    );
    if (inputs.bias) y = replace(backend, y, binaryInfo(backend, 'add', y, inputs.bias as Info));
    const activation = attrs.activation as string;
    const args = { inputs: { x: y }, backend, attrs: {} };
    switch (activation) {
      case 'linear':
        return y;
      case 'relu':
        return replace(backend, y, unary(args, 'relu'));
      case 'relu6':
        return replace(backend, y, unary(args, 'relu6'));
      case 'elu':
        return replace(backend, y, unary(args, 'elu'));
      case 'sigmoid':
        return replace(backend, y, unary(args, 'sigmoid'));
      case 'leakyrelu':
        return replace(backend, y, unary(args, 'leakyRelu', attrs.leakyreluAlpha as number));
      case 'prelu': {
        // prelu(x) = x for x >= 0, alpha x otherwise: max(x, 0) + alpha min(x, 0).
        const alpha = inputs.preluActivationWeights as Info;
        const zero = backend.makeOutput([], 'float32');
        const positive = binaryInfo(backend, 'maximum', y, zero);
        const negative = binaryInfo(backend, 'minimum', y, zero);
        const scaled = binaryInfo(backend, 'mul', negative, alpha);
        const result = binaryInfo(backend, 'add', positive, scaled);
        for (const t of [zero, positive, negative, scaled, y]) backend.disposeIntermediateTensorInfo(t);
        return result;
      }
      default:
        backend.disposeIntermediateTensorInfo(y);
        throw new SeqmodelError(
          `native _FusedMatMul: activation ${JSON.stringify(activation)} is not supported`,
        );
    }
  });
}
