/** Comparisons of layer results read back to the host, with messages that name the output and the element. */
import { formatShape, SeqmodelError, shapesEqual } from '@seqmodel/core';
import { assertClose, type Tolerance } from '@seqmodel/core/testing';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { formatShapeSpec } from '../engine/shape-spec.js';
import type { HostResult, HostTensor } from './layer-case.js';

/** Bitwise equality: two runs of the same computation on the same backend must not differ at all. */
export const EXACT: Tolerance = { atol: 0, rtol: 0 };

export function assertSameTensor(
  what: string,
  actual: HostTensor | undefined,
  expected: HostTensor | undefined,
  tolerance: Tolerance,
): void {
  if (expected === undefined || actual === undefined) {
    if (expected !== actual)
      throw new SeqmodelError(
        `${what}: ${actual === undefined ? 'missing' : 'present'}, expected ${expected === undefined ? 'none' : 'one'}`,
      );
    return;
  }
  if (!shapesEqual(actual.shape, expected.shape)) {
    throw new SeqmodelError(
      `${what}: shape ${formatShape(actual.shape)}, expected ${formatShape(expected.shape)}`,
    );
  }
  assertClose(what, actual.values, expected.values, tolerance);
}

/** Same number of outputs, each equal within `tolerance`; output masks equal exactly (they hold 0 and 1). */
export function assertSameResult(
  what: string,
  actual: HostResult,
  expected: HostResult,
  tolerance: Tolerance,
): void {
  if (actual.outputs.length !== expected.outputs.length) {
    throw new SeqmodelError(`${what}: ${actual.outputs.length} outputs, expected ${expected.outputs.length}`);
  }
  expected.outputs.forEach((y, i) => {
    assertSameTensor(`${what}: output ${i}`, actual.outputs[i], y, tolerance);
  });
  expected.masks.forEach((m, i) => {
    assertSameTensor(`${what}: mask of output ${i}`, actual.masks[i], m, EXACT);
  });
}

/** Throws unless the concrete `shape` fits `spec` (equal where the spec gives a size; exact when `exact`). */
export function assertShapeFits(
  what: string,
  shape: readonly number[],
  spec: ShapeSpec,
  exact: boolean,
): void {
  const fits = shape.length === spec.length && spec.every((d, i) => (d === null ? !exact : d === shape[i]));
  if (!fits) {
    throw new SeqmodelError(
      `${what}: the layer returned shape ${formatShape(shape)}, computeOutputShape gave ${formatShapeSpec(spec)}`,
    );
  }
}

/**
 * `values` with the entries at masked positions left out: `mask` `[batch, time]` covers the first two axes of
 * `shape` and is broadcast over the rest.
 */
export function unmaskedEntries(what: string, x: HostTensor, mask: HostTensor | undefined): Float64Array {
  if (mask === undefined) return x.values;
  if (mask.shape.length > x.shape.length || !mask.shape.every((d, i) => d === x.shape[i])) {
    throw new SeqmodelError(
      `${what}: mask shape ${formatShape(mask.shape)} does not cover the leading axes of the output ${formatShape(x.shape)}`,
    );
  }
  const inner = x.values.length / mask.values.length;
  return x.values.filter((_, i) => mask.values[Math.floor(i / inner)] !== 0);
}

/** A plain value as canonical JSON (object keys sorted), so two configs can be compared as strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The first key (dotted path) where two JSON values differ, for messages. */
export function firstDifference(a: unknown, b: unknown, path = 'config'): string | undefined {
  if (canonicalJson(a) === canonicalJson(b)) return undefined;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (d !== undefined) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}
