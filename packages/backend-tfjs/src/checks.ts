/**
 * Argument checks for the tfjs ops, run before tfjs sees the arguments. tfjs's own messages ("Error in matMul:
 * inner shapes (5) and (4) of Tensors with shapes 3,5 and 4,4 ... must match") name neither seqmodel's argument
 * nor what was expected; these throw `SeqmodelError`s that do. Each check is a few comparisons on shapes.
 */
import {
  type DType,
  formatShape,
  invalidArgument,
  normalizeAxis,
  resolveReshape,
  SeqmodelError,
  type Shape,
  shapesEqual,
  unravelIndex,
} from '@seqmodel/core';

const dtypes: readonly DType[] = ['float32', 'int32'];

export function checkDType(argument: string, dtype: unknown): DType {
  if (!dtypes.includes(dtype as DType)) invalidArgument(argument, dtype, '"float32" or "int32"');
  return dtype as DType;
}

/** A shape as a user passes it: an array of non-negative integers (and `-1` where `allowUnknown`). */
export function checkShapeArgument(argument: string, shape: unknown, allowUnknown = false): number[] {
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => Number.isInteger(d) && (d >= 0 || (allowUnknown && d === -1)))
  ) {
    invalidArgument(
      argument,
      shape,
      allowUnknown
        ? 'an array of non-negative integers (one may be -1)'
        : 'an array of non-negative integers',
    );
  }
  return shape as number[];
}

/** Throws unless the shapes broadcast together (NumPy rules); `what` names the call, e.g. `add(a, b)`. */
export function checkBroadcast(what: string, shapes: readonly Shape[]): void {
  const rank = Math.max(...shapes.map((s) => s.length));
  for (let i = 1; i <= rank; i++) {
    let size = 1;
    for (const s of shapes) {
      const d = s[s.length - i] ?? 1;
      if (d === 1) continue;
      if (size !== 1 && d !== size) {
        throw new SeqmodelError(
          `${what}: expected shapes that broadcast together (trailing sizes equal or 1), received ` +
            `${shapes.map(formatShape).join(' and ')}`,
        );
      }
      size = d;
    }
  }
}

export function checkMatMul(a: Shape, b: Shape, transposeA: boolean, transposeB: boolean): void {
  const rank = a.length;
  if ((rank !== 2 && rank !== 3) || b.length !== rank) {
    throw new SeqmodelError(
      `matMul(a, b): expected two rank-2 ([m, k]·[k, n]) or two rank-3 ([batch, m, k]·[batch, k, n]) tensors, ` +
        `received shapes ${formatShape(a)} and ${formatShape(b)}`,
    );
  }
  if (rank === 3 && a[0] !== b[0]) {
    throw new SeqmodelError(
      `matMul(a, b): expected equal batch sizes, received shapes ${formatShape(a)} and ${formatShape(b)}`,
    );
  }
  const k = transposeA ? a[rank - 2] : a[rank - 1];
  const k2 = transposeB ? b[rank - 1] : b[rank - 2];
  if (k !== k2) {
    const ta = transposeA ? 'ᵀ' : '';
    const tb = transposeB ? 'ᵀ' : '';
    throw new SeqmodelError(
      `matMul(a, b): expected equal inner sizes, received a${ta} with k = ${k} and b${tb} with k = ${k2} ` +
        `(shapes ${formatShape(a)}${ta} and ${formatShape(b)}${tb})`,
    );
  }
}

/** The reshape target with `-1` resolved. */
export function checkReshape(from: Shape, to: unknown): number[] {
  return resolveReshape(from, checkShapeArgument('reshape(shape)', to, true));
}

export function checkPermutation(shape: Shape, perm: readonly number[] | undefined): number[] | undefined {
  if (perm === undefined) return undefined;
  const rank = shape.length;
  const sorted = Array.isArray(perm) ? [...perm].sort((u, v) => u - v) : [];
  if (!Array.isArray(perm) || perm.length !== rank || sorted.some((v, i) => v !== i)) {
    invalidArgument(
      'transpose(perm)',
      perm,
      `a permutation of 0..${rank - 1} for shape ${formatShape(shape)}`,
    );
  }
  return [...perm];
}

export function checkSlice(shape: Shape, begin: readonly number[], size: readonly number[]): void {
  const rank = shape.length;
  const ints = (v: unknown) => Array.isArray(v) && v.every((d) => Number.isInteger(d));
  if (!ints(begin) || begin.length !== rank) {
    invalidArgument('slice(begin)', begin, `${rank} integers for shape ${formatShape(shape)}`);
  }
  if (!ints(size) || size.length !== rank) {
    invalidArgument('slice(size)', size, `${rank} integers (-1: to the end) for shape ${formatShape(shape)}`);
  }
  for (let i = 0; i < rank; i++) {
    const b = begin[i]!;
    const s = size[i] === -1 ? shape[i]! - b : size[i]!;
    if (b < 0 || s < 0 || b + s > shape[i]!) {
      throw new SeqmodelError(
        `slice(begin, size): expected a block inside shape ${formatShape(shape)}, received begin ` +
          `${formatShape(begin)} and size ${formatShape(size)} (axis ${i} runs from ${b} to ${b + s})`,
      );
    }
  }
}

/** The normalized axis; throws unless every shape agrees except along it. */
export function checkConcat(shapes: readonly Shape[], axis: number): number {
  const first = shapes[0];
  if (first === undefined) invalidArgument('concat(xs)', shapes, 'at least one tensor');
  const normalized = normalizeAxis('concat(axis)', axis, first.length);
  const ok = shapes.every(
    (s) => s.length === first.length && s.every((d, i) => i === normalized || d === first[i]),
  );
  if (!ok) {
    throw new SeqmodelError(
      `concat(xs): expected shapes equal except along axis ${normalized}, received ` +
        shapes.map(formatShape).join(', '),
    );
  }
  return normalized;
}

/** The normalized axis (in [0, rank]); throws unless all shapes are equal. */
export function checkStack(shapes: readonly Shape[], axis: number): number {
  const first = shapes[0];
  if (first === undefined) invalidArgument('stack(xs)', shapes, 'at least one tensor');
  if (!shapes.every((s) => shapesEqual(s, first))) {
    throw new SeqmodelError(
      `stack(xs): expected equal shapes, received ${shapes.map(formatShape).join(', ')}`,
    );
  }
  return normalizeAxis('stack(axis)', axis, first.length + 1);
}

/** Axes for a reduction, normalized, deduplicated and sorted (all axes when omitted). */
export function checkAxes(argument: string, axes: unknown, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  if (!Array.isArray(list)) invalidArgument(argument, axes, 'an axis or an array of axes');
  return [...new Set(list.map((a: number) => normalizeAxis(argument, a, rank)))].sort((u, v) => u - v);
}

/** Throws naming the first index outside [0, size) by its position in `indices` (of shape `shape`). */
export function checkIndexValues(argument: string, values: Int32Array, shape: Shape, size: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < 0 || v >= size) {
      const at = unravelIndex(i, shape).join(', ');
      invalidArgument(`${argument}[${at}]`, v, `an index in [0, ${size - 1}]`);
    }
  }
}
