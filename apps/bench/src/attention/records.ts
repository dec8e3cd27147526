/** The JSON records of attention cases (`attentionCases` in the results, schema version 1; see the schema). */
import type { Summary } from '../stats.js';
import type { AttentionMode, AttentionSize, AttentionWorkload } from './cases.js';

export interface AttentionContenderRecord {
  /** Every timed run, in order, in milliseconds. */
  readonly samplesMs: readonly number[];
  readonly summary: Summary;
  /** Dense FLOPs / median time. */
  readonly gflops: number;
  readonly leakedTensors: number;
  /** Bytes of live tfjs data buffers when the measured run started (the inputs and weights held before it). */
  readonly tensorBytesAtStart: number;
  /** The most bytes of live tfjs data buffers during one (extra, untimed) run, absolute. */
  readonly peakTensorBytes: number;
}

export interface AttentionAgreement {
  /** `plain tfjs`: forward, loss and parameters after one SGD step; `float64 rows`: forward rows only. */
  readonly against: 'plain tfjs' | 'float64 rows';
  readonly forwardMaxError: number;
  readonly lossError: number | null;
  readonly weightsMaxError: number | null;
}

export interface AttentionCaseRecord {
  /** `backend/attention/workload/BxTxHxD/causal|full/mode`. */
  readonly key: string;
  readonly backend: string;
  readonly workload: AttentionWorkload;
  readonly size: AttentionSize;
  readonly causal: boolean;
  readonly mode: AttentionMode;
  readonly flops: number;
  /** What seqmodel's attention ran on: the fused kernel (and its engine) or the generic path. */
  readonly seqmodelPath: string;
  readonly agreement: AttentionAgreement;
  readonly seqmodel: AttentionContenderRecord;
  readonly plainTfjs: AttentionContenderRecord | { readonly unavailable: string };
  /** Plain tfjs median / seqmodel median (above 1: seqmodel faster); null without plain tfjs. */
  readonly speedup: number | null;
  /**
   * `wasmHeapBytes`: tfjs-backend-wasm's heap after the mode (it only grows: a process high-water mark);
   * `flashArenaBytes`: the largest working memory the fused kernel's engine has used so far (outside tfjs).
   */
  readonly platformMemory: Readonly<Record<string, number>>;
}

export function hasPlainTfjs(
  c: AttentionCaseRecord,
): c is AttentionCaseRecord & { readonly plainTfjs: AttentionContenderRecord } {
  return 'summary' in c.plainTfjs;
}

export const attentionFormulaNotes: Readonly<Record<string, string>> = {
  attentionFlops:
    'sdpa: 4*B*H*T^2*d; mha: plus 8*B*T*E^2 (E = H*d); train = 3 * forward; dense even when causal',
  attentionSpeedup: 'plain tfjs median / seqmodel median (above 1: seqmodel is faster)',
  peakTensorBytes:
    'the most bytes of live tfjs data buffers (each buffer once) during one extra untimed run, sampled at every ' +
    'new tensor; absolute, so it includes tensorBytesAtStart (inputs and weights held before the run)',
  flashArenaBytes:
    "the fused attention kernel's largest working memory so far (its engine's arena, outside tfjs)",
};
