import { createRng } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
import {
  type FlashBlocks,
  type FlashProblem,
  flashBackward,
  flashForward,
  type HostMask,
} from './flash-attention.js';
import type { FlashEngine } from './flash-engine.js';
import { JsFlashEngine } from './js-engine.js';
import { WasmFlashEngine } from './wasm-engine.js';

/**
 * Attention and its gradients by explicit float64 loops over whole rows (the T x T weights, no blocks, no online
 * softmax), straight from the contract's formulas: the independent reference for the blocked recurrence.
 */
function referenceAttention(
  p: FlashProblem,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dOut: Float32Array,
) {
  const { batch: B, heads: H, keyHeads: HK, queryLength: TQ, keyLength: TK, depth: D, valueDepth: DV } = p;
  const out = new Float64Array(B * H * TQ * DV);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++) {
      const g = b * HK + Math.floor(h / (H / HK));
      const bh = b * H + h;
      for (let i = 0; i < TQ; i++) {
        const allowed = Array.from({ length: TK }, (_, j) => {
          if (p.causal && j > i + p.queryOffset) return false;
          if (!p.mask) return true;
          const [s0, s1, s2, s3] = p.mask.strides;
          return p.mask.data[b * s0 + h * s1 + i * s2 + j * s3]! > 0;
        });
        const s = Array.from({ length: TK }, (_, j) => {
          let dot = 0;
          for (let c = 0; c < D; c++) dot += q[(bh * TQ + i) * D + c]! * k[(g * TK + j) * D + c]!;
          return dot * p.scale;
        });
        const max = Math.max(...s.filter((_, j) => allowed[j]));
        const e = s.map((x, j) => (allowed[j] ? Math.exp(x - max) : 0));
        const total = e.reduce((a, x) => a + x, 0);
        const w = e.map((x) => (total === 0 ? 0 : x / total));
        const keep = (j: number) => (p.keep ? p.keep[(bh * TQ + i) * TK + j]! : 1);
        const dO = (c: number) => dOut[(bh * TQ + i) * DV + c]!;
        for (let j = 0; j < TK; j++)
          for (let c = 0; c < DV; c++) {
            out[(bh * TQ + i) * DV + c]! += w[j]! * keep(j) * v[(g * TK + j) * DV + c]!;
            dv[(g * TK + j) * DV + c]! += w[j]! * keep(j) * dO(c);
          }
        // dW = (dO·Vᵀ) ⊙ keep, dS = W ⊙ (dW − Σ dW ⊙ W)
        const dW = Array.from({ length: TK }, (_, j) => {
          let dot = 0;
          for (let c = 0; c < DV; c++) dot += dO(c) * v[(g * TK + j) * DV + c]!;
          return dot * keep(j);
        });
        const rowTerm = dW.reduce((a, x, j) => a + x * w[j]!, 0);
        for (let j = 0; j < TK; j++) {
          const dS = w[j]! * (dW[j]! - rowTerm) * p.scale;
          for (let c = 0; c < D; c++) {
            dq[(bh * TQ + i) * D + c]! += dS * k[(g * TK + j) * D + c]!;
            dk[(g * TK + j) * D + c]! += dS * q[(bh * TQ + i) * D + c]!;
          }
        }
      }
    }
  return { out, dq, dk, dv };
}

function normals(n: number, seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

interface Case {
  readonly name: string;
  readonly problem: FlashProblem;
  readonly blocks?: FlashBlocks;
}

function sizes(
  batch: number,
  heads: number,
  keyHeads: number,
  queryLength: number,
  keyLength: number,
  depth: number,
  valueDepth: number,
) {
  return { batch, heads, keyHeads, queryLength, keyLength, depth, valueDepth };
}

const small: FlashBlocks = { queries: 4, keys: 8 };

function keyMask(batch: number, keyLength: number, valid: readonly number[]): HostMask {
  const data = new Float32Array(batch * keyLength);
  valid.forEach((n, b) => {
    data.fill(1, b * keyLength, b * keyLength + n);
  });
  return { data, strides: [keyLength, 0, 0, 1] };
}

function randomMask(b: number, h: number, tq: number, tk: number, seed: string): HostMask {
  const rng = createRng(seed);
  const data = Float32Array.from({ length: b * h * tq * tk }, () => (rng.next() < 0.3 ? 0 : 1));
  // Query row 1 of head 0 fully masked: zeros out, zero gradients.
  data.fill(0, tk, 2 * tk);
  return { data, strides: [h * tq * tk, tq * tk, tk, 1] };
}

function keepFactors(n: number, rate: number, seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() < rate ? 0 : 1 / (1 - rate)));
}

