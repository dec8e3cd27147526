/**
 * The benchmark run: which backends can run here (the others are recorded as skipped with the reason), each
 * backend's matMul ceiling, then every cell x size x mode on it. Produces the JSON document of `results.ts`;
 * printing and files are the caller's business.
 */
import { type BackendProvider, type BenchBackend, backendProviders } from './backends.js';
import { type BenchCell, benchCell, gatesOf } from './cells.js';
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
import { runTorchCase, type TorchCase, type TorchRecord, torchAvailability, torchPython } from './torch.js';
import { benchData } from './weights.js';

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

/**
 * The providers of `names` that can run here, and a `skipped` record (noted to the observer) for each that cannot,
 * probed before anything is timed.
 */
export async function probeBackends(
  names: readonly string[],
  providers: readonly BackendProvider[],
  observer: RunObserver,
): Promise<{ available: BackendProvider[]; skipped: BackendRecord[] }> {
  const skipped: BackendRecord[] = [];
  const available: BackendProvider[] = [];
  for (const name of names) {
    const provider = providers.find((p) => p.name === name);
    if (!provider) throw new Error(`--backends: unknown backend ${JSON.stringify(name)}`);
    const answer = await provider.isAvailable();
    if (answer === true) {
      available.push(provider);
    } else {
      skipped.push({ name, status: 'skipped', reason: answer });
      observer.note(`backend ${name}: skipped (${answer})`);
    }
  }
  return { available, skipped };
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
  const { available, skipped } = await probeBackends(config.backends, providers, observer);
  const backends: BackendRecord[] = skipped;

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
    const bench = await provider.create({ path: config.path ?? 'fused', threads: config.threads ?? 1 });
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
  const torch = config.torch ? runTorch(config, cells, observer) : undefined;
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
      threads: config.threads ?? 1,
      torch: config.torch ?? false,
    },
    formulas: formulaNotes,
    backends,
    cases,
    ...(config.layers === undefined ? {} : { layerCases }),
    ...(torch ? { torch } : {}),
  };
}

/** PyTorch on every cell and size of the run (once, whatever the backends), or why it could not run. */
function runTorch(config: RunConfig, cells: readonly BenchCell[], observer: RunObserver): TorchRecord {
  const python = torchPython();
  const availability = torchAvailability(python);
  if ('reason' in availability) {
    observer.note(`PyTorch: skipped (${availability.reason})`);
    return { status: 'skipped', reason: availability.reason };
  }
  const threads = config.threads ?? 1;
  observer.note(`PyTorch ${availability.version}: ${threads} thread(s), ${python}`);
  const cases: TorchCase[] = [];
  for (const cell of cells) {
    for (const size of config.sizes) {
      const settings = {
        python,
        threads,
        modes: config.modes,
        warmup: config.warmup,
        repeats: config.repeats,
        minTimeMs: config.minTimeMs,
      };
      const result = runTorchCase(cell, size, benchData(cell, size, config.seed), settings);
      if ('unavailable' in result) {
        observer.note(`PyTorch: ${cell.key} skipped (${result.unavailable})`);
        break;
      }
      cases.push(...result);
    }
  }
  return { status: 'ran', version: availability.version, threads, cases };
}
