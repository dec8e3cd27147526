import { createRng } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { simdGateModule } from './simd-gate-programs.js';
import { SimdGates } from './simd-gates.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** One LSTM row in float64: the definition the SIMD kernel is checked against. */
function reference(z: number[], r: number[], bias: number[], c: number[]) {
  const units = c.length;
  const pre = z.map((v, j) => v + r[j]! + bias[j]!);
  const gates = pre.map((v, j) => (j >= 2 * units && j < 3 * units ? Math.tanh(v) : sigmoid(v)));
  const cNext = c.map((cv, j) => gates[units + j]! * cv + gates[j]! * gates[2 * units + j]!);
  const ac = cNext.map(Math.tanh);
  const hNext = ac.map((a, j) => gates[3 * units + j]! * a);
  return { gates, cNext, ac, hNext };
}

describe('SIMD gates', () => {
  it('is a valid module of less than 4 KiB (synchronous compilation) where WebAssembly SIMD exists', () => {
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(api.validate(simdGateModule)).toBe(true);
    expect(simdGateModule.length).toBeLessThan(4096);
    expect(SimdGates.create()).toBeDefined();
  });

  it('computes LSTM steps within a few float32 ulps of float64, strided rows and saturated gates included', () => {
    const gates = SimdGates.create()!;
    const [rows, units, time, tau] = [3, 8, 5, 2];
    const width = 4 * units;
    const rng = createRng('simd');
    // Pre-activations from tiny to far beyond saturation (exp's clamps).
    const values = (n: number, scale: number) => Array.from({ length: n }, () => scale * rng.normal());
    const z = Float32Array.from(values(rows * time * width, 3));
    z[tau * width + 1] = 120;
    z[tau * width + 2] = -150;
    z[(time + tau) * width + 2 * units] = 1e-7;
    const r = Float32Array.from(values(rows * width, 1));
    const bias = Float32Array.from(values(width, 0.5));
    const c = Float32Array.from(values(rows * units, 2));
    const cNext = new Float32Array(rows * units);
    const hNext = new Float32Array(rows * units);
    const ac = new Float32Array(rows * time * units).fill(Number.NaN);
    const before = Float32Array.from(z);
    const ok = gates.lstmStep({
      rows,
      units,
      z,
      zOffset: tau * width,
      zStride: time * width,
      recurrent: r,
      bias,
      c,
      cNext,
      hNext,
      ac,
      acOffset: tau * units,
      acStride: time * units,
    });
    expect(ok).toBe(true);
    for (let b = 0; b < rows; b++) {
      const row = (b * time + tau) * width;
      const expected = reference(
        Array.from(before.subarray(row, row + width)),
        Array.from(r.subarray(b * width, (b + 1) * width)),
        Array.from(bias),
        Array.from(c.subarray(b * units, (b + 1) * units)),
      );
      const close = (actual: ArrayLike<number>, e: number[], what: string) => {
        e.forEach((v, j) => {
          if (!(Math.abs(actual[j]! - v) <= 4e-7 * (1 + Math.abs(v)))) {
            throw new Error(`row ${b} ${what}[${j}] = ${actual[j]}, expected ${v}`);
          }
        });
      };
      close(z.subarray(row, row + width), expected.gates, 'gates');
      close(cNext.subarray(b * units, (b + 1) * units), expected.cNext, 'cNext');
      close(hNext.subarray(b * units, (b + 1) * units), expected.hNext, 'hNext');
      close(ac.subarray((b * time + tau) * units, (b * time + tau + 1) * units), expected.ac, 'ac');
    }
    // Rows of other steps are untouched.
    expect(Array.from(z.subarray(0, width))).toEqual(Array.from(before.subarray(0, width)));
    expect(ac[0]).toBeNaN();
  });

  it('leaves z alone without ac (inference), grows its memory for large steps, and declines units not a multiple of 4', () => {
    const gates = SimdGates.create()!;
    const [rows, units] = [128, 512];
    const width = 4 * units;
    const z = new Float32Array(rows * width).fill(0.25);
    const args = {
      rows,
      units,
      z,
      zOffset: 0,
      zStride: width,
      recurrent: new Float32Array(rows * width),
      bias: undefined,
      c: new Float32Array(rows * units).fill(1),
      cNext: new Float32Array(rows * units),
      hNext: new Float32Array(rows * units),
      ac: undefined,
      acOffset: 0,
      acStride: units,
    };
    expect(gates.lstmStep(args)).toBe(true);
    expect(z.every((v) => v === 0.25)).toBe(true);
    const s = sigmoid(0.25);
    expect(args.cNext[rows * units - 1]).toBeCloseTo(s * 1 + s * Math.tanh(0.25), 6);
    expect(gates.lstmStep({ ...args, units: 6, rows: 1 })).toBe(false);
  });

  it('computes GRU steps (reset before the product) within a few float32 ulps of float64', () => {
    const gates = SimdGates.create()!;
    const [rows, units, time, tau] = [3, 8, 4, 1];
    const width = 3 * units;
    const rng = createRng('simd gru');
    const values = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
    const z = values(rows * time * width, 3);
    z[tau * width + 3] = 200;
    const before = Float32Array.from(z);
    const r = values(rows * 2 * units, 1);
    const bias = values(width, 0.5);
    const ht = values(rows * units, 1);
    const resetH = new Float32Array(rows * units);
    expect(
      gates.gruReset({
        rows,
        units,
        z,
        zOffset: tau * width,
        zStride: time * width,
        recurrent: r,
        bias,
        ht,
        resetH,
      }),
    ).toBe(true);
    const rh = values(rows * units, 1);
    const hNext = new Float32Array(rows * units);
    gates.gruCandidate({ recurrent: rh, hNext, gates: z });
    for (let b = 0; b < rows; b++) {
      const row = (b * time + tau) * width;
      for (let j = 0; j < units; j++) {
        const zg = sigmoid(before[row + j]! + r[b * 2 * units + j]! + bias[j]!);
        const rg = sigmoid(before[row + units + j]! + r[b * 2 * units + units + j]! + bias[units + j]!);
        const candidate = Math.tanh(before[row + 2 * units + j]! + rh[b * units + j]! + bias[2 * units + j]!);
        const h = ht[b * units + j]!;
        const expected = [
          [z[row + j]!, zg],
          [z[row + units + j]!, rg],
          [z[row + 2 * units + j]!, candidate],
          [resetH[b * units + j]!, rg * h],
          [hNext[b * units + j]!, zg * h + (1 - zg) * candidate],
        ];
        for (const [actual, e] of expected)
          expect(Math.abs(actual! - e!)).toBeLessThanOrEqual(4e-7 * (1 + Math.abs(e!)));
      }
    }
    expect(Array.from(z.subarray(0, width))).toEqual(Array.from(before.subarray(0, width)));
    expect(() => gates.gruCandidate({ recurrent: rh, hNext, gates: undefined })).toThrow(
      'without a gruReset',
    );
    expect(
      gates.gruReset({ rows: 1, units: 6, z, zOffset: 0, zStride: 18, recurrent: r, bias, ht, resetH }),
    ).toBe(false);
  });
});
