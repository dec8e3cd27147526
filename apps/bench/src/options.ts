/**
 * The command line: `seqmodel-bench [run] [flags]`, `seqmodel-bench compare A.json B.json [flags]`,
 * `seqmodel-bench list`. Every bad flag or value gets an error naming the flag, the value received and what is
 * allowed.
 */
import { parseArgs } from 'node:util';
import { invalidArgument } from '@seqmodel/core';
import { type BenchPath, backendNames, benchPaths } from './backends.js';
import { listBenchCells } from './cells.js';
import { defaultCompareThreshold } from './compare.js';
import { benchModes } from './run-case.js';
import type { RunConfig } from './runner.js';
import { type PresetName, parseSizes, presetNames, presets } from './sizes.js';
import { defaultSeed } from './weights.js';

/** Fast cases are timed until each contender's runs add up to this many milliseconds (`--min-time`). */
export const defaultMinTimeMs = 100;

export const usage = `usage: seqmodel-bench [run] [options]      time cells x backends x sizes x modes against tfjs-layers
       seqmodel-bench compare A.json B.json    flag regressions and improvements from A to B
       seqmodel-bench report FILE.json [--markdown DIR]   print (and write) the report of a results file
       seqmodel-bench list                     cells and backends (with availability)

run options:
  --preset quick|default|large   sizes, repeats and warm-up (default: default)
                                   quick:   8x16x8x32,16x32x16x64; 5 repeats, 2 warm-ups (under 2 minutes on 2 cores)
                                   default: 16x32x16x64,32x64x32x128,64x100x64x256; 5 repeats, 2 warm-ups
                                   large:   64x100x64x256,128x100x128x512,128x200x256x1024; 3 repeats, 1 warm-up
  --backends LIST                ${backendNames.join(',')} (default: all; those that cannot run here are skipped)
  --cells LIST                   simpleRNN,lstm,gru,gruResetAfter and registered plugins such as mgu (default: all)
  --sizes BxTxIxU,...            batch x time x input x units, replacing the preset's sizes
  --modes forward,train          (default: both)
  --path fused|compiled|generic  fused: the backend's fused kernels (hand-written where it has one, else compiled
                                 from the cell's step); compiled: the compiled kernels for every cell; generic: core's
                                 generic scanCell loop for every cell (default: fused). Each case records the kernel
                                 that ran.
  --repeats N                    timed runs per contender and mode, at least (N >= 1)
  --min-time MS                  more timed runs (up to 100) for fast cases, until each contender's add up to MS
                                 milliseconds; 0 runs exactly --repeats (default: ${defaultMinTimeMs})
  --warmup N                     warm-up runs (N >= 1; the first is the correctness check)
  --seed N                       seed of weights and data (default: ${defaultSeed})
  --matmul N                     size n of the [n, n]x[n, n] matMul ceiling, 0 to skip (default: 1024)
  --json FILE                    write the results as JSON (schema version 1)
  --markdown DIR                 write a Markdown report with SVG charts (and results.json) to DIR

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
  | {
      readonly kind: 'compare';
      readonly before: string;
      readonly after: string;
      readonly threshold: number;
      readonly failOnRegression: boolean;
    };

/** A comma-separated list of allowed values, duplicates dropped; `all` stands for every allowed value. */
export function parseList(flag: string, text: string, allowed: readonly string[]): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 1 && items[0] === 'all') return [...allowed];
  const bad = items.filter((i) => i !== '' && !allowed.includes(i));
  if (bad.length > 0 || items.some((i) => i === '')) {
    const what =
      bad.length > 0 ? `unknown ${bad.map((b) => JSON.stringify(b)).join(', ')} in` : 'an empty item in';
    throw new Error(
      `${flag}: ${what} ${JSON.stringify(text)}; expected a comma-separated list of ${allowed.join(', ')} (or all)`,
    );
  }
  return [...new Set(items)];
}

export function parseInteger(flag: string, text: string, min: number): number {
  const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) invalidArgument(flag, text, `an integer >= ${min}`);
  return n;
}

function parsePath(text: string): BenchPath {
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
  sizes: { type: 'string' },
  modes: { type: 'string' },
  path: { type: 'string' },
  repeats: { type: 'string' },
  'min-time': { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  matmul: { type: 'string' },
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

function parseRun(args: readonly string[]): Command {
  const { values, positionals } = parse(() =>
    parseArgs({ args: [...args], options: runFlags, strict: true, allowPositionals: true }),
  );
  if (values.help) return { kind: 'help' };
  if (positionals.length > 0) {
    throw new Error(
      `unexpected argument ${JSON.stringify(positionals[0])}; expected flags only (commands: run, compare, report, list)`,
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
    cells: parseList('--cells', values.cells ?? 'all', cellKeys),
    sizes: values.sizes === undefined ? preset.sizes : parseSizes(values.sizes, '--sizes'),
    modes: parseList('--modes', values.modes ?? 'all', benchModes) as RunConfig['modes'],
    path: parsePath(values.path ?? 'fused'),
    repeats: values.repeats === undefined ? preset.repeats : parseInteger('--repeats', values.repeats, 1),
    minTimeMs:
      values['min-time'] === undefined ? defaultMinTimeMs : parseInteger('--min-time', values['min-time'], 0),
    warmup: values.warmup === undefined ? preset.warmup : parseInteger('--warmup', values.warmup, 1),
    seed: values.seed === undefined ? defaultSeed : parseInteger('--seed', values.seed, 0),
    matMulSize: values.matmul === undefined ? 1024 : parseInteger('--matmul', values.matmul, 0),
    matMulRepeats: preset.matMulRepeats,
  };
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

export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === 'compare') return parseCompare(rest);
  if (first === 'report') return parseReport(rest);
  if (first === 'list') {
    if (rest.length > 0) throw new Error(`list: expected no arguments, received ${JSON.stringify(rest)}`);
    return { kind: 'list' };
  }
  if (first === 'help') return { kind: 'help' };
  return parseRun(first === 'run' ? rest : argv);
}
