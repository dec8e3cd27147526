/**
 * Float64 kernels over plain typed arrays: the arithmetic behind the reference backend. Written for clarity, not
 * speed; every backend is tested against them.
 */
import { checkPositiveInteger, invalidArgument, SeqmodelError } from '../errors.js';
import type { DType } from '../ops.js';
import {
  broadcastShapes,
  formatShape,
  normalizeAxis,
  resolveReshape,
  type Shape,
  shapesEqual,
  sizeOfShape,
  stridesOf,
} from '../shape.js';

/** A dense row-major float64 array with a shape; int32 tensors hold integral values. */
export interface RefData {
  readonly shape: readonly number[];
  readonly data: Float64Array;
  readonly dtype: DType;
}

export function makeData(shape: Shape, data: Float64Array, dtype: DType = 'float32'): RefData {
  return { shape: [...shape], data, dtype };
}

/** Strides for reading `shape` as if broadcast to `outShape` (0 along broadcast axes). */
function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((d, i) => {
    const k = i - offset;
    if (k < 0) return 0;
    return shape[k] === 1 && d !== 1 ? 0 : strides[k]!;
  });
}

/** Calls `visit(outIndex, offsets...)` for every element of `outShape`, with the matching offsets in each input. */
function forEachBroadcast(
  outShape: Shape,
  inputs: readonly Shape[],
  visit: (out: number, offsets: number[]) => void,
) {
  const size = sizeOfShape(outShape);
  const rank = outShape.length;
  const strides = inputs.map((s) => broadcastStrides(s, outShape));
  const index = new Array<number>(rank).fill(0);
  const offsets = new Array<number>(inputs.length).fill(0);
  for (let out = 0; out < size; out++) {
    visit(out, offsets);
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      for (let k = 0; k < inputs.length; k++) offsets[k]! += strides[k]![axis]!;
      if (index[axis]! < outShape[axis]!) break;
      for (let k = 0; k < inputs.length; k++) offsets[k]! -= strides[k]![axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
}

export function binary(a: RefData, b: RefData, f: (x: number, y: number) => number): RefData {
  if (shapesEqual(a.shape, b.shape)) {
    const out = new Float64Array(a.data.length);
    for (let i = 0; i < out.length; i++) out[i] = f(a.data[i]!, b.data[i]!);
    return makeData(a.shape, out);
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const out = new Float64Array(sizeOfShape(shape));
  forEachBroadcast(shape, [a.shape, b.shape], (i, [oa, ob]) => {
    out[i] = f(a.data[oa!]!, b.data[ob!]!);
  });
  return makeData(shape, out);
}

export function ternaryWhere(c: RefData, a: RefData, b: RefData): RefData {
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape);
  const out = new Float64Array(sizeOfShape(shape));
  forEachBroadcast(shape, [c.shape, a.shape, b.shape], (i, [oc, oa, ob]) => {
    out[i] = c.data[oc!] !== 0 ? a.data[oa!]! : b.data[ob!]!;
  });
  return makeData(shape, out, a.dtype === b.dtype ? a.dtype : 'float32');
}

export function unary(x: RefData, f: (v: number) => number, dtype: DType = 'float32'): RefData {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]!);
  return makeData(x.shape, out, dtype);
}

export function matMul(a: RefData, b: RefData, transposeA: boolean, transposeB: boolean): RefData {
  const ra = a.shape.length;
  if ((ra !== 2 && ra !== 3) || b.shape.length !== ra) {
    throw new SeqmodelError(
      `matMul: expected two rank-2 or two rank-3 tensors, received shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const batch = ra === 3 ? a.shape[0]! : 1;
  if (ra === 3 && b.shape[0] !== batch) {
    throw new SeqmodelError(
      `matMul: batch sizes differ, received shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [k2, n] = transposeB ? [b1, b0] : [b0, b1];
  if (k !== k2) {
    throw new SeqmodelError(
      `matMul: inner sizes differ (${k} vs ${k2}), received shapes ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} ` +
        `and ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`,
    );
  }
  const out = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    const ao = p * a0 * a1;
    const bo = p * b0 * b1;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let q = 0; q < k; q++) {
          const av = transposeA ? a.data[ao + q * a1 + i]! : a.data[ao + i * a1 + q]!;
          const bv = transposeB ? b.data[bo + j * b1 + q]! : b.data[bo + q * b1 + j]!;
          acc += av * bv;
        }
        out[p * m * n + i * n + j] = acc;
      }
    }
  }
  return makeData(ra === 3 ? [batch, m, n] : [m, n], out);
}

