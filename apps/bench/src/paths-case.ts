/**
 * One case of `seqmodel-bench paths` (a cell at a size on one backend, every mode): its paths timed in turns. Apart
 * from `paths.ts` so that the browser page (`browser-page.ts`) runs the same code on webgl and webgpu.
 */
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { type BenchBackend, type BenchPath, benchPaths } from './bench-backend.js';
import { benchCell } from './cells.js';
import { type RunsPerTurn, timeInterleaved, timeInterleavedTurns } from './interleave.js';
import { type BenchModel, harnessModel, seqmodelModel } from './models.js';
import type { BenchMode } from './run-case.js';
import type { RnnSize } from './sizes.js';
import type { Summary } from './stats.js';
import type { ProductTimer } from './timed-gemm.js';
import { benchData } from './weights.js';

/** How a case is timed (the parts of `PathsConfig` a case needs). */
export interface PathsCaseConfig {
  readonly modes: readonly BenchMode[];
  readonly repeats: number;
  readonly minTimeMs: number;
  readonly warmup: number;
  readonly seed: number;
  /**
   * Runs of each path (and the harness) in a row in each turn, a sample being their mean (default 1), or `'auto'`:
   * per contender, from its warm-up pace (see `timeInterleaved`).
   */
  readonly runsPerTurn?: RunsPerTurn;
}

export interface PathTiming {
  readonly path: BenchPath;
  /** The kernel that ran on this path (`hand-written`, `compiled (javascript)`, `generic loop`). */
  readonly kernel: string;
  readonly samplesMs: readonly number[];
  readonly summary: Summary;
  /** Runs in a row in each of its turns (a sample is their mean). */
  readonly runsPerTurn: number;
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
  /**
   * Train mode: the timing of `harnessModel`'s step (the same loss, tape and update with a model of a few small ops),
   * in the same turns; null in forward mode.
   */
  readonly harness: {
    readonly samplesMs: readonly number[];
    readonly summary: Summary;
    readonly runsPerTurn: number;
  } | null;
  /**
   * (generic − harness) / (compiled − harness), medians: the ratio of what the two paths cost beyond the fixed cost
   * of a training step, which bounds `genericOverCompiled` at small sizes. Null in forward mode, or where the
   * compiled median is not above the harness's.
   */
  readonly genericOverCompiledBeyondHarness: number | null;
  /**
   * Train mode, where the products could be timed (cpu, wasm): the time a compiled training step spends in matrix
   * products (its `GemmProvider`), one sample per step, measured after the turns on a second compiled-path backend.
   * The generic loop runs the same products through the backend's own matrix product (on cpu `JsGemm` too, on wasm
   * XNNPACK through tfjs's op), so generic / (harness + products) estimates how far the ratio could go if the rest of
   * the compiled step cost nothing. Null where the compiled path runs the generic loop.
   */
  readonly products: { readonly samplesMs: readonly number[]; readonly summary: Summary } | null;
}

/** A compiled-path backend whose kernel's products go through `timer` (see `PathsCase.products`). */
export interface ProductsProbe {
  readonly backend: TfjsBackend;
  readonly timer: ProductTimer;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Number.POSITIVE_INFINITY;
}

function median(t: PathTiming | undefined): number | undefined {
  return t?.summary.median;
}

export interface PathsCaseOptions {
  /** Sees each mode's record as it is made. */
  readonly onCase?: (c: PathsCase) => void;
  /** Where the compiled step's matrix products are timed (train mode), if anywhere. */
  readonly products?: ProductsProbe;
  /** The clock of the paths' and the harness's turns, in milliseconds (default `performance.now`; tests pin it). */
  readonly now?: () => number;
}

/**
 * Times the paths of `key` at `size` on `benches` (one per path of `benchPaths`: fused, compiled, generic), each mode in
 * turns after comparing every path's forward output with the generic loop's. In train mode the harness is timed in
 * the same turns (last, and left out of `minTimeMs`, so that the fastest contender does not multiply the rounds), and
 * with `products` the compiled step's matrix products after them.
 */
