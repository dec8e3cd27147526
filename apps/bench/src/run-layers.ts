/**
 * One whole-model case: a `@seqmodel/layers` workload on one backend. The first warm-up step is the check (its loss
 * must be finite); then training steps are timed, counting the tensors each leaves behind.
 */
import type { BenchBackend } from './backends.js';
import { timeInterleaved } from './interleave.js';
import type { LayerWorkload } from './layer-workloads.js';
import { liveTensors } from './memory.js';
import { type LayerCaseRecord, layerCaseKey } from './results.js';
import { maxTimedRuns } from './run-case.js';

export interface LayerCaseOptions {
  /** At least 1: the first warm-up is the check. */
  readonly warmup: number;
  readonly repeats: number;
  readonly minTimeMs: number;
  readonly seed: number;
  /** Called after every step, outside timed regions. */
  readonly onRun?: () => void;
}

export function runLayerCase(
  bench: BenchBackend,
  workload: LayerWorkload,
  options: LayerCaseOptions,
): LayerCaseRecord {
  const step = workload.build(bench.backend, options.seed);
  try {
    const firstLoss = step.trainStep();
    options.onRun?.();
    if (!Number.isFinite(firstLoss)) {
      throw new Error(`${bench.name}/layers/${workload.key}: the first training step's loss is ${firstLoss}`);
    }
    let leaked = 0;
    let last = liveTensors();
    const [timing] = timeInterleaved([() => step.trainStep()], {
      warmup: Math.max(0, options.warmup - 1),
      repeats: options.repeats,
      minTimeMs: options.minTimeMs,
      maxRepeats: maxTimedRuns,
      afterRun(_, timed) {
        const now = liveTensors();
        if (timed) leaked += now - last;
        last = now;
        options.onRun?.();
      },
    });
    const { samples, summary } = timing!;
    return {
      key: layerCaseKey(bench.name, workload.key),
      backend: bench.name,
      workload: workload.key,
      description: workload.description,
      settings: workload.settings,
      mode: 'train',
      firstLoss,
      seqmodel: {
        samplesMs: samples,
        summary,
        examplesPerSecond: workload.batch / (summary.median / 1000),
        leakedTensors: leaked,
      },
    };
  } finally {
    step.dispose();
  }
}