export function reshape(x: RefData, shape: Shape): RefData {
  return makeData(resolveReshape(x.shape, shape), x.data, x.dtype);
}

export function transpose(x: RefData, perm?: readonly number[]): RefData {
  const rank = x.shape.length;
  const p = perm ?? x.shape.map((_, i) => rank - 1 - i);
  const sorted = [...p].sort((u, v) => u - v);
  if (p.length !== rank || sorted.some((v, i) => v !== i)) {
    invalidArgument('transpose(perm)', p, `a permutation of 0..${rank - 1}`);
  }
  const outShape = p.map((axis) => x.shape[axis]!);
  const inStrides = stridesOf(x.shape);
  const permStrides = p.map((axis) => inStrides[axis]!);
  const out = new Float64Array(x.data.length);
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x.data[offset]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      offset += permStrides[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      offset -= permStrides[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return makeData(outShape, out, x.dtype);
}

export function slice(x: RefData, begin: readonly number[], size: readonly number[]): RefData {
  const rank = x.shape.length;
  if (begin.length !== rank || size.length !== rank) {
    throw new SeqmodelError(
      `slice: begin and size need ${rank} entries for shape ${formatShape(x.shape)}, received ${begin.length} and ${size.length}`,
    );
  }
  const sizes = size.map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s));
  for (let i = 0; i < rank; i++) {
    if (begin[i]! < 0 || sizes[i]! < 0 || begin[i]! + sizes[i]! > x.shape[i]!) {
      throw new SeqmodelError(
        `slice: begin ${formatShape(begin)} size ${formatShape(size)} is outside shape ${formatShape(x.shape)}`,
      );
    }
  }
  const strides = stridesOf(x.shape);
  const out = new Float64Array(sizeOfShape(sizes));
  let o = 0;
  const visit = (axis: number, offset: number) => {
    if (axis === rank) {
      out[o++] = x.data[offset]!;
      return;
    }
    for (let i = 0; i < sizes[axis]!; i++) visit(axis + 1, offset + (begin[axis]! + i) * strides[axis]!);
  };
  if (out.length > 0) visit(0, 0);
  return makeData(sizes, out, x.dtype);
}

export function concat(xs: readonly RefData[], axisArg: number): RefData {
  const first = xs[0];
  if (first === undefined) invalidArgument('concat(xs)', xs, 'at least one tensor');
  const rank = first.shape.length;
  const axis = normalizeAxis('concat(axis)', axisArg, rank);
  for (const x of xs) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new SeqmodelError(
        `concat: shapes must agree except on axis ${axis}, received ${xs.map((t) => formatShape(t.shape)).join(', ')}`,
      );
    }
  }
  const outShape = [...first.shape];
  outShape[axis] = xs.reduce((n, x) => n + x.shape[axis]!, 0);
  const outer = sizeOfShape(first.shape.slice(0, axis));
  const out = new Float64Array(sizeOfShape(outShape));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (const x of xs) {
      const chunk = sizeOfShape(x.shape.slice(axis));
      out.set(x.data.subarray(r * chunk, (r + 1) * chunk), o);
      o += chunk;
    }
  }
  return makeData(outShape, out, first.dtype);
}

