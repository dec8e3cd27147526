/**
 * `seqmodel-bench paths`: seqmodel's own kernels against each other, interleaved on one backend: a kernel the
 * backend has for the cell itself (a hand-written one, on the `fused` path; the cpu and wasm backends have none since
 * the compiler replaced theirs, and then `fused` is the compiled kernel and is timed once), the kernel compiled from
 * the cell's step (`compiled`) and core's generic loop (`generic`). It answers "is the compiled kernel as fast as a
 * hand-written one, and how much faster than the generic loop" with ratios of medians timed in turns, which survive
 * a noisy machine better than times from separate runs. Before timing, each path's forward output is compared with
 * the generic loop's. On webgl and webgpu the browser page times each case with the same code (`paths-case.ts`).
 */
import {
  type BackendProvider,
  type BenchBackend,
  type BenchPath,
  backendProviders,
  benchPaths,
} from './backends.js';
import { alignColumns, formatRange } from './format.js';
import { loadAverage, machineRecord } from './machine.js';
import { type PathsCase, type PathsCaseConfig, type ProductsProbe, timePathsCase } from './paths-case.js';
import { formatSize, type RnnSize } from './sizes.js';
import { ProductTimer } from './timed-gemm.js';

export type { PathsCase, PathTiming } from './paths-case.js';

export interface PathsConfig extends PathsCaseConfig {
  readonly backends: readonly string[];
  readonly cells: readonly string[];
  readonly sizes: readonly RnnSize[];
}

export interface PathsResults {
  readonly tool: 'seqmodel-bench paths';
  readonly startedAt: string;
  readonly machine: ReturnType<typeof machineRecord>;
  readonly config: PathsConfig;
  /** The backends that ran, each with its setup line (the browser and renderer for webgl and webgpu). */
  readonly backends: readonly { readonly name: string; readonly details: string }[];
  /** Backends that could not run here, with the reason. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  readonly cases: readonly PathsCase[];
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
  const ran: { name: string; details: string }[] = [];
  for (const name of config.backends) {
    const provider = providers.find((p) => p.name === name);
    if (!provider) throw new Error(`--backends: unknown backend ${JSON.stringify(name)}`);
    const available = await provider.isAvailable();
    if (available !== true) {
      skipped.push({ name, reason: available });
      continue;
    }
    if (provider.openRemotePaths) {
      // A browser backend: the page makes the three backends and times each case with the same code.
      const remote = await provider.openRemotePaths();
      ran.push({ name, details: remote.details });
      try {
        for (const key of config.cells) {
          for (const size of config.sizes) {
            for (const record of await remote.runPathsCase(key, size, config)) {
              cases.push(record);
              onCase(record);
            }
          }
        }
      } finally {
        await remote.close();
      }
      continue;
    }
    const benches: BenchBackend[] = [];
    for (const path of benchPaths) benches.push(await provider.create({ path }));
    ran.push({ name, details: [...new Set(benches.map((b) => b.details))].join(' | ') });
    // A second compiled-path backend whose products are timed (PathsCase.products), where the provider can.
    let products: ProductsProbe | undefined;
    if (provider.timesProducts && config.modes.includes('train')) {
      const timer = new ProductTimer();
      const bench = await provider.create({ path: 'compiled', wrapGemm: (gemm) => timer.wrap(gemm) });
      products = { backend: bench.backend, timer };
    }
    for (const key of config.cells) {
      for (const size of config.sizes) {
        cases.push(...timePathsCase(name, benches, key, size, config, { onCase, products }));
      }
    }
  }
  return {
    tool: 'seqmodel-bench paths',
    startedAt: startedAt.toISOString(),
    machine: machineRecord(loadAtStart),
    config,
    backends: ran,
    skipped,
    cases,
  };
}

/**
 * One line per case: the three paths' times and the two ratios; in train mode also the harness's time (a training
 * step's fixed cost, `harnessModel`), the generic/compiled ratio beyond it and the compiled step's time in matrix
 * products.
 */
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
      'harness ms',
      'beyond harness',
      'products ms',
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
      c.harness === null ? 'n/a' : formatRange(c.harness.summary),
      c.genericOverCompiledBeyondHarness === null
        ? 'n/a'
        : `${c.genericOverCompiledBeyondHarness.toFixed(1)}x`,
      c.products === null ? 'n/a' : formatRange(c.products.summary),
      Math.max(...c.timings.map((t) => t.maxDifference)).toExponential(1),
    ]);
  }
  return alignColumns(rows, [4, 5, 6, 7, 8, 9, 10, 11, 12]);
}
