/**
 * The attention workloads of `seqmodel-bench attention`: scaled dot-product attention alone (`sdpa`, on
 * `[batch, heads, time, depth]` inputs: the fused kernel against the same attention written with plain tfjs ops) and
 * a Keras-style multi-head self-attention layer (`mha`: seqmodel's `multiHeadAttention` against plain tfjs ops with
 * the same weights), each without and with a causal mask, forward and training step. One case holds a memory
 * target: forward attention at batch 1, 8 heads, T = 4096, d = 64, where the naive T x T scores alone are 512 MiB.
 */

export type AttentionWorkload = 'sdpa' | 'mha';
export type AttentionMode = 'forward' | 'train';

/** Batch x time x heads x head depth (mha's model width is heads x depth). */
export interface AttentionSize {
  readonly batch: number;
  readonly time: number;
  readonly heads: number;
  readonly depth: number;
}

export interface AttentionCase {
  /** The name `--attention` takes. */
  readonly name: string;
  readonly workload: AttentionWorkload;
  readonly size: AttentionSize;
  /** Each causal setting is a case of its own. */
  readonly causal: readonly boolean[];
  readonly modes: readonly AttentionMode[];
  /** Why plain tfjs does not run here (it would allocate T x T tensors), if so. */
  readonly plainTfjsSkipped?: string;
}

const size = (batch: number, time: number, heads: number, depth: number): AttentionSize => ({
  batch,
  time,
  heads,
  depth,
});

const both = [false, true] as const;
const modes = ['forward', 'train'] as const;

/** Every case, in the order they run (the memory case first, so that the wasm heap after it is its own figure). */
export const attentionCases: readonly AttentionCase[] = [
  {
    name: 'sdpa-4096',
    workload: 'sdpa',
    size: size(1, 4096, 8, 64),
    causal: [false],
    modes: ['forward'],
    plainTfjsSkipped:
      'plain tfjs would hold 8 x 4096 x 4096 float32 scores (512 MiB) and as much again for the softmax; ' +
      'checked against float64 rows instead',
  },
  { name: 'sdpa-512', workload: 'sdpa', size: size(1, 512, 8, 64), causal: both, modes },
  { name: 'mha-16', workload: 'mha', size: size(2, 16, 2, 8), causal: both, modes },
  { name: 'mha-128', workload: 'mha', size: size(4, 128, 4, 32), causal: both, modes },
  { name: 'mha-256', workload: 'mha', size: size(2, 256, 8, 32), causal: both, modes },
  { name: 'mha-512', workload: 'mha', size: size(1, 512, 8, 64), causal: both, modes },
];

export const attentionCaseNames: readonly string[] = attentionCases.map((c) => c.name);

/** The cases of `attention` without a name (what `bench attention` runs by default): all but the smoke-test size. */
export const defaultAttentionCases: readonly string[] = attentionCaseNames.filter((n) => n !== 'mha-16');

export function attentionCase(name: string): AttentionCase {
  const found = attentionCases.find((c) => c.name === name);
  if (!found) {
    throw new Error(
      `--attention: unknown case ${JSON.stringify(name)}; expected one of ${attentionCaseNames.join(', ')}`,
    );
  }
  return found;
}

/** `BxTxHxD`. */
export function formatAttentionSize(s: AttentionSize): string {
  return `${s.batch}x${s.time}x${s.heads}x${s.depth}`;
}

/** `backend/attention/workload/BxTxHxD/causal|full/mode`: how reports and comparisons name a case. */
export function attentionCaseKey(
  backend: string,
  workload: AttentionWorkload,
  s: AttentionSize,
  causal: boolean,
  mode: AttentionMode,
): string {
  return `${backend}/attention/${workload}/${formatAttentionSize(s)}/${causal ? 'causal' : 'full'}/${mode}`;
}

/**
 * FLOPs of the matrix products, counted densely (a causal mask does not halve them; the fused kernel skips the
 * blocks above the diagonal, plain tfjs does not): attention `4·B·H·T²·d` (scores and weighted sum), mha adds the
 * four projections `8·B·T·E²` (E = H·d); a training step counts 3x forward.
 */
export function attentionFlops(workload: AttentionWorkload, s: AttentionSize, mode: AttentionMode): number {
  const attention = 4 * s.batch * s.heads * s.time * s.time * s.depth;
  const width = s.heads * s.depth;
  const projections = workload === 'mha' ? 8 * s.batch * s.time * width * width : 0;
  return (attention + projections) * (mode === 'train' ? 3 : 1);
}

export const attentionFlopFormula =
  'sdpa: 4*B*H*T^2*d (Q.K^T and W.V); mha: that plus 8*B*T*E^2 (four projections, E = H*d); train = 3 * forward; ' +
  'counted densely even with a causal mask';
