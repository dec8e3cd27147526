/**
 * The robustness suite's rule and classifier, shared by every package's suite: a call with a bad argument must fail
 * with a clear error and leave everything as it was. Each case is classified as
 *
 * - `clear error`: it threw a `SeqmodelError` whose message names the argument and says what was received or
 *   expected (`batchSize: expected a positive integer, received 0`; `unknown option "batch_size"` quotes what was
 *   received), left no tensor behind and changed nothing it was asked to watch;
 * - `silent`: it returned (or resolved) as if the argument were fine;
 * - `unclear error`: it threw a `SeqmodelError` whose message does not name the argument, or does not say what was
 *   received or expected (or misses a text the case asks for);
 * - `crash`: it threw something that is not a `SeqmodelError` (a `TypeError` from deep inside), or it did not
 *   settle in time;
 * - `leak`: it failed clearly but left tensors behind (`liveTensors` counts them);
 * - `changed`: it failed clearly but what the case watches (`observe`: a model's prediction, carried states, the
 *   files of a model directory) is no longer exactly as before.
 */
import { SeqmodelError } from '../errors.js';
import type { ConformanceCheck } from './cell-conformance.js';

export type RobustnessOutcome = 'clear error' | 'silent' | 'unclear error' | 'crash' | 'leak' | 'changed';

/** Every outcome, in the order totals list them. */
export const ROBUSTNESS_OUTCOMES: readonly RobustnessOutcome[] = [
  'clear error',
  'silent',
  'unclear error',
  'crash',
  'leak',
  'changed',
];

export interface RobustnessCase {
  /** The public entry point, e.g. `batches`, `fit` or `createCpuBackend`. */
  readonly entry: string;
  /** What the message must name, e.g. `batchSize`: a substring of the message, or a pattern it matches. */
  readonly argument: string | RegExp;
  /** The bad value or situation, in words, e.g. `0` or `a string`. */
  readonly received: string;
  /** Makes the call (may return a promise; an iterable result is consumed, so that generators run). */
  readonly call: () => unknown;
  /** Further texts the message must contain, where a case pins down more than the argument (a field's path). */
  readonly says?: readonly string[];
  /**
   * Reads what the failed call must leave alone (a prediction on a fixed input, carried states, the bytes of a
   * directory), once before and once after the call; the two readings must be equal value by value (`Object.is`).
   */
  readonly observe?: () => readonly unknown[] | Promise<readonly unknown[]>;
}

export interface RobustnessResult {
  readonly outcome: RobustnessOutcome;
  /** The error's type and message, the value returned (`silent`), the tensors left (`leak`) or what changed. */
  readonly detail: string;
}

export interface ClassifyOptions {
  /** Counts live tensors (a backend's `memory().numTensors`); without it leaks are not checked. */
  readonly liveTensors?: () => number;
  /** A call that has not settled after this many milliseconds is a `crash` (it hangs, or reads without end). */
  readonly timeoutMs?: number;
}

/**
 * What a message must say besides the argument: what was received or expected, in those words, or by quoting the
 * unknown name it received (`unknown option "batch_size"`, `unknown loss "mse2"`).
 */
const SAYS_WHAT = /\b(?:expected|received)\b|\bunknown [a-z][a-z ]* "/;

/**
 * Whether `message` meets the rule for `argument`: names it and says what was received or expected (`unknown
 * option "x"` names what was received; such messages list the known names too).
 */
