/** The command line of `seqmodel-bench attention`: which backends and cases, timing and outputs. */
import { parseArgs } from 'node:util';
import { invalidArgument } from '@seqmodel/core';
import { type BenchPath, backendNames } from '../backends.js';
import { defaultMinTimeMs, parseInteger, parseList, parsePath } from '../options.js';
import { defaultSeed } from '../weights.js';
import { attentionCaseNames, defaultAttentionCases } from './cases.js';

export const attentionUsage = `usage: seqmodel-bench attention [options]   time attention: seqmodel's fused kernel against plain tfjs ops

  Cases: sdpa-4096 (scaled dot-product attention forward at 1x4096x8x64, batch x time x heads x depth: the
  memory case, plain tfjs skipped), sdpa-512 (attention alone at 1x512x8x64), mha-128, mha-256, mha-512 (a
  multi-head self-attention layer at 4x128x4x32, 2x256x8x32, 1x512x8x64) and mha-16 (2x16x2x8, for smoke tests);
  each sdpa-512 and mha case without and with a causal mask, forward and training step.

options:
  --backends LIST      ${backendNames.join(',')} (default: all; those that cannot run here are skipped)
  --attention LIST     ${attentionCaseNames.join(',')} or all (default: ${defaultAttentionCases.join(',')})
  --path fused|generic seqmodel's fused attention kernel (registered for cpu and wasm) or the generic path
                       (default: fused)
  --repeats N          timed runs per contender and mode, at least (default: 3)
  --min-time MS        more timed runs (up to 100) for fast cases (default: ${defaultMinTimeMs})
  --warmup N           warm-up runs (N >= 1; the first is the correctness check; default: 1)
  --seed N             seed of weights and data (default: ${defaultSeed})
  --json FILE          write the results as JSON (schema version 1, attentionCases)
  --markdown DIR       write the Markdown report with SVG charts (and results.json) to DIR
  --help               this text`;

export interface AttentionRunConfig {
  readonly backends: readonly string[];
  readonly cases: readonly string[];
  readonly path: BenchPath;
  readonly repeats: number;
  readonly minTimeMs: number;
  readonly warmup: number;
  readonly seed: number;
}

export type AttentionCommand =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'attention';
      readonly config: AttentionRunConfig;
      readonly json: string | undefined;
      readonly markdown: string | undefined;
    };

const flags = {
  backends: { type: 'string' },
  attention: { type: 'string' },
  path: { type: 'string' },
  repeats: { type: 'string' },
  'min-time': { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'string' },
  markdown: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** `args`: what follows `attention` on the command line. */
export function parseAttentionCommand(args: readonly string[]): AttentionCommand {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof flags; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: true });
  } catch (error) {
    throw new Error(`attention: ${(error as Error).message} (see attention --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (positionals.length > 0) {
    throw new Error(`attention: unexpected argument ${JSON.stringify(positionals[0])}; expected flags only`);
  }
  for (const [flag, value] of [
    ['--json', values.json],
    ['--markdown', values.markdown],
  ] as const) {
    if (value !== undefined && (value === '' || value.startsWith('--')))
      invalidArgument(flag, value, 'a path');
  }
  return {
    kind: 'attention',
    config: {
      backends: parseList('--backends', values.backends ?? 'all', backendNames),
      cases: parseList(
        '--attention',
        values.attention ?? defaultAttentionCases.join(','),
        attentionCaseNames,
      ),
      path: parsePath(values.path ?? 'fused'),
      repeats: values.repeats === undefined ? 3 : parseInteger('--repeats', values.repeats, 1),
      minTimeMs:
        values['min-time'] === undefined
          ? defaultMinTimeMs
          : parseInteger('--min-time', values['min-time'], 0),
      warmup: values.warmup === undefined ? 1 : parseInteger('--warmup', values.warmup, 1),
      seed: values.seed === undefined ? defaultSeed : parseInteger('--seed', values.seed, 0),
    },
    json: values.json,
    markdown: values.markdown,
  };
}
