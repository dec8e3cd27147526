/**
 * `seqmodel-bench attention`: the attention cases on every available backend, as one results document of schema
 * version 1 (no cell cases; `attentionCases` and `config.attention`). On the fused path the flash attention kernel
 * is registered for the backend with an engine the runner keeps, so that its working memory can be reported.
 */
import { SCALED_DOT_PRODUCT_KERNEL } from '@seqmodel/attention';
import {
  createFlashKernel,
  defaultFlashEngine,
  defaultFlashKernelBackends,
  type FlashEngine,
} from '@seqmodel/attention/kernels';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { defaultKernelRegistry, registerKernel, unregisterKernel } from '@seqmodel/core';
import { backendProviders } from '../backends.js';
import { formatMs, formatSpeedup } from '../format.js';
import { loadAverage, machineRecord, versionsRecord } from '../machine.js';
import { silentObserver } from '../progress.js';
import { type BackendRecord, type BenchResults, formulaNotes, schemaVersion } from '../results.js';
import { probeBackends, type RunHooks } from '../runner.js';
import { attentionCase, formatAttentionSize } from './cases.js';
import type { AttentionRunConfig } from './options.js';
import { type AttentionCaseRecord, attentionFormulaNotes, hasPlainTfjs } from './records.js';
import { runAttentionCase } from './run.js';

/**
 * Registers the flash kernel for `backendName` (cpu or wasm: the kernels on host memory, with an engine) on a new
 * engine, and returns the engine (undefined: no kernel).
 */
function registerBenchKernel(backendName: string): { engine: FlashEngine; restore: () => void } | undefined {
  if (!(defaultFlashKernelBackends as readonly string[]).includes(backendName)) return undefined;
  const engine = defaultFlashEngine(backendName);
  const key = { backend: backendName, ...SCALED_DOT_PRODUCT_KERNEL };
  // A kernel the process registered under the same key (its own attention kernel, say) is put back afterwards.
  const previous = defaultKernelRegistry.get(key);
  registerKernel<TfjsBackend>({ ...key, kernel: (b) => createFlashKernel(b, engine) }, { replace: true });
  return {
    engine,
    restore: () => {
      if (previous) defaultKernelRegistry.register(previous, { replace: true });
      else unregisterKernel(key);
    },
  };
}

function line(r: AttentionCaseRecord): string {
  const what = `${r.backend} ${r.workload} ${formatAttentionSize(r.size)} ${r.causal ? 'causal' : 'full'} ${r.mode}`;
  const plain = hasPlainTfjs(r)
    ? `, plain tfjs ${formatMs(r.plainTfjs.summary.median)} ms (seqmodel ${formatSpeedup(r.speedup)})`
    : ', plain tfjs skipped';
  return `${what}: seqmodel ${formatMs(r.seqmodel.summary.median)} ms${plain}`;
}

export async function runAttentionBench(
  config: AttentionRunConfig,
  hooks: RunHooks = {},
): Promise<BenchResults> {
  const observer = hooks.observer ?? silentObserver;
  const providers = hooks.providers ?? backendProviders;
  const startedAt = new Date();
  const started = performance.now();
  const loadAtStart = loadAverage();
  const cases = config.cases.map((name) => attentionCase(name));
  const probed = await probeBackends(config.backends, providers, observer);
  const backends: BackendRecord[] = probed.skipped;
  const records: AttentionCaseRecord[] = [];
  for (const provider of probed.available) {
    if (provider.openRemote) {
      // A browser backend (webgl, webgpu) runs the cases in its page, all but the memory case (whose figure is
      // the host process's tensor memory, and whose T = 4096 takes minutes on a software GPU).
      const remote = await provider.openRemote({ path: config.path });
      try {
        backends.push({ name: remote.name, status: 'ran', details: remote.details, matMul: null });
        observer.note(`backend ${remote.name}: ${remote.details}`);
        for (const c of cases) {
          if (c.plainTfjsSkipped !== undefined) {
            observer.note(`${remote.name} ${c.name}: skipped (the memory case runs in Node only)`);
            continue;
          }
          const options = {
            warmup: config.warmup,
            repeats: config.repeats,
            minTimeMs: config.minTimeMs,
            seed: config.seed,
          };
          for (const record of await remote.runAttentionCase(c.name, options)) {
            records.push(record);
            observer.note(line(record));
          }
        }
      } finally {
        await remote.close();
      }
      continue;
    }
    const registered = config.path === 'fused' ? registerBenchKernel(provider.name) : undefined;
    const engine = registered?.engine;
    try {
      const bench = await provider.create({ path: config.path });
      const details = `${bench.details}${engine ? `; flash attention kernel on ${engine.name}` : ''}`;
      backends.push({ name: bench.name, status: 'ran', details, matMul: null });
      observer.note(`backend ${bench.name}: ${details}`);
      for (const c of cases) {
        runAttentionCase(bench, c, {
          warmup: config.warmup,
          repeats: config.repeats,
          minTimeMs: config.minTimeMs,
          seed: config.seed,
          engine,
          onRun: () => observer.tick(),
          onRecord: (record) => {
            records.push(record);
            observer.note(line(record));
          },
        });
      }
    } finally {
      // A later run in the same process (a `--path generic` one, say) must not find the kernel still registered, and
      // a kernel registered before the run is registered again.
      registered?.restore();
    }
  }
  observer.finish();
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
      preset: 'attention',
      backends: config.backends,
      cells: [],
      sizes: [],
      modes: [...new Set(cases.flatMap((c) => c.modes))],
      path: config.path,
      repeats: config.repeats,
      minTimeMs: config.minTimeMs,
      warmup: config.warmup,
      seed: config.seed,
      matMulSize: 0,
      matMulRepeats: 1,
      attention: config.cases,
    },
    formulas: { ...formulaNotes, ...attentionFormulaNotes },
    backends,
    cases: [],
    attentionCases: records,
  };
}
