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
