import { describe, expect, it } from 'vitest';
import { worstTanhRelativeError } from '../testing/tanh-accuracy.js';
import { gateExp, gateSigmoid, gateTanh } from './activations.js';

describe('gate activations', () => {
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

  it('gateTanh keeps its relative accuracy near 0: in float32 as Math.tanh from 1e-45 to 4, both signs', () => {
    // The formula alone was a float32 ulp off at 1e-9, off by 165% near 1e-16 and gave 0 for denormals.
    // One float32 ulp is up to 1.2e-7 relative; float64 values within 6e-10 round to the same float32 or a neighbour.
    expect(worstTanhRelativeError(gateTanh, -45)).toBeLessThanOrEqual(1.2e-7);
    expect(Object.is(gateTanh(-0), -0)).toBe(true);
    expect(gateTanh(1e-4)).toBeCloseTo(Math.tanh(1e-4), 15);
  });

  it('saturated sigmoid and tanh give 1 and -1 exactly in float32, and 0 within 1e-38', () => {
    const values = Float32Array.from([gateSigmoid(-200), gateSigmoid(200), gateTanh(-200), gateTanh(200)]);
    expect(values[0]).toBeGreaterThanOrEqual(0);
    expect(values[0]).toBeLessThan(1e-38);
    expect(Array.from(values.subarray(1))).toEqual([1, -1, 1]);
  });

  it('gateSigmoid is within 6e-10 of the exact sigmoid', () => {
    let worst = 0;
    for (let x = -40; x <= 40; x += 0.0071)
      worst = Math.max(worst, Math.abs(gateSigmoid(x) - 1 / (1 + Math.exp(-x))));
    expect(worst).toBeLessThan(6e-10);
  });
});
