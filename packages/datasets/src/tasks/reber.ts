/**
 * The embedded Reber grammar (Reber 1967; Hochreiter & Schmidhuber 1997): strings `B T <reber> T E` or
 * `B P <reber> P E`, where `<reber>` is a string of the Reber grammar. Predicting the next symbol is easy except
 * at the second-to-last step, which must repeat the second symbol: a memory test across the inner string.
 */
import { createRng, invalidArgument, optionKeys, type Rng } from '@seqmodel/core';
import { padResolved, resolvePadOptions } from '../transforms/pad.js';
import { checkCommon, type Seed, type SyntheticTask } from './task.js';

/** The seven symbols; a symbol's token id is its index here plus 1 (0 is padding). */
export const REBER_SYMBOLS = ['B', 'T', 'P', 'S', 'X', 'V', 'E'] as const;
export type ReberSymbol = (typeof REBER_SYMBOLS)[number];

/** Inner Reber grammar: state -> the two (symbol, next state) choices, taken with equal probability. */
const INNER: Record<number, readonly [ReberSymbol, number][]> = {
  1: [
    ['T', 2],
    ['P', 3],
  ],
  2: [
    ['S', 2],
    ['X', 4],
  ],
  3: [
    ['T', 3],
    ['V', 5],
  ],
  4: [
    ['X', 3],
    ['S', 6],
  ],
  5: [
    ['P', 4],
    ['V', 6],
  ],
};

/** One string of the (inner) Reber grammar, `B … E`. */
export function reberString(rng: Rng): string {
  let s = 'B';
  let state = 1;
  while (state !== 6) {
    const [symbol, next] = INNER[state]![rng.int(2)]!;
    s += symbol;
    state = next;
  }
  return `${s}E`;
}

/** One string of the embedded Reber grammar. */
export function embeddedReberString(rng: Rng): string {
  const c = rng.int(2) === 0 ? 'T' : 'P';
  return `B${c}${reberString(rng)}${c}E`;
}

/**
 * The set of symbols that may follow each prefix of an embedded Reber string: entry `t` lists the legal symbols
 * after `s[0..t]`. Throws if `s` is not in the grammar.
 */
export function embeddedReberNextSymbols(s: string): ReberSymbol[][] {
  const fail = (at: number): never =>
    invalidArgument('s', s, `an embedded Reber string (symbol ${at} breaks the grammar)`);
  const out: ReberSymbol[][] = [];
  if (s[0] !== 'B') fail(0);
  out.push(['T', 'P']);
  const c = s[1];
  if (c !== 'T' && c !== 'P') fail(1);
  out.push(['B']);
  if (s[2] !== 'B') fail(2);
  let state = 1;
  let t = 3;
  out.push(['T', 'P']);
  for (; state !== 6; t++) {
    const choice = INNER[state]!.find(([symbol]) => symbol === s[t]);
    if (!choice) fail(t);
    state = choice![1];
    out.push(state === 6 ? ['E'] : INNER[state]!.map(([symbol]) => symbol));
  }
  if (s[t] !== 'E') fail(t);
  out.push([c as ReberSymbol]);
  if (s[t + 1] !== c) fail(t + 1);
  out.push(['E']);
  if (s[t + 2] !== 'E') fail(t + 2);
  out.push([]);
  if (s.length !== t + 3) fail(t + 3);
  return out;
}

export interface EmbeddedReberOptions {
  /** Number of strings (default 1000). */
  numSamples?: number;
  /** Strings longer than this are redrawn (default: no limit). At least 9, the shortest string. */
  maxLength?: number;
  seed?: Seed;
}

/** The embedded Reber task; `strings` holds the generated strings. */
export interface EmbeddedReberTask extends SyntheticTask {
  readonly strings: readonly string[];
}

const embeddedReberTaskKeys = optionKeys<EmbeddedReberOptions>({
  numSamples: true,
  maxLength: true,
  seed: true,
});

/**
 * Next-symbol prediction on the embedded Reber grammar. For a string of length `m`, the inputs are its first
 * `m − 1` symbols and the target at step t is the set of symbols that may follow `s[0..t]`. Sequences are
 * post-padded to the longest input.
 *
 * - inputs: `[numSamples, maxSteps]` int32 ids (`B T P S X V E` are 1 … 7, 0 is padding), with `mask` and
 *   `lengths`.
 * - targets: `[numSamples, maxSteps, 7]` float32 multi-hot legal successors (columns in `REBER_SYMBOLS` order).
 *
 * A step counts as right when the symbols with the k highest outputs are exactly the k legal ones. Baseline: a
 * perfect model of the inner grammar with no memory of the second symbol gets the second-to-last step right half
 * the time, so at most 50% of the strings entirely right.
 */
export function embeddedReberTask(options: EmbeddedReberOptions = {}): EmbeddedReberTask {
  const { numSamples, seed } = checkCommon('embeddedReberTask', options, embeddedReberTaskKeys, 1000);
  const maxLength = options.maxLength ?? Number.POSITIVE_INFINITY;
  if (options.maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 9)) {
    invalidArgument('maxLength', maxLength, 'an integer >= 9 (the shortest string)');
  }
  const rng = createRng(seed);
  const strings: string[] = [];
  while (strings.length < numSamples) {
    const s = embeddedReberString(rng);
    if (s.length <= maxLength) strings.push(s);
  }
  const ids = strings.map((s) =>
    Array.from(s.slice(0, -1), (ch) => REBER_SYMBOLS.indexOf(ch as ReberSymbol) + 1),
  );
  const padded = padResolved(ids, resolvePadOptions({ padding: 'post', dtype: 'int32' }, 'post'), 'strings');
  const steps = padded.values.shape[1]!;
  const targets = new Float32Array(numSamples * steps * 7);
  strings.forEach((s, i) => {
    const next = embeddedReberNextSymbols(s);
    for (let t = 0; t < s.length - 1; t++) {
      for (const symbol of next[t]!) targets[(i * steps + t) * 7 + REBER_SYMBOLS.indexOf(symbol)] = 1;
    }
  });
  return {
    inputs: padded.values,
    targets: { data: targets, shape: [numSamples, steps, 7] },
    mask: padded.mask,
    lengths: padded.lengths,
    strings,
    info: {
      name: 'embedded-reber',
      inputShape: '[numSamples, maxSteps] (int32 ids: B T P S X V E = 1..7, 0 = padding)',
      targetShape: '[numSamples, maxSteps, 7] (multi-hot legal next symbols)',
      description:
        'Predict the legal next symbols of embedded Reber strings; the second-to-last needs memory.',
      numClasses: 7,
      inputVocabularySize: 8,
      baselines: [
        {
          strategy: 'perfect inner grammar, no memory of the second symbol (whole strings right)',
          metric: 'accuracy',
          value: 0.5,
          analytic: true,
        },
      ],
    },
  };
}