export function isClearMessage(message: string, argument: string | RegExp): boolean {
  const named = typeof argument === 'string' ? message.includes(argument) : argument.test(message);
  return named && SAYS_WHAT.test(message);
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

const HUNG = Symbol('hung');

async function settle(c: RobustnessCase, timeoutMs: number | undefined): Promise<unknown> {
  if (timeoutMs === undefined) return consume(c.call());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<typeof HUNG>((resolve) => {
    timer = setTimeout(() => resolve(HUNG), timeoutMs);
  });
  // The call starts inside a promise so that a synchronous throw still counts as the call's; a call that loses the
  // race may still reject later, which is not an unhandled rejection of the suite.
  const running = Promise.resolve().then(() => consume(c.call()));
  running.catch(() => {});
  try {
    return await Promise.race([running, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first position where two readings differ, in words, or `undefined` when they are equal. */
function difference(before: readonly unknown[], after: readonly unknown[]): string | undefined {
  if (before.length !== after.length) return `${before.length} values before, ${after.length} after`;
  const i = before.findIndex((v, k) => !Object.is(v, after[k]));
  return i < 0
    ? undefined
    : `value ${i} was ${String(before[i]).slice(0, 40)}, is ${String(after[i]).slice(0, 40)}`;
}

/** Runs one case and classifies it (see the module comment). */
export async function classifyCase(
  c: RobustnessCase,
  options: ClassifyOptions = {},
): Promise<RobustnessResult> {
  const observedBefore = await c.observe?.();
  const before = options.liveTensors?.();
  let error: unknown;
  let returned: unknown;
  let threw = false;
  try {
    returned = await settle(c, options.timeoutMs);
  } catch (e) {
    threw = true;
    error = e;
  }
  if (returned === HUNG) return { outcome: 'crash', detail: `did not settle within ${options.timeoutMs} ms` };
  const leaked = before === undefined ? 0 : options.liveTensors!() - before;
  if (!threw) return { outcome: 'silent', detail: describeReturn(returned) };
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof Error ? error.constructor.name : typeof error;
  if (!(error instanceof SeqmodelError)) return { outcome: 'crash', detail: `${kind}: ${message}` };
  if (!isClearMessage(message, c.argument)) {
    return {
      outcome: 'unclear error',
      detail: `${kind} that does not name ${String(c.argument)} and say what was received or expected: ${message}`,
    };
  }
  const missing = c.says?.filter((text) => !message.includes(text)) ?? [];
  if (missing.length > 0) {
    return {
      outcome: 'unclear error',
      detail: `${kind} that does not say ${JSON.stringify(missing)}: ${message}`,
    };
  }
  if (leaked !== 0) return { outcome: 'leak', detail: `${leaked} tensor(s) left; ${message}` };
  if (observedBefore !== undefined) {
    const changed = difference(observedBefore, (await c.observe!()) ?? []);
    if (changed !== undefined) return { outcome: 'changed', detail: `${changed}; ${message}` };
  }
  return { outcome: 'clear error', detail: message };
}

/** Counts of each outcome, in a fixed order. */
export function tallyOutcomes(results: readonly RobustnessResult[]): Record<RobustnessOutcome, number> {
  const counts = Object.fromEntries(ROBUSTNESS_OUTCOMES.map((o) => [o, 0])) as Record<
    RobustnessOutcome,
    number
  >;
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/**
 * A suite's totals on one line, every outcome listed even at 0:
 * `layers: 376 cases: 376 clear error, 0 silent, 0 unclear error, 0 crash, 0 leak, 0 changed`.
 */
export function robustnessTotals(suite: string, results: readonly RobustnessResult[]): string {
  const tally = tallyOutcomes(results);
  return `${suite}: ${results.length} cases: ${ROBUSTNESS_OUTCOMES.map((o) => `${tally[o]} ${o}`).join(', ')}`;
}

export interface RobustnessSuiteOptions extends ClassifyOptions {
  /** The suite's name in its totals line, e.g. `@seqmodel/datasets`. */
  readonly suite: string;
  /** The fewest cases the suite promises (1 unless given). */
  readonly minimum?: number;
  /** Where the totals line goes (`console.log` unless given). */
  readonly report?: (line: string) => void;
}

/**
 * Classifies `cases` one after another (leak counts need them apart) and returns the checks of a robustness suite:
 * one per case, passing when it is a clear error, and a last one, `totals`, that reports the suite's totals line
 * (`robustnessTotals`) and asks for at least `minimum` cases, every one a clear error. Plain objects, for any test
 * runner (`for (const c of checks) it(c.name, c.run)`).
 */
export async function robustnessChecks(
  cases: readonly RobustnessCase[],
  options: RobustnessSuiteOptions,
): Promise<ConformanceCheck[]> {
  const minimum = options.minimum ?? 1;
  const results: RobustnessResult[] = [];
  for (const c of cases) results.push(await classifyCase(c, options));
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
    name: `totals: at least ${minimum} cases, every one a clear error`,
    run: () => {
      const line = robustnessTotals(options.suite, results);
      (options.report ?? console.log)(`robustness ${line}`);
      if (cases.length < minimum || tallyOutcomes(results)['clear error'] !== cases.length) {
        throw new SeqmodelError(
          `robustness suite ${options.suite}: expected at least ${minimum} cases, all clear errors, received ${line}`,
        );
      }
    },
  });
  return checks;
}
