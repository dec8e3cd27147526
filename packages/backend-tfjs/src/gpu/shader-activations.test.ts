import { describe, expect, it } from 'vitest';
import { javascriptShaderLang } from '../testing/interpreting-launcher.js';
import { activationFunctions, type ShaderActivationName } from './shader-activations.js';

/**
 * `act_<name>` and `dact_<name>` as JavaScript, evaluated as a GPU would in the places that matter here: `exp` rounded
 * to float32 (a GPU's exp is a float32 function), the result rounded to float32.
 */
function shaderFunctions(name: ShaderActivationName) {
  const source = activationFunctions(javascriptShaderLang, [name]);
  return new Function(
    'fround',
    'exp',
    'log',
    'abs',
    'sign',
    'max',
    'min',
    'clamp',
    `"use strict";\n${source}\nreturn [act_${name}, dact_${name}];`,
  )(
    Math.fround,
    (v: number) => Math.fround(Math.exp(v)),
    Math.log,
    Math.abs,
    Math.sign,
    Math.max,
    Math.min,
    (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi),
  ) as [(x: number) => number, (y: number) => number];
}

describe('shader activations', () => {
  it('tanh keeps its relative accuracy near 0 with a float32 exp: within 2 float32 ulps of Math.tanh, 1e-38 to 4', () => {
    // The formula alone, (1 − e^{−2|x|}) / (1 + e^{−2|x|}), was 3e-5 off relative at 1e-3 and gave 0 below ~3e-8.
    const [tanh] = shaderFunctions('tanh');
    let worst = 0;
    for (let e = -38; e <= 0.6; e += 0.0031) {
      for (const sign of [1, -1]) {
        const x = Math.fround(sign * 10 ** e);
        const want = Math.fround(Math.tanh(x));
        worst = Math.max(worst, Math.abs(tanh(x) - want) / Math.abs(want));
      }
    }
    // Just above |x| = 0.2 the formula's float32 exp costs up to ~2e-7 relative; below, the series is within 1e-7.
    expect(worst).toBeLessThan(2.4e-7);
    expect(tanh(0)).toBe(0);
    expect(tanh(30)).toBe(1);
    expect(tanh(-30)).toBe(-1);
    expect(tanh(Number.NaN)).toBeNaN();
  });
});
