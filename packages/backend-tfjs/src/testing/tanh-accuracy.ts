/**
 * The worst relative error of a tanh near 0 and up to 4, where formulas through e^{2x} lose it to cancellation: over
 * float32 arguments ±10^e, e from `fromExponent` to 0.6 in steps of 0.0031, against `Math.tanh` rounded to float32
 * (the result is rounded to float32 too). For the tests of each implementation (JavaScript, shaders).
 */
export function worstTanhRelativeError(tanh: (x: number) => number, fromExponent: number): number {
  let worst = 0;
  for (let e = fromExponent; e <= 0.6; e += 0.0031) {
    for (const sign of [1, -1]) {
      const x = Math.fround(sign * 10 ** e);
      if (x === 0) continue;
      const want = Math.fround(Math.tanh(x));
      worst = Math.max(worst, Math.abs(Math.fround(tanh(x)) - want) / Math.abs(want));
    }
  }
  return worst;
}
