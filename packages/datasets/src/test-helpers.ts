/** Small helpers for this package's own tests (not exported from the package). */
import { expect } from 'vitest';

/** Mean and (population) variance of `values`. */
export function meanVar(values: ArrayLike<number>): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += (values[i]! - mean) ** 2;
  return { mean, variance: variance / values.length };
}

/** Expects `actual[i] ≈ expected[i]` within `tolerance` for every i. */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  tolerance = 1e-6,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > tolerance) {
      expect.fail(`index ${i}: expected ${expected[i]} ± ${tolerance}, received ${actual[i]}`);
    }
  }
}

/** The first `n` values of a typed array as a plain array (for golden values). */
export function head(values: ArrayLike<number>, n: number): number[] {
  return Array.from({ length: n }, (_, i) => values[i]!);
}
