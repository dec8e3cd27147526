/**
 * Symbolic shapes: a layer's input and output shapes with `null` where a size is only known at call time (the batch
 * axis always, the time axis of variable-length sequences). Concrete tensors are checked against them.
 */
import { formatShape, invalidArgument, SeqmodelError } from '@seqmodel/core';

/** One axis: a size, or `null` when it varies from call to call. */
export type Dim = number | null;

/** A shape including the batch axis, e.g. `[null, null, 8]` for variable-length sequences of 8 features. */
export type ShapeSpec = readonly Dim[];

/** `[null, 10, 32]`. */
export function formatShapeSpec(shape: ShapeSpec): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** Checks a user-given shape (sizes are positive integers or null). */
export function checkShapeSpec(argument: string, shape: unknown): ShapeSpec {
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d >= 1))) {
    invalidArgument(argument, shape, 'an array of positive integers or null');
  }
  return shape as ShapeSpec;
}

/** The product of the sizes, or null when any of them is unknown. */
export function sizeOfSpec(shape: ShapeSpec): number | null {
  let size = 1;
  for (const d of shape) {
    if (d === null) return null;
    size *= d;
  }
  return size;
}

/** Whether a concrete shape fits a symbolic one (same rank, equal where the spec is known). */
export function fitsSpec(shape: readonly number[], spec: ShapeSpec): boolean {
  return shape.length === spec.length && spec.every((d, i) => d === null || d === shape[i]);
}

/** Throws unless `shape` fits `spec`, naming the argument and both shapes. */
export function checkFitsSpec(argument: string, shape: readonly number[], spec: ShapeSpec): void {
  if (!fitsSpec(shape, spec)) {
    throw new SeqmodelError(
      `${argument}: expected shape ${formatShapeSpec(spec).replace(/null/g, '?')}, received shape ${formatShape(shape)}`,
    );
  }
}
