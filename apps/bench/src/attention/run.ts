/**
 * Running the attention cases on one backend: for each case, the correctness check first (seqmodel against plain
 * tfjs: forward output, loss and parameters after one SGD step; or, where plain tfjs is skipped, seqmodel's output
 * rows against float64 loops), then each mode timed with the contenders interleaved, counting tensors, then one
 * extra run per contender for its peak tensor memory.
 */
import type { FlashEngine } from '@seqmodel/attention/kernels';
import { compareArrays } from '@seqmodel/core/testing';
import { agreementTolerance } from '../agreement.js';
import type { BenchBackend } from '../backends.js';
import { gflops } from '../flops.js';
import type { BenchModel } from '../models.js';
import { timeCountingLeaks } from '../run-case.js';
import {
  type AttentionCase,
  type AttentionMode,
  type AttentionSize,
  attentionCaseKey,
  attentionFlops,
} from './cases.js';
import { type AttentionData, attentionData, plainTfjsContender, seqmodelContender } from './contenders.js';
import { measureTensorMemory } from './memory.js';
import type { AttentionAgreement, AttentionCaseRecord, AttentionContenderRecord } from './records.js';

export interface AttentionRunOptions {
  readonly warmup: number;
  readonly repeats: number;
  readonly minTimeMs: number;
  readonly seed: number;
  /** The fused kernel's engine on this backend, or undefined on the generic path. */
  readonly engine: FlashEngine | undefined;
  /**
   * A fused kernel without an engine (the WGSL one on webgpu): its name, and whether it has run since the case
   * started (so that a kernel that declined shows as the generic path).
   */
  readonly fusedKernel?: { readonly name: string; ran(): boolean };
  readonly onRun?: () => void;
  readonly onRecord: (record: AttentionCaseRecord) => void;
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const c = compareArrays(a, b, { atol: 0, rtol: 0 });
  return c.ok ? 0 : c.worst.error;
}

/** Output rows of sdpa (q, k, v in `data`) by float64 loops, for a few rows of the first and last head. */
function referenceRows(s: AttentionSize, causal: boolean, data: AttentionData, output: Float32Array): number {
  const { heads: h, time: t, depth: d } = s;
  const [q, k, v] = data.params.map((p) => p.values) as [Float32Array, Float32Array, Float32Array];
  let worst = 0;
  for (const head of [0, h - 1]) {
    for (const i of [0, Math.floor(t / 2), t - 1]) {
      const keys = causal ? i + 1 : t;
      const scores = Array.from({ length: keys }, (_, j) => {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[(head * t + i) * d + c]! * k[(head * t + j) * d + c]!;
        return dot / Math.sqrt(d);
      });
      const max = Math.max(...scores);
      const e = scores.map((x) => Math.exp(x - max));
      const total = e.reduce((a, x) => a + x, 0);
      for (let c = 0; c < d; c++) {
        const expected = e.reduce((a, w, j) => a + (w / total) * v[(head * t + j) * d + c]!, 0);
        worst = Math.max(worst, Math.abs(output[(head * t + i) * d + c]! - expected));
      }
    }
  }
  return worst;
}

function checkAgreement(what: string, a: AttentionAgreement): void {
  const checks: [string, number | null, number][] = [
    ['forward output', a.forwardMaxError, agreementTolerance.forward],
    ['loss', a.lossError, agreementTolerance.loss],
    ['parameters after one SGD step', a.weightsMaxError, agreementTolerance.weights],
  ];
  for (const [name, error, tolerance] of checks) {
    if (error !== null && !(error <= tolerance)) {
      throw new Error(
        `${what}: seqmodel and ${a.against} disagree on the ${name}: max error ${error} > ${tolerance}`,
      );
    }
  }
}

/** The first warm-up of every mode: both contenders' forward pass and (if timed) training step, compared. */
function agreement(
  c: AttentionCase,
  causal: boolean,
  data: AttentionData,
  ours: BenchModel,
  theirs: BenchModel | undefined,
): AttentionAgreement {
  const train = c.modes.includes('train');
  if (!theirs) {
    const forwardMaxError = referenceRows(c.size, causal, data, ours.forward());
    if (train) ours.trainStep();
    return { against: 'float64 rows', forwardMaxError, lossError: null, weightsMaxError: null };
  }
  const forwardMaxError = maxError(ours.forward(), theirs.forward());
  if (!train) return { against: 'plain tfjs', forwardMaxError, lossError: null, weightsMaxError: null };
  const lossError = Math.abs(ours.trainStep() - theirs.trainStep());
  const [wa, wb] = [ours.weights(), theirs.weights()];
  const weightsMaxError = Math.max(...wa.map((w, i) => maxError(w, wb[i]!)));
  return { against: 'plain tfjs', forwardMaxError, lossError, weightsMaxError };
}

function timeMode(
  mode: AttentionMode,
  flops: number,
  contenders: readonly BenchModel[],
  options: AttentionRunOptions,
): AttentionContenderRecord[] {
  const run = (m: BenchModel) => (mode === 'forward' ? () => m.forward() : () => m.trainStep());
  const { timings, leaked } = timeCountingLeaks(contenders.map(run), options, () => options.onRun?.());
  return contenders.map((m, k) => {
    const timing = timings[k]!;
    const memory = measureTensorMemory(run(m));
    return {
      samplesMs: timing.samples,
      summary: timing.summary,
      gflops: gflops(flops, timing.summary.median),
      leakedTensors: leaked[k]!,
      tensorBytesAtStart: memory.startBytes,
      peakTensorBytes: memory.peakBytes,
    };
  });
}

/** Every causal setting and mode of `c` on `bench`, each handed to `options.onRecord` when done. */
export function runAttentionCase(bench: BenchBackend, c: AttentionCase, options: AttentionRunOptions): void {
  for (const causal of c.causal) {
    const data = attentionData(c.workload, c.size, options.seed);
    const models: BenchModel[] = [];
    try {
      const ours = seqmodelContender(bench.backend, c.workload, c.size, causal, data);
      models.push(ours);
      const theirs =
        c.plainTfjsSkipped === undefined
          ? plainTfjsContender(bench.backend, c.workload, c.size, causal, data)
          : undefined;
      if (theirs) models.push(theirs);
      const checked = agreement(c, causal, data, ours, theirs);
      checkAgreement(`${bench.name}/attention/${c.name}${causal ? ' (causal)' : ''}`, checked);
      for (const mode of c.modes) {
        const flops = attentionFlops(c.workload, c.size, mode);
        const [seqmodel, plain] = timeMode(mode, flops, models, options);
        const engine = options.engine;
        const heap = bench.platformMemory?.() ?? {};
        options.onRecord({
          key: attentionCaseKey(bench.name, c.workload, c.size, causal, mode),
          backend: bench.name,
          workload: c.workload,
          size: c.size,
          causal,
          mode,
          flops,
          // The engine's arena grows only when the kernel runs: a fused path whose kernel declined shows as generic.
          seqmodelPath:
            engine && engine.peakArenaBytes > 0
              ? `fused flash attention kernel (${engine.name})`
              : options.fusedKernel?.ran()
                ? `fused flash attention kernel (${options.fusedKernel.name})`
                : 'generic path',
          agreement: checked,
          seqmodel: seqmodel!,
          plainTfjs: plain ?? { unavailable: c.plainTfjsSkipped ?? '' },
          speedup: plain ? plain.summary.median / seqmodel!.summary.median : null,
          platformMemory: { ...heap, ...(engine ? { flashArenaBytes: engine.peakArenaBytes } : {}) },
        });
      }
    } finally {
      for (const m of models) m.dispose();
    }
  }
}
