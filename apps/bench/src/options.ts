/**
 * The command line: `seqmodel-bench [run] [flags]`, `seqmodel-bench compare A.json B.json [flags]`,
 * `seqmodel-bench list`. Every bad flag or value gets an error naming the flag, the value received and what is
 * allowed.
 */
import { parseArgs } from 'node:util';
import { invalidArgument, resolveCell } from '@seqmodel/core';
import { type BenchPath, backendNames, benchPaths } from './backends.js';
import { benchCell, listBenchCells } from './cells.js';
import { defaultCompareThreshold } from './compare.js';
import type { RunsPerTurn } from './interleave.js';
import { layerWorkloadNames } from './layer-workloads.js';
import type { PathsConfig } from './paths.js';
import { benchModes } from './run-case.js';
import type { RunConfig } from './runner.js';
import { type PresetName, parseSizes, presetNames, presets } from './sizes.js';
import { defaultSeed } from './weights.js';

/** Fast cases are timed until each contender's runs add up to this many milliseconds (`--min-time`). */
export const defaultMinTimeMs = 100;

export const usage = `usage: seqmodel-bench [run] [options]      time cells x backends x sizes x modes against tfjs-layers
       seqmodel-bench compare A.json B.json    flag regressions and improvements from A to B
       seqmodel-bench report FILE.json [--markdown DIR]   print (and write) the report of a results file
       seqmodel-bench paths [options]          seqmodel's kernels against each other, interleaved: a backend's
                                               own kernel for a cell (where it has one), the one compiled from the
                                               cell's step, the generic loop (ratios of medians)
       seqmodel-bench explain CELL [options]   what the compiler makes of a cell's step: the traced graph, the
                                               plan and the generated code (or why it declines)
       seqmodel-bench layers [options]         time whole training steps through @seqmodel/layers (Embedding,
                                               LSTM, Dense) on each backend: run with --cells none --layers all
                                               --matmul 0 as defaults
       seqmodel-bench attention [options]      time attention: the fused kernel against plain tfjs ops (attention --help)
       seqmodel-bench list                     cells and backends (with availability)

run options:
  --preset quick|default|large   sizes, repeats and warm-up (default: default)
                                   quick:   8x16x8x32,16x32x16x64; 5 repeats, 2 warm-ups (under 2 minutes on 2 cores)
                                   default: 16x32x16x64,32x64x32x128,64x100x64x256; 5 repeats, 2 warm-ups
                                   large:   64x100x64x256,128x100x128x512,128x200x256x1024; 3 repeats, 1 warm-up
  --backends LIST                ${backendNames.join(',')} (default: all; those that cannot run here are skipped)
  --cells LIST                   simpleRNN,lstm,gru,gruResetAfter and registered plugins such as mgu, all or none
                                 (default: all)
  --layers LIST                  whole-model workloads through @seqmodel/layers after the cells: ${layerWorkloadNames.join(',')},
                                 all or none (default: none; bench layers: all)
  --sizes BxTxIxU,...            batch x time x input x units, replacing the preset's sizes
  --modes forward,train          (default: both)
  --path fused|compiled|generic  fused: the backend's fused kernels (its own for a cell if it has one, else compiled
                                 from the cell's step: today compiled for every cell); compiled: the compiled kernels
                                 for every cell; generic: core's generic scanCell loop for every cell (default:
                                 fused). Each case records the kernel that ran.
  --repeats N                    timed runs per contender and mode, at least (N >= 1)
  --min-time MS                  more timed runs (up to 100) for fast cases, until each contender's add up to MS
                                 milliseconds; 0 runs exactly --repeats (default: ${defaultMinTimeMs})
  --warmup N                     warm-up runs (N >= 1; the first is the correctness check)
  --seed N                       seed of weights and data (default: ${defaultSeed})
  --matmul N                     size n of the [n, n]x[n, n] matMul ceiling, 0 to skip (default: 1024)
  --threads N                    threads of the native backend and of PyTorch (default: 1)
  --torch                        also time PyTorch's nn.LSTM / nn.GRU / nn.RNN (CPU) on the same weights and data,
                                 with --threads threads (Python with torch: SEQMODEL_BENCH_PYTHON, /usr/bin/python3)
  --json FILE                    write the results as JSON (schema version 1)
  --markdown DIR                 write a Markdown report with SVG charts (and results.json) to DIR

paths options: --preset, --backends, --cells, --sizes, --modes, --repeats, --min-time, --warmup, --seed and
  --json FILE as for run (default: the quick preset's sizes), and
  --runs-per-turn N|auto         runs of each path (and the harness) in a row in each turn, a sample being their mean
                                 (default auto: for each, as many as fill 50 ms at its warm-up pace, 1 to 10, so
                                 that short steps run back to back as in a training loop; 1: the paths alternate
                                 run by run, and a short step is timed right after another path's run)

explain options:
  --backend cpu|wasm|cuda        whose generated code to show: JavaScript (cpu), WebAssembly SIMD (wasm) or the CUDA C++
                                 programs the CUDA backend compiles with NVRTC for a plugin cell (cuda; no GPU
                                 needed) (default: cpu)
  --sizes BxIxU                  batch x input x units to compile for (default: 2x3x4)
  --time N                       with --backend cuda: the sequence length (the programs' text holds it) (default: 3)
  --options JSON                 the cell's options, e.g. '{"activation":"relu"}' (default: the bench's for the cell)
  --inference                    plan the forward pass only (default: forward and backward)
  --recurrent-dropout            plan with a recurrent dropout mask, for a cell that supports it (cpu and wasm)

compare options:
  --threshold X                  smallest relative change of the median that counts (default: ${defaultCompareThreshold})
  --fail-on-regression           exit with status 1 when a case regressed

  --help                         this text`;

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'list' }
  | {
      readonly kind: 'run';
      readonly config: RunConfig;
      readonly json: string | undefined;
      readonly markdown: string | undefined;
    }
  | { readonly kind: 'report'; readonly file: string; readonly markdown: string | undefined }
  | { readonly kind: 'paths'; readonly config: PathsConfig; readonly json: string | undefined }
  | {
      readonly kind: 'explain';
      readonly cell: string;
      readonly backend: 'cpu' | 'wasm' | 'cuda';
      readonly sizes: { readonly batch: number; readonly inputSize: number; readonly units: number };
      /** The sequence length of the CUDA programs (`--backend cuda` only). */
      readonly time: number;
      readonly options: Readonly<Record<string, unknown>> | undefined;
      readonly training: boolean;
      /** Plan with a recurrent dropout mask (`--recurrent-dropout`). */
      readonly recurrentMask: boolean;
    }
  | {
      readonly kind: 'compare';
      readonly before: string;
      readonly after: string;
      readonly threshold: number;
      readonly failOnRegression: boolean;
    };

