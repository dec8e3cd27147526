import {
  type Backend,
  createReferenceBackend,
  createRng,
  registerKernel,
  SeqmodelError,
  unregisterKernel,
} from '@seqmodel/core';
import { assertClose, checkNoLeak } from '@seqmodel/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuBackend, normals, values } from '../test-helpers.js';
import type { ScaledDotProductKernel } from './kernel.js';
import { causalMask, combineAttentionMasks } from './masks.js';
import { scaledDotProductAttention, scaledDotProductGeneric } from './scaled-dot-product.js';

const ref = createReferenceBackend();
const cpu = cpuBackend();

/**
 * Attention by explicit loops in float64, written from the definition (no shared code with the generic path): for
 * each row, the softmax over the allowed keys only; a row with none allowed is zero.
 */
function loopAttention(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  dims: { b: number; h: number; hk: number; tq: number; tk: number; d: number; dv: number },
  allowed: (b: number, h: number, i: number, j: number) => boolean,
  scale = 1 / Math.sqrt(dims.d),
): { output: Float64Array; weights: Float64Array } {
  const { b: B, h: H, hk: HK, tq: TQ, tk: TK, d: D, dv: DV } = dims;
  const output = new Float64Array(B * H * TQ * DV);
  const weights = new Float64Array(B * H * TQ * TK);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / HK));
      for (let i = 0; i < TQ; i++) {
        const s: number[] = [];
        for (let j = 0; j < TK; j++) {
          let dot = 0;
          for (let c = 0; c < D; c++)
            dot += q[((b * H + h) * TQ + i) * D + c]! * k[((b * HK + g) * TK + j) * D + c]!;
          s.push(dot * scale);
        }
        const keep = s.map((_, j) => allowed(b, h, i, j));
        const max = Math.max(...s.filter((_, j) => keep[j]));
        const e = s.map((x, j) => (keep[j] ? Math.exp(x - max) : 0));
        const total = e.reduce((a, x) => a + x, 0);
        for (let j = 0; j < TK; j++) {
          const w = total === 0 ? 0 : e[j]! / total;
          weights[((b * H + h) * TQ + i) * TK + j] = w;
          for (let c = 0; c < DV; c++)
            output[((b * H + h) * TQ + i) * DV + c]! += w * v[((b * HK + g) * TK + j) * DV + c]!;
        }
      }
    }
  return { output, weights };
}

const dims = { b: 2, h: 4, hk: 2, tq: 3, tk: 5, d: 3, dv: 2 };
const qv = normals(dims.b * dims.h * dims.tq * dims.d, 'q');
const kv = normals(dims.b * dims.hk * dims.tk * dims.d, 'k');
const vv = normals(dims.b * dims.hk * dims.tk * dims.dv, 'v');
/** Key padding: row 0 has all 5 keys, row 1 only the first 2. */
const keyMask = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0];
const F64 = { atol: 1e-12, rtol: 1e-12 };

function tensors<T>(b: Backend<T>) {
  return {
    query: b.tensor(qv, [dims.b, dims.h, dims.tq, dims.d]),
    key: b.tensor(kv, [dims.b, dims.hk, dims.tk, dims.d]),
    value: b.tensor(vv, [dims.b, dims.hk, dims.tk, dims.dv]),
  };
}

