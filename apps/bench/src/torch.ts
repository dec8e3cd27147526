/**
 * The PyTorch contender (`--torch`): nn.LSTM / nn.GRU / nn.RNN on the CPU, with the same weights and data as the
 * seqmodel contenders, timed by `torch/contender.py` in a Python process (after the seqmodel cases, not interleaved
 * with them). Its thread count is the run's `--threads`, given to PyTorch (`torch.set_num_threads`) and to OpenBLAS
 * and OpenMP through the environment. Its forward output is checked against core's float64 reference, as seqmodel's
 * is. Python with torch is found at `SEQMODEL_BENCH_PYTHON`, Debian's `/usr/bin/python3` or `python3` on the PATH;
 * without one the run says so and goes on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureReferenceAgreement } from './agreement.js';
import type { BenchCell } from './cells.js';
import type { BenchMode } from './run-case.js';
import type { RnnSize } from './sizes.js';
import { type Summary, summarize } from './stats.js';
import type { BenchData } from './weights.js';
import { learningRate } from './workload.js';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'torch', 'contender.py');

/** The Python the contender runs on. */
export function torchPython(): string {
  const configured = process.env.SEQMODEL_BENCH_PYTHON;
  if (configured) return configured;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** PyTorch's version, or why it cannot run here. */
export function torchAvailability(python = torchPython()): { version: string } | { reason: string } {
  const result = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status === 0) return { version: result.stdout.trim() };
  const why = result.error ? result.error.message : (result.stderr ?? '').trim().split('\n').pop();
  return {
    reason: `no Python with torch at ${python} (${why}); install Debian's python3-torch or set SEQMODEL_BENCH_PYTHON`,
  };
}

export interface TorchCase {
  readonly cell: string;
  readonly size: RnnSize;
  readonly mode: BenchMode;
  readonly samplesMs: readonly number[];
  readonly summary: Summary;
  /** Largest difference of PyTorch's forward output from core's float64 reference (first sequences). */
  readonly forwardMaxError: number;
}

export type TorchRecord =
  | {
      readonly status: 'ran';
      readonly version: string;
      readonly threads: number;
      readonly cases: TorchCase[];
    }
  | { readonly status: 'skipped'; readonly reason: string };

export interface TorchSettings {
  readonly python: string;
  readonly threads: number;
  readonly modes: readonly BenchMode[];
  readonly warmup: number;
  readonly repeats: number;
  readonly minTimeMs: number;
}

/**
 * Times PyTorch on one cell and size; `{ unavailable }` for a cell PyTorch has no equal of (the GRU without
 * resetAfter, plugin cells). Throws when the Python process fails.
 */
export function runTorchCase(
  cell: BenchCell,
  size: RnnSize,
  data: BenchData,
  settings: TorchSettings,
): TorchCase[] | { unavailable: string } {
  const work = mkdtempSync(join(tmpdir(), 'seqmodel-bench-torch-'));
  try {
    const arrays = [
      ...data.params.map((p) => ({ name: p.name, values: p.values, shape: p.shape })),
      { name: 'inputs', ...data.inputs },
      { name: 'target', ...data.target },
    ];
    const dataFile = join(work, 'data.bin');
    writeFileSync(
      dataFile,
      Buffer.concat(
        arrays.map((a) => Buffer.from(a.values.buffer, a.values.byteOffset, a.values.byteLength)),
      ),
    );
    const specFile = join(work, 'spec.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        cell: cell.key,
        size,
        modes: settings.modes,
        warmup: settings.warmup,
        repeats: settings.repeats,
        minTimeMs: settings.minTimeMs,
        threads: settings.threads,
        learningRate,
        dataFile,
        arrays: arrays.map((a) => ({ name: a.name, shape: a.shape })),
      }),
    );
    const threads = String(settings.threads);
    const result = spawnSync(settings.python, [script, specFile], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: {
        ...process.env,
        OPENBLAS_NUM_THREADS: threads,
        OMP_NUM_THREADS: threads,
        MKL_NUM_THREADS: threads,
      },
    });
    if (result.status !== 0) {
      throw new Error(
        `PyTorch contender failed (${result.status}): ${(result.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    if (typeof out.unavailable === 'string') return { unavailable: out.unavailable };
    const agreement = measureReferenceAgreement(cell, size, data, Float32Array.from(out.output as number[]));
    return settings.modes.map((mode) => {
      const samplesMs = out[mode] as number[];
      return {
        cell: cell.key,
        size,
        mode,
        samplesMs,
        summary: summarize(samplesMs),
        forwardMaxError: agreement.forwardMaxError,
      };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
