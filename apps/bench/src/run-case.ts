/**
 * One benchmark case: a cell at one size on one backend, seqmodel against tfjs-layers (where tfjs-layers has the
 * cell), in each requested mode. Correctness is checked first; then each mode is timed with the contenders
 * interleaved, counting tensors and sampling memory between runs.
 */
import { type Agreement, assertAgreement, measureAgreement, measureReferenceAgreement } from './agreement.js';
import type { BenchBackend } from './bench-backend.js';
import type { BenchCell } from './cells.js';
import { type Timing, timeInterleaved } from './interleave.js';
import { liveTensors, ProcessMemoryHighWater, type ProcessMemoryPeak, tfjsPeakBytes } from './memory.js';
import { type BenchModel, seqmodelModel } from './models.js';
import type { RnnSize } from './sizes.js';
import { benchData } from './weights.js';

export type BenchMode = 'forward' | 'train';
export const benchModes: readonly BenchMode[] = ['forward', 'train'];

export interface ContenderRun {
  readonly timing: Timing;
  /** Live tensors after the timed runs minus before them, summed over this contender's runs. */
  readonly leakedTensors: number;
  /** See `memory.ts`: growth of live tfjs tensor bytes during one (extra, untimed) run. */
  readonly tfjsPeakBytes: number;
}

export interface ModeRun {
  readonly mode: BenchMode;
  readonly seqmodel: ContenderRun;
  /** tfjs-layers' figures, or why there are none. */
  readonly tfjsLayers: ContenderRun | { readonly unavailable: string };
  /** Process memory high-water marks sampled after each run of this mode (both contenders). */
  readonly processMemory: ProcessMemoryPeak;
  /** Platform-specific figures after this mode (e.g. `wasmHeapBytes`). */
  readonly platformMemory: Readonly<Record<string, number>>;
}

/** The case a mode ran in: what `results.ts` needs beside the `ModeRun` to write its record. */
export interface CaseRun {
  readonly backend: string;
  readonly cell: BenchCell;
  readonly size: RnnSize;
  readonly agreement: Agreement;
  /** The seqmodel kernel that ran (see `BenchModel.kernel`). */
  readonly kernel?: string;
}

export interface CaseOptions {
  readonly modes: readonly BenchMode[];
  /** At least 1: the first warm-up of each mode is the correctness check. */
  readonly warmup: number;
  /** Timed runs: at least `repeats`, more (up to 100) until each contender's add up to `minTimeMs`. */
  readonly repeats: number;
  readonly minTimeMs: number;
  /** Seed of weights and data. */
  readonly seed: number;
  /** Called after every run (warm-up or timed) of every contender, outside timed regions. */
  readonly onRun?: () => void;
  /** Called when a mode is done, before the next one starts, with the case and its correctness check. */
  readonly onMode: (run: ModeRun, c: CaseRun) => void;
}

/** The most timed runs per contender and mode when `minTimeMs` asks for more than `repeats`. */
export const maxTimedRuns = 100;

export function isContenderRun(x: ModeRun['tfjsLayers']): x is ContenderRun {
  return 'timing' in x;
}

/**
 * `runs` timed in turns after the warm-ups left (the first warm-up was the correctness check), and the tensors each
 * one's timed runs left behind; `afterRun` is called after every run, outside the timed region.
 */
export function timeCountingLeaks(
  runs: readonly (() => unknown)[],
  options: Pick<CaseOptions, 'warmup' | 'repeats' | 'minTimeMs'>,
  afterRun: () => void,
): { timings: Timing[]; leaked: number[] } {
  const leaked = runs.map(() => 0);
  let last = liveTensors();
  const timings = timeInterleaved(runs, {
    warmup: Math.max(0, options.warmup - 1),
    repeats: options.repeats,
    minTimeMs: options.minTimeMs,
    maxRepeats: maxTimedRuns,
    afterRun(k, timed) {
      const now = liveTensors();
      if (timed) leaked[k]! += now - last;
      last = now;
      afterRun();
    },
  });
  return { timings, leaked };
}

async function timeMode(
  bench: BenchBackend,
  mode: BenchMode,
  contenders: readonly BenchModel[],
  options: CaseOptions,
): Promise<Omit<ModeRun, 'tfjsLayers'> & { runs: ContenderRun[] }> {
  const run = (m: BenchModel) => (mode === 'forward' ? () => m.forward() : () => m.trainStep());
  const memory = new ProcessMemoryHighWater();
  const { timings, leaked } = timeCountingLeaks(contenders.map(run), options, () => {
    memory.sample();
    options.onRun?.();
  });
  const runs: ContenderRun[] = [];
  for (const [k, m] of contenders.entries()) {
    runs.push({ timing: timings[k]!, leakedTensors: leaked[k]!, tfjsPeakBytes: await tfjsPeakBytes(run(m)) });
  }
  return {
    mode,
    seqmodel: runs[0]!,
    runs,
    processMemory: memory.peak(),
    platformMemory: bench.platformMemory?.() ?? {},
  };
}

export async function runCase(
  bench: BenchBackend,
  cell: BenchCell,
  size: RnnSize,
  options: CaseOptions,
): Promise<void> {
  const b = bench.backend;
  const data = benchData(cell, size, options.seed);
  const models: BenchModel[] = [];
  try {
    const ours = seqmodelModel(b, cell, size, data);
    models.push(ours);
    const theirs = 'layer' in cell.tfjsLayers ? bench.layersModel(cell, size, data) : undefined;
    if (theirs) models.push(theirs);
    // The check is also the first warm-up of both modes (a forward pass and a training step of each model).
    let agreement: Agreement;
    if (theirs) {
      agreement = measureAgreement(ours, theirs);
    } else {
      agreement = measureReferenceAgreement(cell, size, data, ours.forward());
      if (options.modes.includes('train')) ours.trainStep();
    }
    assertAgreement(`${bench.name}/${cell.key}`, agreement);
    const caseRun: CaseRun = {
      backend: bench.name,
      cell,
      size,
      agreement,
      ...(ours.kernel === undefined ? {} : { kernel: ours.kernel }),
    };
    for (const mode of options.modes) {
      const { runs, ...timed } = await timeMode(bench, mode, models, options);
      const result: ModeRun = {
        ...timed,
        tfjsLayers: runs[1] ?? {
          unavailable: 'unavailable' in cell.tfjsLayers ? cell.tfjsLayers.unavailable : '',
        },
      };
      options.onMode(result, caseRun);
    }
  } finally {
    for (const m of models) m.dispose();
  }
}
