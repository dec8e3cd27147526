/**
 * The robustness suite's harness (not exported): a bad-input case is a call that must fail, and `classify` runs it
 * and says how it failed, as the issue that asked for the suite defines it:
 * - `clear error`: a `SeqmodelError` whose message names the argument and says what was received or expected
 *   (`received ...`, `expected ...`, or the names it knows: `known options: ...`, `registered: ...`);
 * - `unclear error`: a `SeqmodelError` that does not;
 * - `crash`: any other error (a `TypeError` from deep inside, say);
 * - `silent`: no error at all;
 * - `leak`: tensors are left behind (checked whatever the outcome);
 * - `changed`: the model no longer predicts exactly as before (checked whatever the outcome).
 */
import { type Backend, SeqmodelError } from '@seqmodel/core';

export type Outcome = 'clear error' | 'unclear error' | 'crash' | 'silent' | 'leak' | 'changed';

export interface BadInputCase {
  /** What is called with what, e.g. `fit options { batch_size: 8 }`. */
  readonly name: string;
  /** What a clear message names: the argument (`batch_size`, `fit y`), as a string or a pattern. */
  readonly names: string | RegExp;
  /** The call; it may return a promise (`fit`, `evaluate`), which is awaited. */
  readonly call: () => unknown;
}

/** The state a failed call must leave alone: the backend's tensor count and what the model predicts. */
export interface Witness {
  readonly backend: Backend<unknown>;
  /** Reads what must not change (a prediction on a fixed input, a stream's next output, carried states). */
  readonly observe: () => number[];
}

export interface Classified {
  readonly outcome: Outcome;
  readonly detail: string;
}

const SAYS_WHAT = /\b(?:received|expected|known [a-z ]+:|registered:|the hooks are)/;

function mentions(message: string, names: string | RegExp): boolean {
  return typeof names === 'string' ? message.includes(names) : names.test(message);
}

/** Runs `c` and classifies what happened (see the module comment). */
export async function classify(c: BadInputCase, witness: Witness): Promise<Classified> {
  const before = witness.observe();
  const tensors = witness.backend.memory().numTensors;
  let outcome: Outcome;
  let detail: string;
  try {
    await c.call();
    outcome = 'silent';
    detail = 'no error';
  } catch (error) {
    detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!(error instanceof SeqmodelError)) outcome = 'crash';
    else if (mentions(error.message, c.names) && SAYS_WHAT.test(error.message)) outcome = 'clear error';
    else outcome = 'unclear error';
  }
  const leaked = witness.backend.memory().numTensors - tensors;
  if (leaked !== 0) return { outcome: 'leak', detail: `${leaked} tensors left behind; ${detail}` };
  const after = witness.observe();
  if (after.length !== before.length || after.some((v, i) => !Object.is(v, before[i]))) {
    return { outcome: 'changed', detail: `the model predicts differently afterwards; ${detail}` };
  }
  return { outcome, detail };
}

/** Counts of each outcome, for the suite's summary. */
export function tally(results: readonly Classified[]): Partial<Record<Outcome, number>> {
  const counts: Partial<Record<Outcome, number>> = {};
  for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  return counts;
}