/**
 * A comma-separated list of allowed values, duplicates dropped; `all` stands for every allowed value, and `none`,
 * where `allowNone`, for no value.
 */
export function parseList(
  flag: string,
  text: string,
  allowed: readonly string[],
  allowNone = false,
): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 1 && items[0] === 'all') return [...allowed];
  if (allowNone && items.length === 1 && items[0] === 'none') return [];
  const bad = items.filter((i) => i !== '' && !allowed.includes(i));
  if (bad.length > 0 || items.some((i) => i === '')) {
    const what =
      bad.length > 0 ? `unknown ${bad.map((b) => JSON.stringify(b)).join(', ')} in` : 'an empty item in';
    throw new Error(
      `${flag}: ${what} ${JSON.stringify(text)}; expected a comma-separated list of ${allowed.join(', ')} (or all${allowNone ? ', or none' : ''})`,
    );
  }
  return [...new Set(items)];
}

/** `expected` words the error when the flag takes more than an integer. */
export function parseInteger(
  flag: string,
  text: string,
  min: number,
  expected = `an integer >= ${min}`,
): number {
  const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) invalidArgument(flag, text, expected);
  return n;
}

function parseRunsPerTurn(text: string): RunsPerTurn {
  return text === 'auto' ? text : parseInteger('--runs-per-turn', text, 1, 'an integer >= 1 or auto');
}

