/**
 * One case of `seqmodel-bench paths` (a cell at a size on one backend, every mode): its paths timed in turns. Apart
 * from `paths.ts` so that the browser page (`browser-page.ts`) runs the same code on webgl and webgpu.
 */
import { type BenchBackend, type BenchPath, benchPaths } from './bench-backend.js';
import { benchCell } from './cells.js';
import { timeInterleaved } from './interleave.js';
import { type BenchModel, seqmodelModel } from './models.js';
import type { BenchMode } from './run-case.js';
import type { RnnSize } from './sizes.js';
import type { Summary } from './stats.js';
import { benchData } from './weights.js';

/** How a case is timed (the parts of `PathsConfig` a case needs). */
export interface PathsCaseConfig {
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

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Number.POSITIVE_INFINITY;
}

function median(t: PathTiming | undefined): number | undefined {
  return t?.summary.median;
}

/**
 * Times the paths of `key` at `size` on `benches` (one per path of `benchPaths`: fused, compiled, generic), each mode in
 * turns after comparing every path's forward output with the generic loop's; `onCase` sees each mode's record.
 */
export function timePathsCase(
  backendName: string,
  benches: readonly BenchBackend[],
  key: string,
  size: RnnSize,
  config: PathsCaseConfig,
  onCase: (c: PathsCase) => void = () => undefined,
): PathsCase[] {
  const cell = benchCell(key);
  const data = benchData(cell, size, config.seed);
  const cases: PathsCase[] = [];
  const models: BenchModel[] = benches.map((b) => seqmodelModel(b.backend, cell, size, data));
  try {
    const outputs = models.map((m) => m.forward());
    const generic = outputs[2]!;
    // The fused path is timed only where it runs a kernel of the backend's own for the cell: for a plugin it
    // is the compiled kernel (timed once).
    const timed = benchPaths
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
        backend: backendName,
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
  return cases;
}
