/** Turning what a user passes to `tensor()` into a flat typed array and a shape, with clear errors. */
import {
  type DType,
  formatShape,
  invalidArgument,
  type NestedArray,
  SeqmodelError,
  type Shape,
  sizeOfShape,
  type TypedArray,
} from '@seqmodel/core';
import { checkShapeArgument } from './checks.js';

export interface HostValues {
  readonly values: Float32Array | Int32Array;
  readonly shape: number[];
}

function flatten(values: unknown, out: number[], shape: number[], depth: number, path: string): void {
  if (typeof values === 'number') {
    if (depth !== shape.length) {
      throw new SeqmodelError(
        `tensor(values): expected a nested array of equal-length rows, received a number at ${path || 'the top'} ` +
          `where an array of ${shape[depth]} was expected`,
      );
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values)) {
    invalidArgument(`tensor(values)${path}`, values, 'a number or a nested array of numbers');
  }
  if (depth === shape.length) shape.push(values.length);
  else if (shape[depth] !== values.length) {
    throw new SeqmodelError(
      `tensor(values): expected a nested array of equal-length rows, received length ${values.length} at ` +
        `${path || 'the top'} where ${shape[depth]} was expected`,
    );
  }
  values.forEach((v, i) => {
    flatten(v, out, shape, depth + 1, `${path}[${i}]`);
  });
}

/** Flat values (float32 or int32, int32 truncated toward zero) and the shape, checked against `shape`. */
export function hostValues(
  values: NestedArray | readonly number[] | TypedArray,
  shape: Shape | undefined,
  dtype: DType,
): HostValues {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    if (shape === undefined) invalidArgument('tensor(shape)', shape, 'a shape when values is a typed array');
    flat = values as unknown as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    const out: number[] = [];
    inferred = [];
    flatten(values, out, inferred, 0, '');
    flat = out;
  }
  const finalShape = shape === undefined ? inferred : checkShapeArgument('tensor(shape)', shape);
  if (sizeOfShape(finalShape) !== flat.length) {
    throw new SeqmodelError(
      `tensor(values, shape): expected ${sizeOfShape(finalShape)} values to fill shape ${formatShape(finalShape)}, ` +
        `received ${flat.length}`,
    );
  }
  // Int32Array.from truncates toward zero, as the Ops contract's cast does.
  const typed = dtype === 'int32' ? Int32Array.from(flat) : Float32Array.from(flat);
  return { values: typed, shape: finalShape };
}
