/** Numeric comparison with tolerances, for tests of backends and cells. */
import { SeqmodelError } from '../errors.js';

export interface Tolerance {
  /** Absolute tolerance. */
  readonly atol: number;
  /** Relative tolerance, against the expected value. */
  readonly rtol: number;
}

export interface Comparison {
  readonly ok: boolean;
  /** The element that exceeds its tolerance by the largest factor (or the largest error when all pass). */
  readonly worst: {
    readonly index: number;
    readonly actual: number;
    readonly expected: number;
    readonly error: number;
  };
  readonly maxAbsError: number;
}

/** Elementwise `|actual − expected| <= atol + rtol·|expected|`; NaN matches only NaN. */
export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
): Comparison {
  if (actual.length !== expected.length) {
    throw new SeqmodelError(`compareArrays: lengths differ (${actual.length} vs ${expected.length})`);
  }
  let ok = true;
  let worstRatio = -1;
  let worst = { index: -1, actual: 0, expected: 0, error: 0 };
  let maxAbsError = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const bothNaN = Number.isNaN(a) && Number.isNaN(e);
    const error = bothNaN ? 0 : Math.abs(a - e);
    const allowed = tolerance.atol + tolerance.rtol * Math.abs(e);
    const ratio = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error / (allowed || Number.MIN_VALUE);
    if (Number.isNaN(error) || error > allowed) ok = false;
    if (!Number.isNaN(error)) maxAbsError = Math.max(maxAbsError, error);
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: i, actual: a, expected: e, error };
    }
  }
  return { ok, worst, maxAbsError };
}

/** Throws a message naming `what`, the worst element and the tolerance when the arrays differ. */
export function assertClose(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
): void {
  const c = compareArrays(actual, expected, tolerance);
  if (!c.ok) {
    const { index, actual: a, expected: e, error } = c.worst;
    throw new SeqmodelError(
      `${what}: element ${index} is ${a}, expected ${e} (error ${error.toExponential(2)} > ` +
        `atol ${tolerance.atol} + rtol ${tolerance.rtol}·|expected|)`,
    );
  }
}
