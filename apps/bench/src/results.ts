/**
 * The results of a run as one JSON document, schema version 1 (`schema/bench-results.v1.schema.json`, checked by
 * `validate.ts`). A change that removes or renames a field, or changes a field's meaning, bumps `schemaVersion`;
 * adding an optional field does not. Times are in milliseconds, memory in bytes, rates per second.
 */
import type { AttentionCaseRecord } from './attention/records.js';
import type { BenchPath } from './backends.js';
import { flopFormulas, forwardFlops, gflops, trainingFlops } from './flops.js';
import { type CaseRun, type ContenderRun, isContenderRun, type ModeRun } from './run-case.js';
import { formatSize, type RnnSize } from './sizes.js';
import type { Summary } from './stats.js';
import type { TorchRecord } from './torch.js';

export const schemaVersion = 1;

export interface MachineRecord {
  readonly cpuModel: string;
  readonly logicalCores: number;
  readonly totalMemoryBytes: number;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  readonly node: string;
  /** 1, 5 and 15 minute load averages at the start and at the end of the run. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
}

export interface VersionsRecord {
  /** Package name -> version: seqmodel's packages and the tfjs packages the bench ran on. */
  readonly packages: Readonly<Record<string, string>>;
  /** `git describe`-like commit of the working tree (`abc1234` or `abc1234-dirty`), null outside git. */
  readonly gitCommit: string | null;
}

export interface ConfigRecord {
  /** The preset the defaults came from. */
  readonly preset: string;
  /** Backends asked for (the ones not available are in `backends` as skipped). */
  readonly backends: readonly string[];
  readonly cells: readonly string[];
  readonly sizes: readonly RnnSize[];
  readonly modes: readonly string[];
  /**
   * Which seqmodel path ran: the backend's fused kernels (`runSequence` hands the sequence to a fused kernel when
   * the backend has one for the cell and options) or core's generic `scanCell` loop. Absent in files written before
   * the fused kernels existed, which all ran the generic path.
   */
  readonly path?: BenchPath;
  /** Timed runs per contender and mode: at least this many... */
  readonly repeats: number;
  /** ...and more for fast cases (up to 100) until they add up to this many milliseconds per contender. */
  readonly minTimeMs: number;
  readonly warmup: number;
  readonly seed: number;
  /** n of the `[n, n]·[n, n]` ceiling, 0 when not measured. */
  readonly matMulSize: number;
  readonly matMulRepeats: number;
  /** Whole-model workloads through `@seqmodel/layers` (`layer-workloads.ts`); absent in older files: none. */
  readonly layers?: readonly string[];
  /** Threads of the native backend and of PyTorch (absent in files from before either). */
  readonly threads?: number;
  /** Whether PyTorch was timed (`--torch`). */
  readonly torch?: boolean;
  /** The attention cases run (`seqmodel-bench attention`); absent in files without them. */
  readonly attention?: readonly string[];
}

export interface MatMulRecord {
  readonly n: number;
  readonly flops: number;
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly gflops: number;
}

export type BackendRecord =
  | {
      readonly name: string;
      readonly status: 'ran';
      readonly details: string;
      readonly matMul: MatMulRecord | null;
    }
  | { readonly name: string; readonly status: 'skipped'; readonly reason: string };

export interface ContenderRecord {
  /** Every timed run, in order, in milliseconds (warm-up runs are not kept). */
  readonly samplesMs: readonly number[];
  readonly summary: Summary;
  /** batch / median seconds. */
  readonly sequencesPerSecond: number;
  /** batch * time / median seconds. */
  readonly stepsPerSecond: number;
  /** flops / median, null when the cell's FLOPs are not known. */
  readonly gflops: number | null;
  /** gflops / the backend's matMul GFLOP/s, null without either. */
  readonly matMulFraction: number | null;
  readonly leakedTensors: number;
  readonly tfjsPeakBytes: number;
  /**
   * GPU programs one run launched (the backend's own counter: draw calls on webgl, dispatches on webgpu); GPU
   * backends only.
   */
  readonly programsPerRun?: number;
  /** programsPerRun / time steps. */
  readonly programsPerStep?: number;
}