describe('scaledDotProductAttention', () => {
  it('matches an independent float64 computation, grouped heads and padding mask included', () => {
    const mask = ref.tensor(keyMask, [dims.b, 1, 1, dims.tk]);
    const { output, weights } = scaledDotProductAttention(ref, {
      ...tensors(ref),
      mask,
      returnWeights: true,
    });
    const expected = loopAttention(qv, kv, vv, dims, (b, _h, _i, j) => keyMask[b * dims.tk + j] === 1);
    expect(ref.shape(output)).toEqual([2, 4, 3, 2]);
    assertClose('output', values(ref, output), expected.output, F64);
    assertClose('weights', values(ref, weights!), expected.weights, F64);
  });

  it('is causal: top-left aligned by default, lower-right with a cache offset', () => {
    for (const queryOffset of [0, 2]) {
      const { output, weights } = scaledDotProductAttention(ref, {
        ...tensors(ref),
        causal: true,
        queryOffset,
        returnWeights: true,
      });
      const expected = loopAttention(qv, kv, vv, dims, (_b, _h, i, j) => j <= i + queryOffset);
      assertClose(`output (offset ${queryOffset})`, values(ref, output), expected.output, F64);
      assertClose(`weights (offset ${queryOffset})`, values(ref, weights!), expected.weights, F64);
    }
    expect(ref.toArray(causalMask(ref, 2, 4, 2))).toEqual([
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
  });

  it('outputs before step t do not change when inputs after t change (causal self-attention)', () => {
    const t = 1;
    const x = normals(2 * 1 * 4 * 3, 'x');
    const changed = x.map((v, i) => (Math.floor(i / 3) % 4 > t ? v + 10 : v));
    const run = (data: Float64Array) => {
      const s = ref.tensor(data, [2, 1, 4, 3]);
      return values(ref, scaledDotProductAttention(ref, { query: s, key: s, value: s, causal: true }).output);
    };
    const [a, b] = [run(x), run(changed)];
    for (let i = 0; i < a.length; i++) {
      const step = Math.floor(i / 3) % 4;
      if (step <= t) expect(b[i]).toBe(a[i]);
      else expect(b[i]).not.toBe(a[i]);
    }
  });

  it('gives masked keys exactly zero weight and fully masked rows zeros, never NaN, on cpu too', () => {
    const check = <T>(b: Backend<T>) => {
      // Row 1 of the query mask masks query 2 entirely; huge scores must not leak through the fill value.
      const queryMask = b.tensor([1, 1, 1, 1, 1, 0], [2, 3]);
      const valueMask = b.tensor(keyMask, [2, 5]);
      const combined = combineAttentionMasks(
        b,
        { queryMask, valueMask },
        { batch: 2, queryLength: 3, keyLength: 5 },
      );
      const t = tensors(b);
      const { output, weights } = scaledDotProductAttention(b, {
        ...t,
        query: b.mul(t.query, 1e4),
        mask: b.reshape(combined!, [2, 1, 3, 5]),
        returnWeights: true,
      });
      const w = values(b, weights!);
      const o = values(b, output);
      expect(w.every(Number.isFinite) && o.every(Number.isFinite)).toBe(true);
      for (let h = 0; h < 4; h++)
        for (let i = 0; i < 3; i++)
          for (let j = 0; j < 5; j++) {
            const weight = w[((4 + h) * 3 + i) * 5 + j]!;
            if (j >= 2 || i === 2) expect(weight).toBe(0);
          }
      for (let h = 0; h < 4; h++) for (let c = 0; c < 2; c++) expect(o[((4 + h) * 3 + 2) * 2 + c]).toBe(0);
    };
    check(ref);
    check(cpu);
  });

  it('applies dropout to the weights from the given stream, scaled by 1 / (1 - rate)', () => {
    const args = { ...tensors(ref), returnWeights: true };
    const plain = scaledDotProductAttention(ref, args);
    const dropped = scaledDotProductAttention(ref, { ...args, dropout: { rate: 0.5, rng: createRng(7) } });
    const again = scaledDotProductAttention(ref, { ...args, dropout: { rate: 0.5, rng: createRng(7) } });
    expect(values(ref, dropped.output)).toEqual(values(ref, again.output));
    expect(values(ref, dropped.weights!)).toEqual(values(ref, plain.weights!));
    // Recompute the output from the same keep mask drawn host-side.
    const rng = createRng(7);
    const keep = Array.from({ length: 2 * 4 * 3 * 5 }, () => (rng.next() < 0.5 ? 0 : 2));
    const w = values(ref, plain.weights!).map((x, i) => x * keep[i]!);
    const expected = loopAttention(qv, kv, vv, dims, () => true);
    const out = new Float64Array(expected.output.length);
    for (let bh = 0; bh < 8; bh++)
      for (let i = 0; i < 3; i++)
        for (let c = 0; c < 2; c++)
          for (let j = 0; j < 5; j++) {
            const g = Math.floor((bh % 4) / 2) + Math.floor(bh / 4) * 2;
            out[(bh * 3 + i) * 2 + c]! += w[(bh * 3 + i) * 5 + j]! * vv[(g * 5 + j) * 2 + c]!;
          }
    assertClose('dropped output', values(ref, dropped.output), out, F64);
  });

  it('has gradients that match finite differences (cpu autodiff vs float64 central differences)', () => {
    // One batch entry, two query heads sharing one key/value head, 2 queries, 3 keys (the last one padded).
    const q = normals(8, 'gq');
    const k = normals(6, 'gk');
    const v = normals(6, 'gv');
    const r = normals(8, 'gr');
    const mask = [1, 1, 0];
    const loss = <T>(backend: Backend<T>, xs: T[]) => {
      const { output } = scaledDotProductAttention(backend, {
        query: xs[0]!,
        key: xs[1]!,
        value: xs[2]!,
        mask: backend.tensor(mask, [1, 1, 1, 3]),
        causal: true,
        queryOffset: 1,
      });
      return backend.sum(backend.mul(output, backend.tensor(r, [1, 2, 2, 2])));
    };
    const shapes = [
      [1, 2, 2, 2],
      [1, 1, 3, 2],
      [1, 1, 3, 2],
    ];
    const inputs = [q, k, v];
    const args = inputs.map((x, i) => cpu.tensor(x, shapes[i]!));
    const { value, grads } = cpu.valueAndGrads((...xs) => loss(cpu, xs as typeof args), args);
    const f = (xs: Float64Array[]) =>
      ref.tidy(
        () =>
          values(
            ref,
            loss(
              ref,
              xs.map((x, i) => ref.tensor(x, shapes[i]!)),
            ),
          )[0]!,
      );
    inputs.forEach((x, n) => {
      const fd = Array.from(x, (_, i) => {
        const plus = inputs.map((y) => y.slice());
        const minus = inputs.map((y) => y.slice());
        plus[n]![i]! += 1e-6;
        minus[n]![i]! -= 1e-6;
        return (f(plus) - f(minus)) / 2e-6;
      });
      assertClose(`d/d input ${n}`, values(cpu, grads[n]!), fd, { atol: 1e-4, rtol: 1e-3 });
    });
    cpu.dispose([value, ...grads, ...args]);
  });

  it('frees everything but its result', () => {
    const t = tensors(cpu);
    const mask = cpu.tensor(keyMask, [2, 1, 1, 5]);
    checkNoLeak(cpu, 'attention with weights, mask and dropout', () => {
      const r = scaledDotProductAttention(cpu, {
        ...t,
        mask,
        causal: true,
        dropout: { rate: 0.3, rng: createRng(1) },
        returnWeights: true,
      });
      cpu.dispose([r.output, r.weights!]);
    });
    cpu.dispose([t, mask]);
  });

  it('names the argument, what it received and what it expected', () => {
    const t = tensors(ref);
    const call = (extra: object) => () => scaledDotProductAttention(ref, { ...t, ...extra } as never);
    expect(call({ query: ref.fill([2, 3, 3], 0) })).toThrow(
      'query: expected a rank-4 tensor [batch, heads, queryLength, depth], received shape [2, 3, 3]',
    );
    expect(call({ key: ref.fill([2, 3, 5, 3], 0) })).toThrow(
      "key: expected shape [2, h, keyLength, 3] with h dividing the query's 4 heads (the query is [2, 4, 3, 3]), received shape [2, 3, 5, 3]",
    );
    expect(call({ value: ref.fill([2, 2, 4, 2], 0) })).toThrow(
      'value: expected shape [2, 2, 5, valueDepth] (batch, heads and length of the key [2, 2, 5, 3]), received shape [2, 2, 4, 2]',
    );
    expect(call({ mask: ref.fill([2, 3, 4], 1) })).toThrow(
      'mask: expected a shape that broadcasts to [batch, heads, queryLength, keyLength] = [2, 4, 3, 5] (such as [3, 5], [2, 3, 5] or [2, 1, 1, 5]), received shape [2, 3, 4]',
    );
    expect(call({ queryOffset: -1 })).toThrow('queryOffset: expected a non-negative integer, received -1');
    expect(call({ dropout: { rate: 1, rng: createRng(1) } })).toThrow(
      'dropout.rate: expected a rate in [0, 1)',
    );
    expect(() =>
      combineAttentionMasks(
        ref,
        { valueMask: ref.fill([2, 4], 1) },
        { batch: 2, queryLength: 3, keyLength: 5 },
      ),
    ).toThrow('valueMask: expected shape [2, 5], received shape [2, 4]');
  });
});

describe('the attention/scaledDotProduct kernel hook', () => {
  afterEach(() => {
    unregisterKernel({ backend: 'cpu', kind: 'attention', name: 'scaledDotProduct' });
  });

  it('runs a kernel registered for the backend when it supports the arguments, the generic path otherwise', () => {
    const seen: string[] = [];
    const kernel: ScaledDotProductKernel<unknown> = {
      supports: (args) => (args.returnWeights ? 'this test kernel returns no weights' : undefined),
      run: (args) => {
        seen.push(`causal ${args.causal} offset ${args.queryOffset} scale ${args.scale}`);
        return { output: scaledDotProductGeneric(cpu as never, args as never).output };
      },
    };
    registerKernel({ backend: 'cpu', kind: 'attention', name: 'scaledDotProduct', kernel });
    const t = tensors(cpu);
    const fused = scaledDotProductAttention(cpu, { ...t, causal: true, scale: 0.5 });
    const generic = scaledDotProductAttention(cpu, { ...t, causal: true, scale: 0.5, fused: 'never' });
    expect(seen).toEqual(['causal true offset 0 scale 0.5']);
    expect(values(cpu, fused.output)).toEqual(values(cpu, generic.output));
    scaledDotProductAttention(cpu, { ...t, returnWeights: true });
    expect(seen.length).toBe(1);
    expect(() => scaledDotProductAttention(cpu, { ...t, returnWeights: true, fused: 'require' })).toThrow(
      SeqmodelError,
    );
    expect(() => scaledDotProductAttention(cpu, { ...t, returnWeights: true, fused: 'require' })).toThrow(
      'this test kernel returns no weights',
    );
    cpu.dispose([t, fused.output, generic.output]);
  });
});
