/**
 * `seqmodel-bench paths`: seqmodel's own kernels against each other, interleaved on one backend: a kernel the
 * backend has for the cell itself (a hand-written one, on the `fused` path; the cpu and wasm backends have none since
 * the compiler replaced theirs, and then `fused` is the compiled kernel and is timed once), the kernel compiled from
 * the cell's step (`compiled`) and core's generic loop (`generic`). It answers "is the compiled kernel as fast as a
 * hand-written one, and how much faster than the generic loop" with ratios of medians timed in turns, which survive
 * a noisy machine better than times from separate runs. Before timing, each path's forward output is compared with
 * the generic loop's.
 */
import { type BackendProvider, type BenchBackend, type BenchPath, backendProviders } from './backends.js';
import { benchCell } from './cells.js';
import { alignColumns, formatRange } from './format.js';
import { timeInterleaved } from './interleave.js';
import { loadAverage, machineRecord } from './machine.js';
import { type BenchModel, seqmodelModel } from './models.js';
import type { BenchMode } from './run-case.js';
import { formatSize, type RnnSize } from './sizes.js';
import type { Summary } from './stats.js';
import { benchData } from './weights.js';

export interface PathsConfig {
  readonly backends: readonly string[];
  readonly cells: readonly string[];
  readonly sizes: readonly RnnSize[];
  readonly modes: readonly BenchMode[];
  readonly repeats: number;
  readonly minTimeMs: number;
  readonly warmup: number;
  readonly seed: number;
}

export interface PathTiming {
  readonly path: BenchPath;
  /** The kernel that ran on this path (`hand-written`, `compiled (javascript)`, `generic loop`). */
  readonly kernel: string;
  readonly samplesMs: readonly number[];
  readonly summary: Summary;
  /** Max |forward output − the generic loop's|, before timing. */
  readonly maxDifference: number;
}

export interface PathsCase {
  readonly backend: string;
  readonly cell: string;
  readonly size: RnnSize;
  readonly mode: BenchMode;
  /** The paths timed: fused only when it ran a hand-written kernel (else it is the compiled one). */
  readonly timings: readonly PathTiming[];
  /** Compiled median / hand-written median (below 1: the compiled kernel is faster); null without a hand-written one. */
  readonly compiledOverHandWritten: number | null;
  /** Generic median / compiled median: how many times faster the compiled kernel is than the generic loop. */
  readonly genericOverCompiled: number | null;
}

export interface PathsResults {
  readonly tool: 'seqmodel-bench paths';
  readonly startedAt: string;
  readonly machine: ReturnType<typeof machineRecord>;
  readonly config: PathsConfig;
  /** Backends that could not run here, with the reason. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  readonly cases: readonly PathsCase[];
}

const paths: readonly BenchPath[] = ['fused', 'compiled', 'generic'];

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Number.POSITIVE_INFINITY;
}

function median(t: PathTiming | undefined): number | undefined {
  return t?.summary.median;
}

export async function runPaths(
  config: PathsConfig,
  providers: readonly BackendProvider[] = backendProviders,
  onCase: (c: PathsCase) => void = () => undefined,
): Promise<PathsResults> {
  const startedAt = new Date();
  const loadAtStart = loadAverage();
  const cases: PathsCase[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of config.backends) {
    const provider = providers.find((p) => p.name === name);
    if (!provider) throw new Error(`--backends: unknown backend ${JSON.stringify(name)}`);
    const available = await provider.isAvailable();
    if (available !== true) {
      skipped.push({ name, reason: available });
      continue;
    }
    const benches: BenchBackend[] = [];
    for (const path of paths) benches.push(await provider.create({ path }));
    for (const key of config.cells) {
      const cell = benchCell(key);
      for (const size of config.sizes) {
        const data = benchData(cell, size, config.seed);
        const models: BenchModel[] = benches.map((b) => seqmodelModel(b.backend, cell, size, data));
        try {
          const outputs = models.map((m) => m.forward());
          const generic = outputs[2]!;
          // The fused path is timed only where it runs a kernel of the backend's own for the cell: for a plugin it
          // is the compiled kernel (timed once).
          const timed = paths
            .map((path, i) => ({ path, i }))
            .filter(
              ({ path, i }) =>
                path !== 'fused' || ![models[1]!.kernel, models[2]!.kernel].includes(models[i]!.kernel),
            );
          for (const mode of config.modes) {
            const runs = timed.map(({ i }) =>
              mode === 'forward' ? () => void models[i]!.forward() : () => void models[i]!.trainStep(),
            );
            const timings = timeInterleaved(runs, {
              warmup: config.warmup,
              repeats: config.repeats,
              minTimeMs: config.minTimeMs,
            });
            const byPath = timed.map(
              ({ path, i }, k): PathTiming => ({
                path,
                kernel: models[i]!.kernel ?? path,
                samplesMs: timings[k]!.samples,
                summary: timings[k]!.summary,
                maxDifference: maxDifference(outputs[i]!, generic),
              }),
            );
            const find = (p: BenchPath) => byPath.find((t) => t.path === p);
            const hand = median(find('fused'));
            const compiled = median(find('compiled'));
            const genericTime = median(find('generic'));
            const record: PathsCase = {
              backend: name,
              cell: key,
              size,
              mode,
              timings: byPath,
              compiledOverHandWritten: hand !== undefined && compiled !== undefined ? compiled / hand : null,
              genericOverCompiled:
                genericTime !== undefined && compiled !== undefined ? genericTime / compiled : null,
            };
            cases.push(record);
            onCase(record);
          }
        } finally {
          for (const m of models) m.dispose();
        }
      }
    }
  }
  return {
    tool: 'seqmodel-bench paths',
    startedAt: startedAt.toISOString(),
    machine: machineRecord(loadAtStart),
    config,
    skipped,
    cases,
  };
}

/** One line per case: the three paths' times and the two ratios. */
export function pathsTable(cases: readonly PathsCase[]): string {
  const rows = [
    [
      'backend',
      'cell',
      'size',
      'mode',
      'hand-written ms',
      'compiled ms',
      'generic ms',
      'compiled / hand-written',
      'generic / compiled',
      'max |diff|',
    ],
  ];
  for (const c of cases) {
    const at = (p: BenchPath) => c.timings.find((t) => t.path === p);
    const ms = (p: BenchPath) => {
      const t = at(p);
      return t ? formatRange(t.summary) : 'n/a';
    };
    rows.push([
      c.backend,
      c.cell,
      formatSize(c.size),
      c.mode,
      ms('fused'),
      ms('compiled'),
      ms('generic'),
      c.compiledOverHandWritten === null ? 'n/a' : `${c.compiledOverHandWritten.toFixed(2)}x`,
      c.genericOverCompiled === null ? 'n/a' : `${c.genericOverCompiled.toFixed(1)}x`,
      Math.max(...c.timings.map((t) => t.maxDifference)).toExponential(1),
    ]);
  }
  return alignColumns(rows, [4, 5, 6, 7, 8, 9]);
}