export interface AgreementRecord {
  readonly against: 'tfjs-layers' | 'reference';
  readonly forwardMaxError: number;
  readonly lossError: number | null;
  readonly weightsMaxError: number | null;
}

export interface CaseRecord {
  /** `backend/cell/BxTxIxU/mode`: how `compare` matches cases across runs. */
  readonly key: string;
  readonly backend: string;
  readonly cell: string;
  /** The seqmodel cell (registry name) and the options given to it. */
  readonly cellName: string;
  readonly cellOptions: Readonly<Record<string, unknown>>;
  /**
   * The seqmodel kernel that ran: `hand-written`, `compiled (javascript)`, `compiled (wasm-simd)` or `generic loop`.
   * Absent in files written before kernels were labelled.
   */
  readonly kernel?: string;
  readonly size: RnnSize;
  readonly mode: 'forward' | 'train';
  /** G of the FLOP formula, null when unknown. */
  readonly gates: number | null;
  readonly flops: number | null;
  readonly agreement: AgreementRecord;
  readonly seqmodel: ContenderRecord;
  readonly tfjsLayers: ContenderRecord | { readonly unavailable: string };
  /** tfjs-layers' median time / seqmodel's: above 1, seqmodel is faster. Null without tfjs-layers. */
  readonly speedup: number | null;
  readonly processMemory: {
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
    readonly arrayBuffersBytes: number;
  };
  readonly platformMemory: Readonly<Record<string, number>>;
}

/** One whole-model workload on one backend: a training step through `@seqmodel/layers`. */
export interface LayerCaseRecord {
  /** `backend/layers/workload/train`. */
  readonly key: string;
  readonly backend: string;
  readonly workload: string;
  readonly description: string;
  readonly settings: Readonly<Record<string, number>>;
  readonly mode: 'train';
  /** The loss of the first step (the check before timing: it must be finite). */
  readonly firstLoss: number;
  readonly seqmodel: {
    readonly samplesMs: readonly number[];
    readonly summary: Summary;
    /** batch / median seconds. */
    readonly examplesPerSecond: number;
    readonly leakedTensors: number;
  };
}

export interface BenchResults {
  readonly schemaVersion: typeof schemaVersion;
  readonly tool: 'seqmodel-bench';
  /** The command-line arguments of the run. */
  readonly argv: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: MachineRecord;
  readonly versions: VersionsRecord;
  readonly config: ConfigRecord;
  /** How the derived figures are computed, in words and formulas. */
  readonly formulas: Readonly<Record<string, string>>;
  readonly backends: readonly BackendRecord[];
  readonly cases: readonly CaseRecord[];
  /** Present when `config.layers` named workloads. */
  readonly layerCases?: readonly LayerCaseRecord[];
  /** PyTorch's figures with `--torch` (see `torch.ts`). */
  readonly torch?: TorchRecord;
  /** Present when `config.attention` named cases (`attention/records.ts`). */
  readonly attentionCases?: readonly AttentionCaseRecord[];
}

export const formulaNotes: Readonly<Record<string, string>> = {
  forwardFlops: flopFormulas.forward,
  trainFlops: flopFormulas.train,
  flopsNote: flopFormulas.note,
  matMulFlops: flopFormulas.matMul,
  gflops: 'flops / median time',
  sequencesPerSecond: 'batch / median time',
  stepsPerSecond: 'batch * time / median time',
  speedup: 'tfjs-layers median / seqmodel median (above 1: seqmodel is faster)',
  matMulFraction: "GFLOP/s / the backend's [n, n]x[n, n] matMul GFLOP/s measured in the same run",
  timing:
    'median, min and max over the timed runs after warm-up (at least repeats, more for fast cases until each ' +
    'contender has minTimeMs of runs, at most 100); the first warm-up is the correctness check; seqmodel and ' +
    'tfjs-layers run in turns (interleaved)',
  leakedTensors: "tfjs's live tensor count after the contender's timed runs minus before them",
  tfjsPeakBytes:
    'growth of the bytes held by live tfjs tensors during one extra untimed run (tf.profile), over their level ' +
    'at its start',
  processMemory:
    'largest process.memoryUsage() rss / heapUsed / arrayBuffers sampled after each run of the mode ' +
    '(process-wide; a peak inside a run can be missed)',
  wasmHeapBytes: 'size of the wasm module memory after the mode (it only grows: a process high-water mark)',
  programsPerStep:
    "GPU programs launched by one run, counted by the backend's own counter (webgl: draw calls; webgpu: " +
    'dispatches), divided by the time steps; per-sequence programs (the input projection, gathering) included',
  layerCases:
    'one trainOnBatch step (SGD) of a small @seqmodel/layers model, its loss read back; median over the timed ' +
    'steps after warm-up (the first is the check: a finite loss); examplesPerSecond = batch / median time',
};

