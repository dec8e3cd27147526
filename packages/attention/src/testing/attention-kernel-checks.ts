/**
 * The attention kernel kit: checks that a backend's fused `attention` / `scaledDotProduct` kernel computes what the
 * generic path computes, forward and gradients, over a grid of sizes (one block and many, depths that are not
 * multiples of the kernels' tiles), masks (key padding, query and key padding with fully masked rows, an explicit
 * `[Tq, Tk]` mask, per-head masks), causal attention (top-left, lower-right with a cache offset, one decoding step),
 * grouped and multi-query heads, scales and dropout; its gradients against float64 central differences of the
 * generic path on core's reference backend; that it declines `returnWeights` with a reason; that fully masked rows
 * give zeros; and that nothing leaks. Checks are plain objects (`ConformanceCheck`), so any test runner can run them.
 *
 * Fused and generic results are both float32 on the same backend: outputs and gradients agree within atol 1e-5,
 * rtol 1e-4 (a missing term is off by far more); against finite differences, atol 1e-4, rtol 1e-3 (float32 kernel,
 * float64 differences with step 1e-6).
 */
import {
  type Backend,
  createReferenceBackend,
  createRng,
  ReferenceBackend,
  type RefTensor,
} from '@seqmodel/core';
import { assertClose, type ConformanceCheck, checkNoLeak, type Tolerance } from '@seqmodel/core/testing';
import { combineAttentionMasks } from '../functional/masks.js';
import { scaledDotProductAttention } from '../functional/scaled-dot-product.js';

/** How a case masks: key padding `[B, 1, 1, Tk]`; query and key padding `[B, 1, Tq, Tk]` (one query row fully
 * masked); an explicit random `[Tq, Tk]` mask; a random per-head `[B, H, Tq, Tk]` mask. */
export type AttentionMaskKind = 'keys' | 'queriesAndKeys' | 'explicit' | 'perHead';

/** One configuration of the kit. */
export interface AttentionKernelCase {
  readonly name: string;
  readonly batch: number;
  readonly heads: number;
  readonly keyHeads: number;
  readonly queryLength: number;
  readonly keyLength: number;
  readonly depth: number;
  readonly valueDepth: number;
  readonly causal?: boolean;
  readonly queryOffset?: number;
  readonly scale?: number;
  readonly mask?: AttentionMaskKind;
  /** Dropout rate on the weights (the same seeded stream for both paths). */
  readonly dropout?: number;
}

const dims = (b: number, h: number, hk: number, tq: number, tk: number, d: number, dv: number) => ({
  batch: b,
  heads: h,
  keyHeads: hk,
  queryLength: tq,
  keyLength: tk,
  depth: d,
  valueDepth: dv,
});

/**
 * The default grid: sizes around the 64 x 64 blocks of seqmodel's kernels (one block, several, partial last blocks)
 * and the 4 x 8 tiles of their products (odd depths), every mask kind, both causal alignments, grouped heads, dropout.
 */
export const attentionKernelCases: readonly AttentionKernelCase[] = [
  { name: 'one block, odd sizes', ...dims(2, 2, 2, 7, 11, 5, 3) },
  { name: 'several blocks, partial last ones', ...dims(1, 2, 2, 70, 150, 16, 8) },
  { name: 'grouped heads (4 query heads on 2)', ...dims(2, 4, 2, 67, 67, 8, 8) },
  { name: 'multi-query (4 heads on 1), key padding', ...dims(2, 4, 1, 33, 33, 6, 10), mask: 'keys' },
  { name: 'causal, top-left, several blocks', ...dims(1, 2, 2, 130, 130, 8, 8), causal: true },
  {
    name: 'causal, lower-right (a cache of 128 steps)',
    ...dims(1, 2, 2, 5, 133, 8, 4),
    causal: true,
    queryOffset: 128,
  },
  { name: 'causal, one decoding step', ...dims(2, 2, 1, 1, 70, 8, 8), causal: true, queryOffset: 69 },
  {
    name: 'query and key padding with fully masked rows, causal',
    ...dims(2, 2, 2, 70, 70, 8, 8),
    causal: true,
    mask: 'queriesAndKeys',
  },
  { name: 'explicit [Tq, Tk] mask', ...dims(1, 2, 2, 40, 72, 8, 8), mask: 'explicit' },
  { name: 'per-head mask, multi-query', ...dims(2, 3, 1, 20, 30, 4, 4), mask: 'perHead' },
  { name: 'dropout 0.3 with key padding', ...dims(1, 2, 2, 70, 70, 8, 8), mask: 'keys', dropout: 0.3 },
  { name: 'scale 0.7, more queries than keys', ...dims(1, 2, 2, 90, 10, 8, 8), scale: 0.7 },
];

