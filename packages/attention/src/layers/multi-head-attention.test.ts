/**
 * MultiHeadAttention against Keras' formulas written out with loops in float64 (einsum projections, scaled scores,
 * masked softmax, output projection), its causality, its grouped heads and its errors. The layer kit
 * (`conformance.test.ts`) covers gradients, masks, configs and leaks.
 */
import { createReferenceBackend, createRng } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
import { values } from '../test-helpers.js';
import { multiHeadAttention } from './multi-head-attention.js';

const ref = createReferenceBackend();

function random(n: number, seed: string): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Math.fround(rng.normal()));
}

/** Keras' MultiHeadAttention for one batch entry, by loops: x `[T, E]`, weights as Keras stores them. */
function kerasMha(
  x: number[][],
  w: number[][],
  o: { h: number; hkv: number; kd: number; causal: boolean; keyMask?: number[] },
): number[][] {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = w as [
    number[],
    number[],
    number[],
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const T = x.length;
  const E = x[0]!.length;
  const proj = (kernel: number[], bias: number[], heads: number) =>
    x.map((row) =>
      Array.from({ length: heads }, (_, n) =>
        Array.from({ length: o.kd }, (_, d) =>
          row.reduce((s, v, e) => s + v * kernel[(e * heads + n) * o.kd + d]!, bias[n * o.kd + d]!),
        ),
      ),
    );
  const q = proj(wq, bq, o.h);
  const k = proj(wk, bk, o.hkv);
  const v = proj(wv, bv, o.hkv);
  const out = Array.from({ length: T }, () => new Array<number>(E).fill(0));
  for (let n = 0; n < o.h; n++) {
    const g = Math.floor(n / (o.h / o.hkv));
    for (let i = 0; i < T; i++) {
      const allowed = Array.from(
        { length: T },
        (_, j) => (!o.causal || j <= i) && (o.keyMask?.[j] ?? 1) === 1,
      );
      const s = Array.from(
        { length: T },
        (_, j) => q[i]![n]!.reduce((a, qd, d) => a + qd * k[j]![g]![d]!, 0) / Math.sqrt(o.kd),
      );
      const max = Math.max(...s.filter((_, j) => allowed[j]));
      const e = s.map((sv, j) => (allowed[j] ? Math.exp(sv - max) : 0));
      const total = e.reduce((a, b) => a + b, 0);
      const ctx = Array.from({ length: o.kd }, (_, d) =>
        e.reduce((a, ej, j) => a + (ej / total) * v[j]![g]![d]!, 0),
      );
      for (let m = 0; m < E; m++)
        out[i]![m]! += ctx.reduce((a, c, d) => a + c * wo[(n * o.kd + d) * E + m]!, 0);
    }
  }
  return out.map((row) => row.map((val, m) => val + bo[m]!));
}

function build(options: { numHeads: number; numKeyValueHeads: number; useCausalMask: boolean }) {
  const layer = multiHeadAttention({ keyDim: 3, ...options }).build(
    ref,
    [
      [null, null, 4],
      [null, null, 4],
    ],
    { seed: 5 },
  );
  // Non-zero biases, so that a bias in the wrong place shows.
  const w = layer.weights.map((weight, i) => random(weight.size, `w${i}`));
  layer.weights.forEach((weight, i) => {
    weight.assign(ref.tensor(w[i]!, [...weight.shape]));
  });
  return { layer, w };
}

describe('multiHeadAttention', () => {
  for (const [label, numHeads, numKeyValueHeads, useCausalMask] of [
    ['plain', 2, 2, false],
    ['causal, grouped-query (4 heads, 2 key/value heads)', 4, 2, true],
  ] as const) {
    it(`matches Keras' formulas computed by loops: ${label}`, () => {
      const { layer, w } = build({ numHeads, numKeyValueHeads, useCausalMask });
      const x = random(2 * 5 * 4, 'x');
      const keyMask = [1, 1, 1, 0, 0];
      const y = layer.apply([ref.tensor(x, [2, 5, 4]), ref.tensor(x, [2, 5, 4])], {
        mask: [undefined, ref.tensor([1, 1, 1, 1, 1, ...keyMask], [2, 5])],
      }) as ReturnType<typeof ref.tensor>;
      const rows = (b: number) =>
        Array.from({ length: 5 }, (_, t) => x.slice((b * 5 + t) * 4, (b * 5 + t + 1) * 4));
      const o = { h: numHeads, hkv: numKeyValueHeads, kd: 3, causal: useCausalMask };
      const expected = [...kerasMha(rows(0), w, o), ...kerasMha(rows(1), w, { ...o, keyMask })].flat();
      assertClose('output', values(ref, y), expected, { atol: 1e-12, rtol: 1e-12 });
    });
  }

  it('is causal: outputs before step t do not change when inputs after t change', () => {
    const { layer } = build({ numHeads: 2, numKeyValueHeads: 1, useCausalMask: true });
    const x = random(5 * 4, 'c');
    const later = x.map((v, i) => (i >= 3 * 4 ? v - 3 : v));
    const run = (data: number[]) => {
      const t = ref.tensor(data, [1, 5, 4]);
      return values(ref, layer.apply([t, t]) as typeof t);
    };
    const [a, b] = [run(x), run(later)];
    expect(b.slice(0, 3 * 4)).toEqual(a.slice(0, 3 * 4));
    expect(b.slice(3 * 4)).not.toEqual(a.slice(3 * 4));
  });

  it('names the argument, what it received and what it expected', () => {
    expect(() => multiHeadAttention({ numHeads: 4, keyDim: 2, numKeyValueHeads: 3 })).toThrow(
      'multiHeadAttention numKeyValueHeads: expected a divisor of numHeads (4), received 3',
    );
    const layer = multiHeadAttention({ numHeads: 2, keyDim: 2 }).build(
      ref,
      [
        [null, null, 4],
        [null, null, 4],
      ],
      { seed: 1 },
    );
    const q = ref.fill([2, 3, 4], 1);
    expect(() => layer.apply([q, ref.fill([2, 5], 1)])).toThrow(
      'multi_head_attention (MultiHeadAttention) value: expected rank 3 [batch, time, features], received shape [2, 5]',
    );
    expect(() => layer.apply([q, ref.fill([2, 5, 4], 1), ref.fill([2, 6, 4], 1)])).toThrow(
      "multi_head_attention (MultiHeadAttention) key: expected the value's length 5 (keys and values pair up), received shape [2, 6, 4]",
    );
    expect(() =>
      layer.apply([q, ref.fill([2, 5, 4], 1)], { mask: [undefined, ref.fill([2, 4], 1)] }),
    ).toThrow('valueMask: expected shape [2, 5], received shape [2, 4]');
    expect(() => layer.apply([q])).toThrow(
      'multi_head_attention (MultiHeadAttention) inputs: expected 2 to 3 input tensors, received 1',
    );
  });
});
