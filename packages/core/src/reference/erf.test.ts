import { describe, expect, it } from 'vitest';
import { erf as derivedErf } from '../derived-ops.js';
import { erf } from './erf.js';
import { createReferenceBackend, type RefTensor } from './reference-backend.js';

// Python's math.erf (glibc's erf), Debian's /usr/bin/python3:
//   print(",\n".join("  [%r, %r]" % (x, math.erf(x)) for x in xs))
// with xs spanning both branches (series below 2.5, continued fraction up to 6) and both sides of each seam.
const glibc: readonly (readonly [number, number])[] = [
  [-7.5, -1.0],
  [-3.2, -0.9999939742388483],
  [-2.5, -0.999593047982555],
  [-1.3, -0.9340079449406524],
  [-0.5, -0.5204998778130465],
  [-1e-8, -1.1283791670955126e-8],
  [0.0, 0.0],
  [1e-8, 1.1283791670955126e-8],
  [0.1, 0.1124629160182849],
  [0.7, 0.6778011938374184],
  [1.0, 0.8427007929497149],
  [1.7, 0.9837904585907745],
  [2.4999, 0.9995928300996666],
  [2.5, 0.999593047982555],
  [3.0, 0.9999779095030014],
  [4.5, 0.9999999998033839],
  [5.99, 1.0],
];

describe('erf (float64 reference)', () => {
  it.each(glibc)('erf(%s) is within 2e-15 of glibc', (x, expected) => {
    // 2e-15: about 9 ulps near 1, the measured worst case (1.3e-15) with a margin; relative near 0.
    expect(Math.abs(erf(x) - expected)).toBeLessThanOrEqual(Math.max(2e-15, 2e-15 * Math.abs(expected)));
    if (Math.abs(x) < 1e-6) expect(erf(x)).toBeCloseTo(expected, 22);
  });

  it('is odd, saturates, and passes NaN through', () => {
    for (const x of [0.3, 1.9, 2.7, 4]) expect(erf(-x)).toBe(-erf(x));
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(erf(Number.NaN)).toBeNaN();
  });

  it('is the reference backend erf', () => {
    const ref = createReferenceBackend();
    const out = ref.toArray(ref.erf(ref.tensor(glibc.map(([x]) => x)))) as number[];
    expect(out).toEqual(glibc.map(([x]) => erf(x)));
  });

  it("core's derived erf (for backends without one) is within 1.5e-7 of it", () => {
    const ref = createReferenceBackend();
    // The reference backend with its erf hidden, so that derived-ops falls back to Abramowitz-Stegun 7.1.26.
    const withoutErf = new Proxy(ref, {
      get: (target, key) => {
        if (key === 'erf') return undefined;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const xs = Array.from({ length: 161 }, (_, i) => -8 + i / 10);
    const before = ref.memory().numTensors;
    const out = ref.tidy(() => ref.toArray(derivedErf(withoutErf, ref.tensor(xs) as RefTensor))) as number[];
    for (const [i, x] of xs.entries()) expect(Math.abs(out[i]! - erf(x))).toBeLessThan(1.5e-7);
    expect(ref.memory().numTensors).toBe(before);
  });
});
