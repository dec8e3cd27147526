/**
 * The robustness suite's rule, shared by every package's suite: a call with a bad argument must fail with a clear
 * error. Each case is classified as
 *
 * - `clear error`: it threw a `SeqmodelError` whose message names the argument and says what was received or
 *   expected (`batchSize: expected a positive integer, received 0`), and left no tensor behind;
 * - `silent`: it returned (or resolved) as if the argument were fine;
 * - `crash`: it threw something else: a `TypeError` from deep inside, or an error that does not name the argument
 *   or say what was received or expected;
 * - `leak`: it failed clearly but left tensors behind (`liveTensors` counts them).
 */
import { SeqmodelError } from '../errors.js';
import type { ConformanceCheck } from './cell-conformance.js';

export type RobustnessOutcome = 'clear error' | 'silent' | 'crash' | 'leak';

export interface RobustnessCase {
  /** The public entry point, e.g. `batches` or `createCpuBackend`. */
  readonly entry: string;
  /** What the message must name, e.g. `batchSize` (a substring of the message). */
  readonly argument: string;
  /** The bad value or situation, in words, e.g. `0` or `a string`. */
  readonly received: string;
  /** Makes the call (may return a promise; an iterable result is consumed, so that generators run). */
  readonly call: () => unknown;
}

export interface RobustnessResult {
  readonly outcome: RobustnessOutcome;
  /** The error's type and message, the value returned (`silent`), or the tensors left (`leak`). */
  readonly detail: string;
}

/**
 * Whether `message` meets the rule for `argument`: names it and says what was received or expected (`unknown
 * option "x"` names what was received, and lists the known options).
 */
export function isClearMessage(message: string, argument: string): boolean {
  return message.includes(argument) && /\b(expected|received|unknown option)\b/.test(message);
}

async function consume(value: unknown): Promise<unknown> {
  const resolved = await value;
  if (resolved !== null && typeof resolved === 'object') {
    if (Symbol.asyncIterator in resolved) {
      for await (const _ of resolved as AsyncIterable<unknown>) {
        // Drained for its errors.
      }
    } else if (Symbol.iterator in resolved && !ArrayBuffer.isView(resolved) && !Array.isArray(resolved)) {
      for (const _ of resolved as Iterable<unknown>) {
        // Drained for its errors.
      }
    }
  }
  return resolved;
}

function describeReturn(value: unknown): string {
  if (value === undefined) return 'returned undefined';
  if (Array.isArray(value)) return `returned an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `returned a ${value.constructor.name}`;
  return `returned ${typeof value === 'object' ? (value?.constructor?.name ?? 'an object') : String(value)}`;
}

/**
 * Runs one case and classifies it. `liveTensors`, when given, counts live tensors before and after (a backend's
 * `memory().numTensors`).
 */
export async function classifyCase(c: RobustnessCase, liveTensors?: () => number): Promise<RobustnessResult> {
  const before = liveTensors?.();
  let error: unknown;
  let returned: unknown;
  let threw = false;
  try {
    returned = await consume(c.call());
  } catch (e) {
    threw = true;
    error = e;
  }
  const leaked = before === undefined ? 0 : liveTensors!() - before;
  if (!threw) return { outcome: 'silent', detail: describeReturn(returned) };
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof Error ? error.constructor.name : typeof error;
  if (!(error instanceof SeqmodelError) || !isClearMessage(message, c.argument)) {
    return { outcome: 'crash', detail: `${kind}: ${message}` };
  }
  if (leaked !== 0) return { outcome: 'leak', detail: `${leaked} tensor(s) left; ${message}` };
  return { outcome: 'clear error', detail: message };
}

/** Counts of each outcome, in a fixed order. */
export function tallyOutcomes(results: readonly RobustnessResult[]): Record<RobustnessOutcome, number> {
  const counts: Record<RobustnessOutcome, number> = { 'clear error': 0, silent: 0, crash: 0, leak: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/**
 * Classifies `cases` one after another (leak counts need them apart) and returns the checks of a robustness suite:
 * one per case, passing when it is a clear error, and one that counts the outcomes and asks for at least `minimum`
 * cases. Plain objects, for any test runner (`for (const c of checks) it(c.name, c.run)`).
 */
export async function robustnessChecks(
  cases: readonly RobustnessCase[],
  options: { readonly liveTensors?: () => number; readonly minimum?: number } = {},
): Promise<ConformanceCheck[]> {
  const results: RobustnessResult[] = [];
  for (const c of cases) results.push(await classifyCase(c, options.liveTensors));
  const checks: ConformanceCheck[] = cases.map((c, i) => ({
    name: `${c.entry}: ${c.received}`,
    run: () => {
      const r = results[i]!;
      if (r.outcome !== 'clear error') {
        throw new SeqmodelError(
          `${c.entry} (${c.received}): expected a clear error, received ${r.outcome}: ${r.detail}`,
        );
      }
    },
  }));
  checks.push({
    name: `at least ${options.minimum ?? 1} cases, every one a clear error`,
    run: () => {
      const tally = tallyOutcomes(results);
      if (cases.length < (options.minimum ?? 1) || tally['clear error'] !== cases.length) {
        throw new SeqmodelError(
          `robustness suite: expected at least ${options.minimum ?? 1} cases, all clear errors, received ${cases.length}: ${JSON.stringify(tally)}`,
        );
      }
    },
  });
  return checks;
}