export interface AttentionKernelCheckOptions {
  /** The grid (default `attentionKernelCases`). */
  readonly cases?: readonly AttentionKernelCase[];
  /** Fused against generic (default atol 1e-5, rtol 1e-4). */
  readonly tolerance?: Tolerance;
}

const defaultTolerance: Tolerance = { atol: 1e-5, rtol: 1e-4 };

function normals(n: number, seed: string): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => Math.fround(rng.normal()));
}

function values<T>(backend: Backend<T>, x: T): Float64Array {
  return backend instanceof ReferenceBackend
    ? backend.toFloat64(x as unknown as RefTensor)
    : Float64Array.from(backend.dataSync(x));
}

/** `backend.valueAndGrads`, which the kit needs. */
function gradients<T>(backend: Backend<T>): NonNullable<Backend<T>['valueAndGrads']> {
  if (typeof backend.valueAndGrads !== 'function') {
    throw new Error(
      `attention kernel kit: expected backend ${backend.name} to have valueAndGrads, received none`,
    );
  }
  return backend.valueAndGrads.bind(backend);
}

/** The host data of a case: inputs, the output's weighting for the loss, the mask. */
function caseData(c: AttentionKernelCase) {
  const { batch: b, heads: h, keyHeads: hk, queryLength: tq, keyLength: tk, depth: d, valueDepth: dv } = c;
  const rng = createRng(`${c.name} mask`);
  const bits = (n: number) => Float64Array.from({ length: n }, () => (rng.next() < 0.25 ? 0 : 1));
  let mask: { values: Float64Array; shape: number[] } | undefined;
  let paddings: { query: Float64Array; key: Float64Array } | undefined;
  if (c.mask === 'keys') {
    // Batch entry b keeps its first tk - 3b keys (at least one).
    const m = new Float64Array(b * tk);
    for (let i = 0; i < b; i++) m.fill(1, i * tk, i * tk + Math.max(1, tk - 3 * i));
    mask = { values: m, shape: [b, 1, 1, tk] };
  } else if (c.mask === 'queriesAndKeys') {
    const query = new Float64Array(b * tq).fill(1);
    query[tq - 1] = 0; // the last query of entry 0: a fully masked row
    const key = bits(b * tk);
    key.fill(0, 0, 1); // entry 0 without key 0 either: with causal, its query 0 sees no key at all
    paddings = { query, key };
  } else if (c.mask === 'explicit') {
    mask = { values: bits(tq * tk), shape: [tq, tk] };
  } else if (c.mask === 'perHead') {
    const m = bits(b * h * tq * tk);
    m.fill(0, 0, tk); // head 0's first query: fully masked
    mask = { values: m, shape: [b, h, tq, tk] };
  }
  return {
    query: { values: normals(b * h * tq * d, `${c.name} q`), shape: [b, h, tq, d] },
    key: { values: normals(b * hk * tk * d, `${c.name} k`), shape: [b, hk, tk, d] },
    value: { values: normals(b * hk * tk * dv, `${c.name} v`), shape: [b, hk, tk, dv] },
    weighting: { values: normals(b * h * tq * dv, `${c.name} r`), shape: [b, h, tq, dv] },
    mask,
    paddings,
  };
}

type CaseData = ReturnType<typeof caseData>;

/** The case's mask as a tensor of `backend` (undefined without one). */
function maskTensor<T>(backend: Backend<T>, c: AttentionKernelCase, data: CaseData): T | undefined {
  if (data.mask) return backend.tensor(data.mask.values, data.mask.shape);
  if (!data.paddings) return undefined;
  const { batch, queryLength, keyLength } = c;
  const combined = combineAttentionMasks(
    backend,
    {
      queryMask: backend.tensor(data.paddings.query, [batch, queryLength]),
      valueMask: backend.tensor(data.paddings.key, [batch, keyLength]),
    },
    { batch, queryLength, keyLength },
  )!;
  return backend.reshape(combined, [batch, 1, queryLength, keyLength]);
}