export function layerCaseKey(backend: string, workload: string): string {
  return `${backend}/layers/${workload}/train`;
}

export function caseKey(backend: string, cell: string, size: RnnSize, mode: string): string {
  return `${backend}/${cell}/${formatSize(size)}/${mode}`;
}

function contenderRecord(
  run: ContenderRun,
  size: RnnSize,
  flops: number | null,
  matMulGflops: number | null,
  programs: number | undefined,
): ContenderRecord {
  const { median } = run.timing.summary;
  const rate = gflops(flops ?? 0, median);
  return {
    ...(programs === undefined ? {} : { programsPerRun: programs, programsPerStep: programs / size.time }),
    samplesMs: run.timing.samples,
    summary: run.timing.summary,
    sequencesPerSecond: size.batch / (median / 1000),
    stepsPerSecond: (size.batch * size.time) / (median / 1000),
    gflops: flops === null ? null : rate,
    matMulFraction: flops === null || matMulGflops === null ? null : rate / matMulGflops,
    leakedTensors: run.leakedTensors,
    tfjsPeakBytes: run.tfjsPeakBytes,
  };
}

/**
 * The JSON record of one mode of a case; `gates` undefined when the cell's FLOPs are not known; `programs` per run
 * of each contender (seqmodel, then tfjs-layers) on GPU backends.
 */
export function caseRecord(
  run: CaseRun,
  mode: ModeRun,
  gates: number | undefined,
  matMul: MatMulRecord | null,
  programs: readonly number[] = [],
): CaseRecord {
  const matMulGflops = matMul?.gflops ?? null;
  const flops =
    gates === undefined
      ? null
      : mode.mode === 'forward'
        ? forwardFlops(gates, run.size)
        : trainingFlops(gates, run.size);
  const seqmodel = contenderRecord(mode.seqmodel, run.size, flops, matMulGflops, programs[0]);
  const tfjsLayers = isContenderRun(mode.tfjsLayers)
    ? contenderRecord(mode.tfjsLayers, run.size, flops, matMulGflops, programs[1])
    : { unavailable: mode.tfjsLayers.unavailable };
  return {
    key: caseKey(run.backend, run.cell.key, run.size, mode.mode),
    backend: run.backend,
    cell: run.cell.key,
    cellName: run.cell.cellName,
    cellOptions: run.cell.options,
    ...(run.kernel === undefined ? {} : { kernel: run.kernel }),
    size: run.size,
    mode: mode.mode,
    gates: gates ?? null,
    flops,
    agreement: { ...run.agreement },
    seqmodel,
    tfjsLayers,
    speedup: 'summary' in tfjsLayers ? tfjsLayers.summary.median / seqmodel.summary.median : null,
    processMemory: mode.processMemory,
    platformMemory: mode.platformMemory,
  };
}

/** Cell -> why tfjs-layers has no counterpart, for the cells of `cases` it did not run. */
export function layersUnavailable(cases: readonly CaseRecord[]): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const c of cases) {
    if ('unavailable' in c.tfjsLayers) reasons.set(c.cell, c.tfjsLayers.unavailable);
  }
  return reasons;
}

/** Whether tfjs-layers ran in this case. */
export function hasLayers(c: CaseRecord): c is CaseRecord & { readonly tfjsLayers: ContenderRecord } {
  return 'summary' in c.tfjsLayers;
}
