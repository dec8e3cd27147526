import { createReferenceBackend, getActivation } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { activate, fusedActivationNames, gateExp, gateTanh, multiplyByDerivative } from './activations.js';

// Points away from the corners of relu and the hard sigmoids (see the module comment), over the range gates see.
const xs = Float64Array.from({ length: 161 }, (_, i) => -8.05 + 0.1 * i);

describe('fused activations', () => {
  const ref = createReferenceBackend();

  for (const name of fusedActivationNames) {
    it(`${name}: agrees with core's activation on the float64 reference`, () => {
      const expected = ref.toFloat64(getActivation(name)(ref, ref.tensor(Array.from(xs))));
      const actual = Float32Array.from(xs);
      activate(name, actual, 0, actual.length);
      actual.forEach((v, i) => {
        expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(expected[i]!)));
      });
    });

    it(`${name}: the derivative from the output matches central differences`, () => {
      const y = Float32Array.from(xs);
      activate(name, y, 0, y.length);
      const d = new Float32Array(xs.length).fill(1);
      multiplyByDerivative(name, d, 0, y, 0, y.length);
      const f = getActivation(name);
      const h = 1e-5;
      xs.forEach((x, i) => {
        const plus = ref.toFloat64(f(ref, ref.tensor([x + h])))[0]!;
        const minus = ref.toFloat64(f(ref, ref.tensor([x - h])))[0]!;
        const numeric = (plus - minus) / (2 * h);
        // float32 outputs: the derivative from a rounded output is off by a few 1e-7 relative.
        expect(Math.abs(d[i]! - numeric)).toBeLessThanOrEqual(2e-5 * (1 + Math.abs(numeric)));
      });
    });
  }

  it('works on a run inside a larger array, leaving the rest alone', () => {
    const values = Float32Array.from([5, -1, 0.5, 2, 5]);
    activate('tanh', values, 1, 4);
    expect(values[0]).toBe(5);
    expect(values[4]).toBe(5);
    expect(values[2]).toBeCloseTo(Math.tanh(0.5), 7);
    const d = Float32Array.from([3, 1, 1, 1, 3]);
    multiplyByDerivative('tanh', d, 1, values, 1, 3);
    expect(d[0]).toBe(3);
    expect(d[4]).toBe(3);
    expect(d[1]).toBeCloseTo(1 - Math.tanh(-1) ** 2, 6);
  });

  it('gateExp is within 6e-10 relative of Math.exp on [-87, 88] and saturates beyond', () => {
    let worst = 0;
    for (let x = -87; x <= 88; x += 0.0137) {
      worst = Math.max(worst, Math.abs(gateExp(x) / Math.exp(x) - 1));
    }
    expect(worst).toBeLessThan(6e-10);
    expect(gateExp(1000)).toBe(gateExp(88));
    expect(gateExp(-1000)).toBe(gateExp(-87));
    expect(gateExp(Number.NaN)).toBeNaN();
  });

  it('gateTanh is within 6e-10 of Math.tanh everywhere, exact at 0 and ±1 when saturated', () => {
    let worst = 0;
    for (let x = -50; x <= 50; x += 0.00123) worst = Math.max(worst, Math.abs(gateTanh(x) - Math.tanh(x)));
    expect(worst).toBeLessThan(6e-10);
    expect(gateTanh(0)).toBe(0);
    expect(gateTanh(50)).toBe(1);
    expect(gateTanh(-50)).toBe(-1);
    expect(gateTanh(Number.NaN)).toBeNaN();
  });

  it('saturated sigmoid and tanh give 1 and -1 exactly in float32, and 0 within 1e-38', () => {
    const values = Float32Array.from([-200, 200, -200, 200]);
    activate('sigmoid', values, 0, 2);
    activate('tanh', values, 2, 4);
    expect(values[0]).toBeGreaterThanOrEqual(0);
    expect(values[0]).toBeLessThan(1e-38);
    expect(Array.from(values.subarray(1))).toEqual([1, -1, 1]);
  });
});
