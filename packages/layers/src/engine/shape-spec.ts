/**
 * Symbolic shapes: a layer's input and output shapes with `null` where a size is only known at call time (the batch
 * axis always, the time axis of variable-length sequences). Concrete tensors are checked against them.
 */
import { checkShape, invalidArgument } from '@seqmodel/core';

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

/** Throws unless the concrete `shape` fits `spec` (same rank, equal where the spec is known), naming both shapes. */
export function checkFitsSpec(argument: string, shape: readonly number[], spec: ShapeSpec): void {
  checkShape(
    argument,
    shape,
    spec.map((d) => d ?? -1),
  );
}