/**
 * `sum(attention(q, k, v) ⊙ weighting)` and its gradients with respect to q, k and v, on the fused kernel
 * (`fused: 'require'`: a kernel that is missing or declines fails the check) or the generic path.
 */
function lossAndGradients<T>(
  backend: Backend<T>,
  c: AttentionKernelCase,
  data: CaseData,
  fused: 'require' | 'never',
): { output: Float64Array; grads: Float64Array[] } {
  return backend.tidy(() => {
    const inputs = [data.query, data.key, data.value].map((x) => backend.tensor(x.values, x.shape));
    const weighting = backend.tensor(data.weighting.values, data.weighting.shape);
    const mask = maskTensor(backend, c, data);
    const attend = (q: T, k: T, v: T) =>
      scaledDotProductAttention(backend, {
        query: q,
        key: k,
        value: v,
        mask,
        causal: c.causal ?? false,
        queryOffset: c.queryOffset ?? 0,
        ...(c.scale === undefined ? {} : { scale: c.scale }),
        ...(c.dropout === undefined
          ? {}
          : { dropout: { rate: c.dropout, rng: createRng(`${c.name} dropout`) } }),
        fused,
      }).output;
    const output = values(backend, attend(inputs[0]!, inputs[1]!, inputs[2]!));
    const { grads } = gradients(backend)(
      (q, k, v) => backend.sum(backend.mul(attend(q!, k!, v!), weighting)),
      inputs,
    );
    return { output, grads: grads.map((g) => values(backend, g)) };
  });
}

function compareFusedWithGeneric<T>(backend: Backend<T>, c: AttentionKernelCase, tolerance: Tolerance): void {
  const data = caseData(c);
  const fused = lossAndGradients(backend, c, data, 'require');
  const generic = lossAndGradients(backend, c, data, 'never');
  assertClose(`${c.name}: output`, fused.output, generic.output, tolerance);
  ['query', 'key', 'value'].forEach((name, i) => {
    assertClose(`${c.name}: d/d${name}`, fused.grads[i]!, generic.grads[i]!, tolerance);
  });
}

/** Gradients on the kernel against float64 central differences of the generic path on the reference backend. */
function checkFiniteDifferences<T>(backend: Backend<T>): void {
  const c: AttentionKernelCase = {
    name: 'finite differences',
    ...dims(1, 2, 1, 3, 4, 3, 2),
    causal: true,
    queryOffset: 1,
    mask: 'keys',
  };
  const data = caseData(c);
  // Key 3 of the only batch entry is kept by 'keys' (tk - 0); mask it by hand so a masked key is differentiated too.
  data.mask!.values[3] = 0;
  const { grads } = lossAndGradients(backend, c, data, 'require');
  const ref = createReferenceBackend();
  const loss = (inputs: Float64Array[]) =>
    ref.tidy(() => {
      const [q, k, v] = inputs.map((x, i) => ref.tensor(x, [data.query, data.key, data.value][i]!.shape));
      const out = scaledDotProductAttention(ref, {
        query: q!,
        key: k!,
        value: v!,
        mask: ref.tensor(data.mask!.values, data.mask!.shape),
        causal: true,
        queryOffset: 1,
        fused: 'never',
      }).output;
      return values(ref, ref.sum(ref.mul(out, ref.tensor(data.weighting.values, data.weighting.shape))))[0]!;
    });
  const inputs = [data.query.values, data.key.values, data.value.values];
  const step = 1e-6;
  inputs.forEach((x, n) => {
    const expected = Array.from(x, (_, i) => {
      const plus = inputs.map((y) => y.slice());
      const minus = inputs.map((y) => y.slice());
      plus[n]![i]! += step;
      minus[n]![i]! -= step;
      return (loss(plus) - loss(minus)) / (2 * step);
    });
    assertClose(`finite differences: d/d${['query', 'key', 'value'][n]}`, grads[n]!, expected, {
      atol: 1e-4,
      rtol: 1e-3,
    });
  });
}