export function timePathsCase(
  backendName: string,
  benches: readonly BenchBackend[],
  key: string,
  size: RnnSize,
  config: PathsCaseConfig,
  options: PathsCaseOptions = {},
): PathsCase[] {
  const { onCase, products, now } = options;
  const cell = benchCell(key);
  const data = benchData(cell, size, config.seed);
  const cases: PathsCase[] = [];
  // Every model made, freed at the end even if making a later one throws.
  const owned: BenchModel[] = [];
  const own = (m: BenchModel) => {
    owned.push(m);
    return m;
  };
  try {
    const models = benches.map((b) => own(seqmodelModel(b.backend, cell, size, data)));
    const train = config.modes.includes('train');
    // On the compiled path's backend; it runs no sequence kernel, so any of them would do.
    const harness = train ? own(harnessModel(benches[1]!.backend, data)) : undefined;
    const probe =
      train && products
        ? { model: own(seqmodelModel(products.backend, cell, size, data)), timer: products.timer }
        : undefined;
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
      // The harness is timed in the same turns as the paths, last.
      if (mode === 'train' && harness) runs.push(() => void harness.trainStep());
      const { timings, runsPerTurn } = timeInterleavedTurns(runs, {
        warmup: config.warmup,
        repeats: config.repeats,
        minTimeMs: config.minTimeMs,
        minTimeContenders: timed.length,
        runsPerTurn: config.runsPerTurn,
        ...(now ? { now } : {}),
      });
      const byPath = timed.map(
        ({ path, i }, k): PathTiming => ({
          path,
          kernel: models[i]!.kernel ?? path,
          samplesMs: timings[k]!.samples,
          summary: timings[k]!.summary,
          runsPerTurn: runsPerTurn[k]!,
          maxDifference: maxDifference(outputs[i]!, generic),
        }),
      );
      const find = (p: BenchPath) => byPath.find((t) => t.path === p);
      const hand = median(find('fused'));
      const compiled = median(find('compiled'));
      const genericTime = median(find('generic'));
      const harnessTiming = mode === 'train' ? timings[timed.length] : undefined;
      const floor = harnessTiming?.summary.median;
      // Only where both run a compiled kernel, the same one: the timer counts nothing on the generic loop.
      const compiledKernel = models[1]!.kernel;
      // Timed on the timer's clock, which runs only during products: a sample is one step's products.
      const productTiming =
        mode === 'train' &&
        probe &&
        compiledKernel !== 'generic loop' &&
        probe.model.kernel === compiledKernel
          ? timeInterleaved([() => void probe.model.trainStep()], {
              warmup: config.warmup,
              repeats: Math.max(3, config.repeats),
              now: () => probe.timer.ms,
            })[0]
          : undefined;
      const record: PathsCase = {
        backend: backendName,
        cell: key,
        size,
        mode,
        timings: byPath,
        compiledOverHandWritten: hand !== undefined && compiled !== undefined ? compiled / hand : null,
        genericOverCompiled:
          genericTime !== undefined && compiled !== undefined ? genericTime / compiled : null,
        harness: harnessTiming
          ? {
              samplesMs: harnessTiming.samples,
              summary: harnessTiming.summary,
              runsPerTurn: runsPerTurn[timed.length]!,
            }
          : null,
        genericOverCompiledBeyondHarness:
          floor !== undefined && genericTime !== undefined && compiled !== undefined && compiled > floor
            ? (genericTime - floor) / (compiled - floor)
            : null,
        products: productTiming ? { samplesMs: productTiming.samples, summary: productTiming.summary } : null,
      };
      cases.push(record);
      onCase?.(record);
    }
  } finally {
    for (const m of owned) m.dispose();
  }
  return cases;
}