export function parsePath(text: string): BenchPath {
  if (!(benchPaths as readonly string[]).includes(text)) {
    invalidArgument('--path', text, `one of ${benchPaths.join(', ')}`);
  }
  return text as BenchPath;
}

function parseThreshold(text: string): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || x < 0 || x >= 1) {
    invalidArgument('--threshold', text, 'a number in [0, 1) such as 0.05 (5%)');
  }
  return x;
}

const runFlags = {
  preset: { type: 'string' },
  quick: { type: 'boolean' },
  backends: { type: 'string' },
  cells: { type: 'string' },
  layers: { type: 'string' },
  sizes: { type: 'string' },
  modes: { type: 'string' },
  path: { type: 'string' },
  repeats: { type: 'string' },
  'min-time': { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  matmul: { type: 'string' },
  threads: { type: 'string' },
  torch: { type: 'boolean' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const reportFlags = {
  markdown: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const compareFlags = {
  threshold: { type: 'string' },
  'fail-on-regression': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function parse<R>(fn: () => R): R {
  try {
    return fn();
  } catch (error) {
    // Node's messages name the flag ("Unknown option '--x'"); add where to look.
    throw new Error(`${(error as Error).message} (see --help)`);
  }
}

/** Defaults of `run` that a subcommand changes (`layers`). */
interface RunDefaults {
  readonly cells: string;
  readonly layers: string;
  readonly matmul: number;
}

const runDefaults: RunDefaults = { cells: 'all', layers: 'none', matmul: 1024 };
const layersDefaults: RunDefaults = { cells: 'none', layers: 'all', matmul: 0 };

function parseRun(args: readonly string[], defaults: RunDefaults = runDefaults): Command {
  const { values, positionals } = parse(() =>
    parseArgs({ args: [...args], options: runFlags, strict: true, allowPositionals: true }),
  );
  if (values.help) return { kind: 'help' };
  if (positionals.length > 0) {
    throw new Error(
      `unexpected argument ${JSON.stringify(positionals[0])}; expected flags only (commands: run, layers, compare, report, list)`,
    );
  }
  if (values.quick && values.preset !== undefined && values.preset !== 'quick') {
    throw new Error(`--quick: conflicts with --preset ${values.preset}`);
  }
  const presetName = values.quick ? 'quick' : (values.preset ?? 'default');
  if (!presetNames.includes(presetName as PresetName)) {
    invalidArgument('--preset', presetName, `one of ${presetNames.join(', ')}`);
  }
  const preset = presets[presetName as PresetName];
  const cellKeys = listBenchCells().map((c) => c.key);
  const config: RunConfig = {
    preset: presetName,
    backends: parseList('--backends', values.backends ?? 'all', backendNames),
    cells: parseList('--cells', values.cells ?? defaults.cells, cellKeys, true),
    sizes: values.sizes === undefined ? preset.sizes : parseSizes(values.sizes, '--sizes'),
    modes: parseList('--modes', values.modes ?? 'all', benchModes) as RunConfig['modes'],
    path: parsePath(values.path ?? 'fused'),
    repeats: values.repeats === undefined ? preset.repeats : parseInteger('--repeats', values.repeats, 1),
    minTimeMs:
      values['min-time'] === undefined ? defaultMinTimeMs : parseInteger('--min-time', values['min-time'], 0),
    warmup: values.warmup === undefined ? preset.warmup : parseInteger('--warmup', values.warmup, 1),
    seed: values.seed === undefined ? defaultSeed : parseInteger('--seed', values.seed, 0),
    matMulSize: values.matmul === undefined ? defaults.matmul : parseInteger('--matmul', values.matmul, 0),
    matMulRepeats: preset.matMulRepeats,
    layers: parseList('--layers', values.layers ?? defaults.layers, layerWorkloadNames, true),
    threads: values.threads === undefined ? 1 : parseInteger('--threads', values.threads, 1),
    torch: values.torch ?? false,
  };
  if (config.cells.length === 0 && config.layers!.length === 0) {
    throw new Error('--cells none and --layers none: nothing to run');
  }
  for (const [flag, value] of [
    ['--json', values.json],
    ['--markdown', values.markdown],
  ] as const) {
    if (value !== undefined && (value === '' || value.startsWith('--')))
      invalidArgument(flag, value, 'a path');
  }
  return { kind: 'run', config, json: values.json, markdown: values.markdown };
}

function parseCompare(args: readonly string[]): Command {
  const { values, positionals } = parse(() =>
    parseArgs({ args: [...args], options: compareFlags, strict: true, allowPositionals: true }),
  );
  if (values.help) return { kind: 'help' };
  if (positionals.length !== 2) {
    throw new Error(
      `compare: expected two result files (before and after), received ${positionals.length}: ${JSON.stringify(positionals)}`,
    );
  }
  return {
    kind: 'compare',
    before: positionals[0]!,
    after: positionals[1]!,
    threshold: values.threshold === undefined ? defaultCompareThreshold : parseThreshold(values.threshold),
    failOnRegression: values['fail-on-regression'] ?? false,
  };
}

function parseReport(args: readonly string[]): Command {
  const { values, positionals } = parse(() =>
    parseArgs({ args: [...args], options: reportFlags, strict: true, allowPositionals: true }),
  );
  if (values.help) return { kind: 'help' };
  if (positionals.length !== 1) {
    throw new Error(
      `report: expected one results file, received ${positionals.length}: ${JSON.stringify(positionals)}`,
    );
  }
  return { kind: 'report', file: positionals[0]!, markdown: values.markdown };
}

const pathsFlags = {
  preset: { type: 'string' },
  backends: { type: 'string' },
  cells: { type: 'string' },
  sizes: { type: 'string' },
  modes: { type: 'string' },
  repeats: { type: 'string' },
  'min-time': { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  'runs-per-turn': { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean' },
} as const;

function parsePaths(args: readonly string[]): Command {
  const { values, positionals } = parse(() =>
    parseArgs({ args: [...args], options: pathsFlags, strict: true, allowPositionals: true }),
  );
  if (values.help) return { kind: 'help' };
  if (positionals.length > 0) {
    throw new Error(`paths: unexpected argument ${JSON.stringify(positionals[0])}; expected flags only`);
  }
  const presetName = values.preset ?? 'quick';
  if (!presetNames.includes(presetName as PresetName)) {
    invalidArgument('--preset', presetName, `one of ${presetNames.join(', ')}`);
  }
  const preset = presets[presetName as PresetName];
  const config: PathsConfig = {
    backends: parseList('--backends', values.backends ?? 'cpu,wasm', backendNames),
    cells: parseList(
      '--cells',
      values.cells ?? 'all',
      listBenchCells().map((c) => c.key),
    ),
    sizes: values.sizes === undefined ? preset.sizes : parseSizes(values.sizes, '--sizes'),
    modes: parseList('--modes', values.modes ?? 'all', benchModes) as PathsConfig['modes'],
    repeats: values.repeats === undefined ? preset.repeats : parseInteger('--repeats', values.repeats, 1),
    minTimeMs:
      values['min-time'] === undefined ? defaultMinTimeMs : parseInteger('--min-time', values['min-time'], 0),
    warmup: values.warmup === undefined ? preset.warmup : parseInteger('--warmup', values.warmup, 0),
    seed: values.seed === undefined ? defaultSeed : parseInteger('--seed', values.seed, 0),
    runsPerTurn: parseRunsPerTurn(values['runs-per-turn'] ?? 'auto'),
  };
  if (values.json !== undefined && (values.json === '' || values.json.startsWith('--'))) {
    invalidArgument('--json', values.json, 'a path');
  }
  return { kind: 'paths', config, json: values.json };
}

const explainFlags = {
  backend: { type: 'string' },
  time: { type: 'string' },
  sizes: { type: 'string' },
  options: { type: 'string' },
  inference: { type: 'boolean' },
  'recurrent-dropout': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

function parseExplain(args: readonly string[]): Command {
  const { values, positionals } = parse(() =>
    parseArgs({ args: [...args], options: explainFlags, strict: true, allowPositionals: true }),
  );
  if (values.help) return { kind: 'help' };
  if (positionals.length !== 1) {
    throw new Error(
      `explain: expected one cell, received ${positionals.length}: ${JSON.stringify(positionals)}`,
    );
  }
  const cell = positionals[0]!;
  const cells = listBenchCells().map((c) => c.key);
  if (!cells.includes(cell)) invalidArgument('explain CELL', cell, `one of ${cells.join(', ')}`);
  const backend = values.backend ?? 'cpu';
  if (backend !== 'cpu' && backend !== 'wasm' && backend !== 'cuda') {
    invalidArgument('--backend', backend, 'cpu, wasm or cuda');
  }
  if (values.time !== undefined && backend !== 'cuda') {
    invalidArgument(
      '--time',
      values.time,
      'no value without --backend cuda (only the CUDA programs hold the length)',
    );
  }
  const time = values.time === undefined ? 3 : parseInteger('--time', values.time, 1);
  const recurrentMask = values['recurrent-dropout'] === true;
  if (recurrentMask && backend === 'cuda') {
    invalidArgument(
      '--recurrent-dropout',
      true,
      'no flag with --backend cuda (its programs are shown without a mask)',
    );
  }
  if (
    recurrentMask &&
    resolveCell(benchCell(cell, 'explain CELL').cellName).supportsRecurrentDropout !== true
  ) {
    invalidArgument('--recurrent-dropout', true, `no flag for ${cell}, which has no recurrent dropout`);
  }
  const sizeText = values.sizes ?? '2x3x4';
  const numbers = sizeText.split('x').map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (numbers.length !== 3 || !numbers.every((n) => Number.isSafeInteger(n) && n > 0)) {
    invalidArgument(
      '--sizes',
      sizeText,
      'batch x input x units as three positive integers joined by "x", e.g. 2x3x4',
    );
  }
  let options: Record<string, unknown> | undefined;
  if (values.options !== undefined) {
    try {
      options = JSON.parse(values.options) as Record<string, unknown>;
    } catch {
      invalidArgument('--options', values.options, 'a JSON object such as {"activation":"relu"}');
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      invalidArgument('--options', values.options, 'a JSON object such as {"activation":"relu"}');
    }
  }
  const [batch, inputSize, units] = numbers as [number, number, number];
  return {
    kind: 'explain',
    cell,
    backend,
    sizes: { batch, inputSize, units },
    time,
    options,
    training: values.inference !== true,
    recurrentMask,
  };
}

export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === 'explain') return parseExplain(rest);
  if (first === 'paths') return parsePaths(rest);
  if (first === 'compare') return parseCompare(rest);
  if (first === 'report') return parseReport(rest);
  if (first === 'list') {
    if (rest.length > 0) throw new Error(`list: expected no arguments, received ${JSON.stringify(rest)}`);
    return { kind: 'list' };
  }
  if (first === 'help') return { kind: 'help' };
  if (first === 'layers') return parseRun(rest, layersDefaults);
  return parseRun(first === 'run' ? rest : argv);
}
