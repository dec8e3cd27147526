/** The axes a normalization layer normalizes over, and the shape its weights take, shared by layer and RMS norm. */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import { formatShapeSpec, type ShapeSpec } from '@seqmodel/layers';

/** Checks an `axis` option: an integer or a non-empty list of distinct integers (negative ones count from the end). */
export function checkAxisOption(argument: string, axis: unknown): number | number[] {
  const ok = (a: unknown) => typeof a === 'number' && Number.isInteger(a);
  if (ok(axis)) return axis as number;
  if (Array.isArray(axis) && axis.length > 0 && axis.every(ok) && new Set(axis).size === axis.length) {
    return [...axis] as number[];
  }
  return invalidArgument(argument, axis, 'an integer axis or a list of distinct integer axes');
}

/**
 * The normalized axes of an input of `shape` (sorted, non-negative; never the batch axis) and the shape of the
 * weights over them; the axes' sizes must be known. `where` names the layer in errors.
 */
export function normalizedAxes(
  where: string,
  axis: number | readonly number[],
  shape: ShapeSpec,
): { axes: number[]; weightShape: number[] } {
  const rank = shape.length;
  const list = typeof axis === 'number' ? [axis] : axis;
  const axes = list.map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y);
  for (const [i, a] of axes.entries()) {
    if (a < 1 || a >= rank || shape[a] === null) {
      throw new SeqmodelError(
        `${where} axis: expected axes of known size after the batch axis of the input ${formatShapeSpec(shape)}, received ${JSON.stringify(list[i])}`,
      );
    }
  }
  return { axes, weightShape: axes.map((a) => shape[a] as number) };
}

/** `shape` with 1 everywhere but `axes` (for broadcasting weights over an input of that rank). */
export function broadcastShape(rank: number, axes: readonly number[], sizes: readonly number[]): number[] {
  const out = new Array<number>(rank).fill(1);
  axes.forEach((a, i) => {
    out[a] = sizes[i]!;
  });
  return out;
}