/** The kit's checks for `backend`, whose fused attention kernel must be registered. */
export function attentionKernelChecks<T>(
  backend: Backend<T>,
  options: AttentionKernelCheckOptions = {},
): ConformanceCheck[] {
  const tolerance = options.tolerance ?? defaultTolerance;
  const cases = options.cases ?? attentionKernelCases;
  const small = cases[0] ?? attentionKernelCases[0]!;
  const tensors = (c: AttentionKernelCase) => {
    const data = caseData(c);
    const [query, key, value] = [data.query, data.key, data.value].map((x) =>
      backend.tensor(x.values, x.shape),
    );
    return { query: query!, key: key!, value: value!, mask: maskTensor(backend, c, data) };
  };
  return [
    ...cases.map((c) => ({
      name: `fused = generic, forward and gradients: ${c.name}`,
      run: () => compareFusedWithGeneric(backend, c, tolerance),
    })),
    {
      name: 'gradients match float64 finite differences of the generic path',
      run: () => checkFiniteDifferences(backend),
    },
    {
      name: 'fully masked query rows give zero outputs and gradients, never NaN',
      run: () => {
        const c = attentionKernelCases.find((x) => x.mask === 'queriesAndKeys')!;
        const data = caseData(c);
        const { output, grads } = lossAndGradients(backend, c, data, 'require');
        // Entry 0's query 0 (no key 0, causal) and its last query (query padding) see no key.
        const { heads, queryLength: tq, valueDepth: dv, depth: d } = c;
        for (let h = 0; h < heads; h++) {
          for (const i of [0, tq - 1]) {
            const row = (h * tq + i) * dv;
            const grad = (h * tq + i) * d;
            if (output.slice(row, row + dv).some((x) => x !== 0)) {
              throw new Error(
                `head ${h}, query ${i}: expected a zero output row, received ${output.slice(row, row + dv)}`,
              );
            }
            if (grads[0]!.slice(grad, grad + d).some((x) => x !== 0)) {
              throw new Error(
                `head ${h}, query ${i}: expected a zero query gradient, received ${grads[0]!.slice(grad, grad + d)}`,
              );
            }
          }
        }
        for (const x of [output, ...grads]) {
          if (!x.every(Number.isFinite))
            throw new Error('expected finite outputs and gradients, received NaN or Infinity');
        }
      },
    },
    {
      name: 'declines returnWeights with a reason; the generic path returns the weights',
      run: () => {
        backend.tidy(() => {
          const t = tensors(small);
          let reason = '';
          try {
            scaledDotProductAttention(backend, { ...t, returnWeights: true, fused: 'require' });
          } catch (error) {
            reason = (error as Error).message;
          }
          if (!reason.includes('returnWeights')) {
            throw new Error(
              `expected fused: 'require' with returnWeights to fail naming returnWeights, received ${JSON.stringify(reason)}`,
            );
          }
          const { weights } = scaledDotProductAttention(backend, { ...t, returnWeights: true });
          const shape = backend.shape(weights!);
          const expected = [small.batch, small.heads, small.queryLength, small.keyLength];
          if (shape.join() !== expected.join()) {
            throw new Error(`expected weights of shape [${expected}], received [${shape}]`);
          }
        });
      },
    },
    {
      name: 'frees everything but its result, in inference and in training',
      run: () => {
        const c = attentionKernelCases.find((x) => x.dropout !== undefined)!;
        const t = tensors(c);
        const args = {
          ...t,
          causal: true,
          dropout: { rate: 0.3, rng: createRng(1) },
          fused: 'require' as const,
        };
        checkNoLeak(backend, 'fused attention forward', () => {
          backend.dispose(scaledDotProductAttention(backend, args).output);
        });
        checkNoLeak(backend, 'fused attention gradients', () => {
          const { value, grads } = gradients(backend)(
            (q, k, v) =>
              backend.sum(
                scaledDotProductAttention(backend, { ...args, query: q!, key: k!, value: v! }).output,
              ),
            [t.query, t.key, t.value],
          );
          backend.dispose([value, ...grads]);
        });
        backend.dispose([t.query, t.key, t.value, ...(t.mask === undefined ? [] : [t.mask])]);
      },
    },
  ];
}
