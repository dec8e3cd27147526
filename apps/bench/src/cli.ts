#!/usr/bin/env node
/**
 * seqmodel-bench: times seqmodel (its fused kernels, or the generic loop) against tfjs-layers on the same tfjs
 * backends.
 *
 *   npx -y pnpm@12.21.0 bench                         # everything (several minutes on tfjs-backend-cpu)
 *   npx -y pnpm@12.21.0 bench --quick                 # small size, few repeats
 *   npx -y pnpm@12.21.0 bench --backends wasm --cells gru --sizes 16x32x16x64 --repeats 3
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  type BenchBackendName,
  type BenchPath,
  benchBackendNames,
  benchPaths,
  createBenchBackend,
} from './backends.js';
import { type BenchCell, parseSize, type RnnSize } from './flops.js';
import { benchMatMul } from './matmul.js';
import { agreementLines, backendLine, caseTable, header } from './report.js';
import { type BenchMode, benchModes, type CaseResult, runCase } from './run-case.js';

const usage = `usage: seqmodel-bench [options]
  --backends cpu,wasm              tfjs backends to run on (default: cpu,wasm)
  --cells lstm,gru                 cells (default: lstm,gru)
  --sizes 32x64x32x128,...         batch x time x input x units (default: 32x64x32x128,64x100x64x256)
  --modes forward,train            what to time (default: forward,train)
  --path fused|generic             seqmodel's fused kernels, or core's generic loop (default: fused)
  --repeats N                      timed runs per measurement (default: 5)
  --warmup N                       warm-up runs, at least 1; the first checks correctness (default: 2)
  --matmul N                       size of the reference matMul, 0 to skip (default: 1024)
  --quick                          32x64x32x128 only, 2 repeats, 1 warm-up, 1 matMul repeat
  --help`;

function list<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').filter((s) => s !== '');
  const bad = items.filter((i) => !allowed.includes(i as T));
  if (bad.length > 0 || items.length === 0) {
    throw new Error(
      `--${name}: expected a comma-separated list of ${allowed.join(', ')}, received ${JSON.stringify(text)}`,
    );
  }
  return items as T[];
}

function one<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) {
    throw new Error(`--${name}: expected one of ${allowed.join(', ')}, received ${JSON.stringify(text)}`);
  }
  return text as T;
}

function integer(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: expected an integer >= ${min}, received ${JSON.stringify(text)}`);
  return n;
}

export interface CliOptions {
  readonly backends: BenchBackendName[];
  readonly cells: BenchCell[];
  readonly sizes: RnnSize[];
  readonly modes: BenchMode[];
  readonly path: BenchPath;
  readonly repeats: number;
  readonly warmup: number;
  readonly matMul: number;
  readonly matMulRepeats: number;
}

export function parseCli(argv: readonly string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      backends: { type: 'string' },
      cells: { type: 'string' },
      sizes: { type: 'string' },
      modes: { type: 'string' },
      path: { type: 'string' },
      repeats: { type: 'string' },
      warmup: { type: 'string' },
      matmul: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick ?? false;
  return {
    backends: list('backends', values.backends ?? 'cpu,wasm', benchBackendNames),
    cells: list('cells', values.cells ?? 'lstm,gru', ['lstm', 'gru'] as const),
    sizes: (values.sizes ?? (quick ? '32x64x32x128' : '32x64x32x128,64x100x64x256'))
      .split(',')
      .map(parseSize),
    modes: list('modes', values.modes ?? 'forward,train', benchModes),
    path: one('path', values.path ?? 'fused', benchPaths),
    repeats: integer('repeats', values.repeats ?? (quick ? '2' : '5'), 1),
    warmup: integer('warmup', values.warmup ?? (quick ? '1' : '2'), 1),
    matMul: integer('matmul', values.matmul ?? '1024', 0),
    matMulRepeats: quick ? 1 : 3,
  };
}

function machine(): string {
  const cores = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cores[0]?.model ?? 'unknown CPU'}, ${cores.length} logical cores, Node ${process.version}, load average ${load}`;
}

export async function main(argv: readonly string[]): Promise<void> {
  const options = parseCli(argv);
  if (options === 'help') {
    console.log(usage);
    return;
  }
  console.log(header(options, machine()));
  for (const name of options.backends) {
    const bench = await createBenchBackend(name, options.path);
    const matMul =
      options.matMul > 0 ? benchMatMul(bench.backend, options.matMul, 1, options.matMulRepeats) : undefined;
    console.log(backendLine(bench, matMul));
    const results: CaseResult[] = [];
    for (const cell of options.cells) {
      for (const size of options.sizes) results.push(runCase(bench, cell, size, options));
    }
    console.log(caseTable(results));
    console.log('agreement checked before timing (see src/agreement.ts for the tolerances):');
    console.log(agreementLines(results));
  }
  console.log(
    `\nload average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

const invokedDirectly =
  import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli.js');
if (invokedDirectly) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(usage);
    process.exit(1);
  });
}
