/** Shape arithmetic shared by the reference ops, the cell API and the backends. */
import { invalidArgument, SeqmodelError } from './errors.js';

export type Shape = readonly number[];

/** Number of elements in a tensor of this shape (1 for a scalar). */
export function sizeOfShape(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Throws unless `actual` equals `expected`; `-1` in `expected` matches any size. */
export function checkShape(argument: string, actual: Shape, expected: Shape): void {
  const ok = actual.length === expected.length && expected.every((d, i) => d === -1 || d === actual[i]);
  if (!ok) {
    const want = formatShape(expected).replace(/-1/g, '?');
    throw new SeqmodelError(`${argument}: expected shape ${want}, received shape ${formatShape(actual)}`);
  }
}

/** Throws unless `shape` has `rank` dimensions. */
export function checkRank(argument: string, shape: Shape, rank: number, meaning?: string): void {
  if (shape.length !== rank) {
    const what = meaning ? `rank ${rank} ${meaning}` : `rank ${rank}`;
    throw new SeqmodelError(
      `${argument}: expected ${what}, received shape ${formatShape(shape)} (rank ${shape.length})`,
    );
  }
}

/** Numpy broadcasting of two shapes; throws naming both shapes when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new SeqmodelError(`cannot broadcast shapes ${formatShape(a)} and ${formatShape(b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Resolves a possibly negative axis against a rank. */
export function normalizeAxis(argument: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    invalidArgument(argument, axis, `an integer axis in [${-rank}, ${rank - 1}]`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Resolves a reshape target that may contain one `-1` against the shape it reshapes; errors name `argument` and
 * both shapes with their element counts.
 */
export function resolveReshape(from: Shape, to: Shape, argument = 'reshape(shape)'): number[] {
  const size = sizeOfShape(from);
  const unknown = to.indexOf(-1);
  if (unknown !== to.lastIndexOf(-1)) invalidArgument(argument, to, 'at most one -1');
  const known = to.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = [...to];
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new SeqmodelError(
        `${argument}: cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(to)}: ` +
          `${size} is not a multiple of ${known}`,
      );
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new SeqmodelError(
      `${argument}: expected a shape of ${size} elements to reshape ${formatShape(from)}, received ` +
        `${formatShape(to)} (${known} elements)`,
    );
  }
  return out;
}
