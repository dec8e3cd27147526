/**
 * The benchmark run: which backends can run here (the others are recorded as skipped with the reason), each
 * backend's matMul ceiling, then every cell x size x mode on it. Produces the JSON document of `results.ts`;
 * printing and files are the caller's business.
 */
import { type BackendProvider, type BenchBackend, backendProviders } from './backends.js';
import { benchCell, gatesOf } from './cells.js';
import { forwardFlops, matMulFlops } from './flops.js';
import { layerWorkload } from './layer-workloads.js';
import { loadAverage, machineRecord, versionsRecord } from './machine.js';
import { benchMatMul } from './matmul.js';
import { type PlannedCase, type RunObserver, silentObserver } from './progress.js';
import {
  type BackendRecord,
  type BenchResults,
  type CaseRecord,
  type ConfigRecord,
  caseRecord,
  formulaNotes,
  type LayerCaseRecord,
  type MatMulRecord,
  schemaVersion,
} from './results.js';
import { type BenchMode, runCase } from './run-case.js';
import { runLayerCase } from './run-layers.js';
import { formatSize } from './sizes.js';

export type RunConfig = ConfigRecord & { readonly modes: readonly BenchMode[] };

export interface RunHooks {
  readonly observer?: RunObserver;
  /** The backends the run can choose from (default: every provider the bench knows). */
  readonly providers?: readonly BackendProvider[];
  /** The command-line arguments, stored in the results. */
  readonly argv?: readonly string[];
}

function measureMatMul(bench: BenchBackend, config: RunConfig): MatMulRecord | null {
  if (config.matMulSize === 0) return null;
  const result = benchMatMul(bench.backend, config.matMulSize, 1, config.matMulRepeats);
  return {
    n: result.n,
    flops: matMulFlops(result.n),
    samplesMs: result.timing.samples,
    medianMs: result.timing.summary.median,
    gflops: result.gflops,
  };
}

export async function runBench(config: RunConfig, hooks: RunHooks = {}): Promise<BenchResults> {
  const observer = hooks.observer ?? silentObserver;
  const providers = hooks.providers ?? backendProviders;
  const startedAt = new Date();
  const started = performance.now();
  const loadAtStart = loadAverage();
  const cells = config.cells.map((key) => benchCell(key));
  const workloads = (config.layers ?? []).map((key) => layerWorkload(key));

  // Which backends can run, before anything is timed, so that the plan (and the ETA) is known.
  const backends: BackendRecord[] = [];
  const available: BackendProvider[] = [];
  for (const name of config.backends) {
    const provider = providers.find((p) => p.name === name);
    if (!provider) throw new Error(`--backends: unknown backend ${JSON.stringify(name)}`);
    const answer = await provider.isAvailable();
    if (answer === true) {
      available.push(provider);
    } else {
      backends.push({ name, status: 'skipped', reason: answer });
      observer.note(`backend ${name}: skipped (${answer})`);
    }
  }

  const plan: PlannedCase[] = [];
  for (const provider of available) {
    for (const cell of cells) {
      for (const size of config.sizes) {
        for (const mode of config.modes) {
          const contenders = 'layer' in cell.tfjsLayers ? 2 : 1;
          const work = forwardFlops(gatesOf(cell, size) ?? 1, size) * (mode === 'train' ? 3 : 1);
          plan.push({
            backend: provider.name,
            label: `${provider.name} ${cell.key} ${formatSize(size)} ${mode}`,
            weight: work * contenders * (config.warmup + config.repeats),
          });
        }
      }
    }
    for (const workload of workloads) {
      plan.push({
        backend: provider.name,
        label: `${provider.name} layers ${workload.key} train`,
        weight: workload.flops * (config.warmup + config.repeats),
      });
    }
  }
  observer.plan(plan);

  const cases: CaseRecord[] = [];
  const layerCases: LayerCaseRecord[] = [];
  let index = 0;
  for (const provider of available) {
    const bench = await provider.create({ path: config.path ?? 'fused' });
    const matMul = measureMatMul(bench, config);
    backends.push({ name: bench.name, status: 'ran', details: bench.details, matMul });
    observer.note(
      `backend ${bench.name}: ${bench.details}; ` +
        (matMul ? `matMul ${matMul.n}^3 ${matMul.gflops.toFixed(2)} GFLOP/s` : 'matMul not measured'),
    );
    for (const cell of cells) {
      for (const size of config.sizes) {
        const gates = gatesOf(cell, size);
        let mode = 0;
        observer.caseStarted(index);
        await runCase(bench, cell, size, {
          modes: config.modes,
          warmup: config.warmup,
          repeats: config.repeats,
          minTimeMs: config.minTimeMs,
          seed: config.seed,
          onRun: () => observer.tick(),
          onMode: (modeRun, caseRun) => {
            const record = caseRecord(caseRun, modeRun, gates, matMul);
            cases.push(record);
            observer.caseDone(index + mode, record);
            mode++;
            if (mode < config.modes.length) observer.caseStarted(index + mode);
          },
        });
        index += config.modes.length;
      }
    }
    for (const workload of workloads) {
      observer.caseStarted(index);
      const record = runLayerCase(bench, workload, {
        warmup: config.warmup,
        repeats: config.repeats,
        minTimeMs: config.minTimeMs,
        seed: config.seed,
        onRun: () => observer.tick(),
      });
      layerCases.push(record);
      observer.caseDone(index, record);
      index++;
    }
  }
  observer.finish();

  // Skipped backends first came from probing; list every backend in the order asked for.
  const order = (name: string) => config.backends.indexOf(name);
  backends.sort((a, b) => order(a.name) - order(b.name));
  return {
    schemaVersion,
    tool: 'seqmodel-bench',
    argv: [...(hooks.argv ?? [])],
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - started,
    machine: machineRecord(loadAtStart),
    versions: versionsRecord(),
    config: {
      preset: config.preset,
      backends: config.backends,
      cells: config.cells,
      sizes: config.sizes,
      modes: config.modes,
      path: config.path ?? 'fused',
      repeats: config.repeats,
      minTimeMs: config.minTimeMs,
      warmup: config.warmup,
      seed: config.seed,
      matMulSize: config.matMulSize,
      matMulRepeats: config.matMulRepeats,
      ...(config.layers === undefined ? {} : { layers: config.layers }),
    },
    formulas: formulaNotes,
    backends,
    cases,
    ...(config.layers === undefined ? {} : { layerCases }),
  };
}
