import { initParams } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types (main.mjs runs it with node, no build step)
import { demoInputs, runDemo, seeds, sizes } from './demo.mjs';

interface Row {
  readonly label: string;
  readonly total: number;
  readonly formula: string;
  readonly finalH: number[][];
}

describe('the demo', () => {
  const { cells, rows, liveTensors } = runDemo() as {
    cells: string[];
    rows: Row[];
    liveTensors: number;
  };
  const byLabel = new Map(rows.map((r) => [r.label, r]));

  it('registers the MGU plugin beside the built-in cells and leaks nothing', () => {
    expect(cells).toEqual(expect.arrayContaining(['simpleRNN', 'lstm', 'gru', 'mgu']));
    expect(liveTensors).toBe(0);
  });

  it('counts parameters as Keras does (I = 45, U = 64)', () => {
    const [i, u] = [45, 64];
    const block = i * u + u * u; // one gate's kernel and recurrent kernel
    const expected: Record<string, number> = {
      simpleRNN: block + u,
      lstm: 4 * (block + u),
      'gru {"resetAfter":true}': 3 * block + 2 * 3 * u, // Keras' two bias rows
      'gru {"resetAfter":false}': 3 * (block + u),
      mgu: 2 * (block + u),
    };
    for (const [label, total] of Object.entries(expected)) {
      const row = byLabel.get(label);
      expect(row?.total, label).toBe(total);
      expect(row?.formula.endsWith(`= ${total}`), label).toBe(true);
    }
  });

  it("gives simpleRNN's final state as a float64 loop over the same weights does", () => {
    const { batch, time, inputSize: n, units: u } = sizes;
    const p = initParams('simpleRNN', { inputSize: n, units: u }, seeds.params);
    const [w, r, b] = [p.kernel!.values, p.recurrentKernel!.values, p.bias!.values];
    const x = demoInputs() as Float32Array;
    const got = byLabel.get('simpleRNN')!.finalH;
    for (let row = 0; row < batch; row++) {
      let h = new Float64Array(u);
      for (let t = 0; t < time; t++) {
        const next = new Float64Array(u);
        for (let j = 0; j < u; j++) {
          let z = b[j]!;
          for (let k = 0; k < n; k++) z += x[(row * time + t) * n + k]! * w[k * u + j]!;
          for (let k = 0; k < u; k++) z += h[k]! * r[k * u + j]!;
          next[j] = Math.tanh(z);
        }
        h = next;
      }
      // Both sides are float64 on the same float32 weights: only summation order differs.
      for (let j = 0; j < u; j++) expect(Math.abs(got[row]![j]! - h[j]!)).toBeLessThan(1e-12);
    }
  });

  it('gives every cell a finite final state inside (-1, 1) (tanh-bounded)', () => {
    for (const { label, finalH } of rows) {
      const flat = finalH.flat();
      expect(flat.length, label).toBe(sizes.batch * sizes.units);
      expect(
        flat.every((v) => Number.isFinite(v) && Math.abs(v) < 1),
        label,
      ).toBe(true);
    }
  });
});