export function stack(xs: readonly RefData[], axisArg: number): RefData {
  const first = xs[0];
  if (first === undefined) invalidArgument('stack(xs)', xs, 'at least one tensor');
  for (const x of xs) {
    if (!shapesEqual(x.shape, first.shape)) {
      throw new SeqmodelError(
        `stack: shapes must be equal, received ${xs.map((t) => formatShape(t.shape)).join(', ')}`,
      );
    }
  }
  const axis = normalizeAxis('stack(axis)', axisArg, first.shape.length + 1);
  const expanded = xs.map((x) => reshape(x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)]));
  return concat(expanded, axis);
}

export function unstack(x: RefData, axisArg: number): RefData[] {
  const axis = normalizeAxis('unstack(axis)', axisArg, x.shape.length);
  const outShape = x.shape.filter((_, i) => i !== axis);
  return Array.from({ length: x.shape[axis]! }, (_, i) => {
    const begin = x.shape.map((_, k) => (k === axis ? i : 0));
    const size = x.shape.map((d, k) => (k === axis ? 1 : d));
    return reshape(slice(x, begin, size), outShape);
  });
}

export function gather(x: RefData, indices: RefData, axisArg: number): RefData {
  const axis = normalizeAxis('gather(axis)', axisArg, x.shape.length);
  const n = x.shape[axis]!;
  const outer = sizeOfShape(x.shape.slice(0, axis));
  const inner = sizeOfShape(x.shape.slice(axis + 1));
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const out = new Float64Array(sizeOfShape(outShape));
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (let j = 0; j < indices.data.length; j++) {
      const idx = indices.data[j]!;
      if (!Number.isInteger(idx) || idx < 0 || idx >= n) {
        invalidArgument(`gather(indices)[${j}]`, idx, `an integer in [0, ${n - 1}]`);
      }
      out.set(x.data.subarray((r * n + idx) * inner, (r * n + idx + 1) * inner), o);
      o += inner;
    }
  }
  return makeData(outShape, out, x.dtype);
}

export function oneHot(indices: RefData, depth: number): RefData {
  checkPositiveInteger('oneHot(depth)', depth);
  const out = new Float64Array(indices.data.length * depth);
  indices.data.forEach((v, i) => {
    // Out-of-range indices give an all-zero row, as tf.oneHot.
    if (Number.isInteger(v) && v >= 0 && v < depth) out[i * depth + v] = 1;
  });
  return makeData([...indices.shape, depth], out);
}

function normalizeAxes(
  axes: number | readonly number[] | undefined,
  rank: number,
  argument: string,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  return [...new Set(list.map((a) => normalizeAxis(argument, a, rank)))].sort((u, v) => u - v);
}

export function reduce(
  x: RefData,
  axes: number | readonly number[] | undefined,
  keepDims: boolean,
  init: number,
  f: (acc: number, v: number) => number,
  name: string,
): RefData {
  const rank = x.shape.length;
  const reduced = normalizeAxes(axes, rank, `${name}(axes)`);
  const keptShape = x.shape.map((d, i) => (reduced.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOfShape(keptShape)).fill(init);
  forEachBroadcast(x.shape, [keptShape], (i, [o]) => {
    out[o!] = f(out[o!]!, x.data[i]!);
  });
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !reduced.includes(i));
  return makeData(outShape, out, x.dtype);
}

export function argMax(x: RefData, axisArg: number): RefData {
  const axis = normalizeAxis('argMax(axis)', axisArg, x.shape.length);
  const n = x.shape[axis]!;
  const outer = sizeOfShape(x.shape.slice(0, axis));
  const inner = sizeOfShape(x.shape.slice(axis + 1));
  const out = new Float64Array(outer * inner);
  for (let r = 0; r < outer; r++) {
    for (let c = 0; c < inner; c++) {
      let best = 0;
      for (let k = 1; k < n; k++) {
        if (x.data[(r * n + k) * inner + c]! > x.data[(r * n + best) * inner + c]!) best = k;
      }
      out[r * inner + c] = best;
    }
  }
  return makeData(
    x.shape.filter((_, i) => i !== axis),
    out,
    'int32',
  );
}