const base = { scale: 0.4, causal: false, queryOffset: 0 };
const cases: Case[] = [
  { name: 'one block, depths not multiples of 8', problem: { ...sizes(1, 1, 1, 3, 5, 3, 2), ...base } },
  {
    name: 'several blocks, grouped heads',
    problem: { ...sizes(2, 4, 2, 13, 21, 5, 7), ...base },
    blocks: small,
  },
  {
    name: 'causal, top-left',
    problem: { ...sizes(1, 2, 2, 19, 19, 4, 4), ...base, causal: true },
    blocks: small,
  },
  {
    name: 'causal, lower-right (a key/value cache)',
    problem: { ...sizes(1, 2, 1, 6, 23, 4, 4), ...base, causal: true, queryOffset: 17 },
    blocks: small,
  },
  {
    name: 'key padding mask',
    problem: { ...sizes(2, 2, 2, 9, 17, 8, 8), ...base, mask: keyMask(2, 17, [17, 5]) },
    blocks: small,
  },
  {
    name: 'full mask with a fully masked row, causal',
    problem: { ...sizes(1, 3, 1, 11, 11, 6, 3), ...base, causal: true, mask: randomMask(1, 3, 11, 11, 'm') },
    blocks: small,
  },
  {
    name: 'dropout',
    problem: { ...sizes(1, 2, 2, 10, 12, 4, 5), ...base, keep: keepFactors(2 * 10 * 12, 0.3, 'k') },
    blocks: small,
  },
];

function check(engine: FlashEngine, c: Case) {
  const p = c.problem;
  const q = normals(p.batch * p.heads * p.queryLength * p.depth, `${c.name} q`);
  const k = normals(p.batch * p.keyHeads * p.keyLength * p.depth, `${c.name} k`);
  const v = normals(p.batch * p.keyHeads * p.keyLength * p.valueDepth, `${c.name} v`);
  const dOut = normals(p.batch * p.heads * p.queryLength * p.valueDepth, `${c.name} dOut`);
  const output = new Float32Array(dOut.length);
  const logSumExp = new Float32Array(p.batch * p.heads * p.queryLength);
  flashForward(engine, p, { query: q, key: k, value: v, output, logSumExp }, c.blocks);
  const grads = {
    queryGradient: new Float32Array(q.length),
    keyGradient: new Float32Array(k.length),
    valueGradient: new Float32Array(v.length),
  };
  flashBackward(
    engine,
    p,
    { query: q, key: k, value: v, output, logSumExp, outputGradient: dOut, ...grads },
    c.blocks,
  );
  const expected = referenceAttention(p, q, k, v, dOut);
  // float32 blocks against float64 rows: sums of ~20 products of unit normals.
  const tolerance = { atol: 2e-5, rtol: 1e-4 };
  assertClose(`${c.name}: output`, output, expected.out, tolerance);
  assertClose(`${c.name}: dQuery`, grads.queryGradient, expected.dq, tolerance);
  assertClose(`${c.name}: dKey`, grads.keyGradient, expected.dk, tolerance);
  assertClose(`${c.name}: dValue`, grads.valueGradient, expected.dv, tolerance);
  expect(output.every(Number.isFinite)).toBe(true);
}

describe('flashForward / flashBackward against float64 loops', () => {
  const engines: [string, FlashEngine | undefined][] = [
    ['JavaScript', new JsFlashEngine()],
    ['WebAssembly SIMD', WasmFlashEngine.create()],
  ];
  for (const [name, engine] of engines) {
    describe(name, () => {
      it('is available', () => expect(engine).toBeDefined());
      for (const c of cases) it(c.name, () => check(engine!, c));
    });
  }
});
