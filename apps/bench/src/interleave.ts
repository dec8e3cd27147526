/**
 * Timing several contenders in turns (A, B, A, B, ...) rather than one after the other, so that a burst of load
 * from other processes on a shared machine hits all of them alike. Fast work gets more rounds: after `repeats`
 * rounds, rounds continue (up to `maxRepeats`) until every contender's timed runs (or the first
 * `minTimeContenders`') add up to `minTimeMs`, so that sub-millisecond cases get a median of many runs instead of a
 * few. With `runsPerTurn` above 1 each contender runs that many times in a row in its turn, a sample being their
 * mean: a short step timed right after another contender's run measured 17-28% slower (see the bench README).
 * `runsPerTurn: 'auto'` picks the count per contender from its warm-up runs, so that short steps run back to
 * back, as a training loop runs them, while long ones keep alternating run by run.
 */
import { type Summary, summarize } from './stats.js';

export interface TimingOptions {
  /** Runs before measuring (JIT, kernel setup, memory pools). */
  readonly warmup: number;
  /** Measured runs. */
  readonly repeats: number;
  /** The clock, in milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

export interface Timing {
  readonly samples: readonly number[];
  readonly summary: Summary;
}

export interface InterleaveOptions extends TimingOptions {
  /**
   * Keep timing until each contender's samples (see `minTimeContenders`) add up to this many milliseconds (default 0:
   * exactly `repeats`).
   */
  readonly minTimeMs?: number;
  /** The most rounds when `minTimeMs` asks for more than `repeats` (default 100, at least `repeats`). */
  readonly maxRepeats?: number;
  /**
   * How many contenders, from the first, must reach `minTimeMs` (default all): a fast reference timed in the same
   * turns (`bench paths`' harness) goes last and is left out, so that it does not multiply the rounds of the rest.
   */
  readonly minTimeContenders?: number;
  /**
   * Runs of a contender in a row in each of its turns, each timed on its own; a sample is their mean (default 1).
   * Warm-up rounds run each contender once. `'auto'`: for each contender, as many runs as fill
   * {@link autoTurnMs} at the pace of its fastest warm-up run (the first may include compiling its kernel), from 1
   * to {@link autoMaxRunsPerTurn} (1 without warm-up).
   */
  readonly runsPerTurn?: RunsPerTurn;
  /**
   * Called after every run of contender `index`, outside the timed region: to count tensors, sample memory or
   * show progress. `timed` is false for warm-up runs.
   */
  readonly afterRun?: (index: number, timed: boolean) => void;
}

/** Runs of a contender in a row in each turn: a count, or `'auto'` (see {@link InterleaveOptions.runsPerTurn}). */
export type RunsPerTurn = number | 'auto';

/**
 * With `runsPerTurn: 'auto'`, a contender's turn takes up to this many milliseconds: a switch between contenders
 * costs the next one a roughly fixed amount (cold caches, the other's garbage collected in its time), which a turn
 * this long spreads over runs of up to a few milliseconds, while steps over half of it keep alternating run by run.
 */
export const autoTurnMs = 50;
/** The most runs in a row with `runsPerTurn: 'auto'`. */
export const autoMaxRunsPerTurn = 10;

/**
 * The runs in a row that fill {@link autoTurnMs} at `runMs` a run, from 1 to {@link autoMaxRunsPerTurn}; 1 when
 * the pace is unknown (no warm-up run, or a clock that read NaN), the most for a run too short for the clock.
 */
export function autoRunsPerTurn(runMs: number | undefined): number {
  if (runMs === undefined || Number.isNaN(runMs)) return 1;
  if (runMs <= 0) return autoMaxRunsPerTurn;
  return Math.min(autoMaxRunsPerTurn, Math.max(1, Math.floor(autoTurnMs / runMs)));
}

/** How `runsPerTurn` runs the contenders, in words (for a report's header); '' for one run a turn. */
export function describeRunsPerTurn(runsPerTurn: RunsPerTurn | undefined, warmup: number): string {
  if (runsPerTurn === 'auto') {
    return warmup === 0
      ? '1 run a turn: no warm-up run to set the pace'
      : `each up to ${autoMaxRunsPerTurn} runs in a row, as many as fill ${autoTurnMs} ms at its fastest warm-up run`;
  }
  return (runsPerTurn ?? 1) > 1 ? `${runsPerTurn} runs in a row each` : '';
}

export function timeInterleaved(runs: readonly (() => void)[], options: InterleaveOptions): Timing[] {
  return timeInterleavedTurns(runs, options).timings;
}

/** {@link timeInterleaved}, also returning how many runs in a row each contender had in its turns. */
export function timeInterleavedTurns(
  runs: readonly (() => void)[],
  options: InterleaveOptions,
): { timings: Timing[]; runsPerTurn: number[] } {
  const { warmup, repeats, afterRun } = options;
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new Error(`warmup: expected an integer >= 0, received ${warmup}`);
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`repeats: expected an integer >= 1, received ${repeats}`);
  const counted = options.minTimeContenders;
  if (counted !== undefined && (!Number.isInteger(counted) || counted < 1 || counted > runs.length)) {
    throw new Error(`minTimeContenders: expected an integer from 1 to ${runs.length}, received ${counted}`);
  }
  const requested = options.runsPerTurn ?? 1;
  if (requested !== 'auto' && (!Number.isInteger(requested) || requested < 1)) {
    throw new Error(`runsPerTurn: expected an integer >= 1 or 'auto', received ${requested}`);
  }
  const now = options.now ?? (() => performance.now());
  // Warm-up runs are timed only to pick the 'auto' counts.
  const auto = requested === 'auto';
  const fastestWarmupMs: (number | undefined)[] = runs.map(() => undefined);
  for (let i = 0; i < warmup; i++) {
    runs.forEach((run, k) => {
      const start = auto ? now() : 0;
      run();
      if (auto) {
        // A NaN reading fails the comparison and is skipped.
        const ms = now() - start;
        if (ms < (fastestWarmupMs[k] ?? Number.POSITIVE_INFINITY)) fastestWarmupMs[k] = ms;
      }
      afterRun?.(k, false);
    });
  }
  const perTurn = runs.map((_, k) => (auto ? autoRunsPerTurn(fastestWarmupMs[k]) : requested));
  const samples = runs.map(() => [] as number[]);
  const totals = runs.map(() => 0);
  const minTime = options.minTimeMs ?? 0;
  const maxRepeats = Math.max(repeats, options.maxRepeats ?? 100);
  const enough = () => totals.every((t, k) => k >= (counted ?? runs.length) || t >= minTime);
  for (let i = 0; i < repeats || (i < maxRepeats && !enough()); i++) {
    runs.forEach((run, k) => {
      let sum = 0;
      for (let r = 0; r < perTurn[k]!; r++) {
        const start = now();
        run();
        sum += now() - start;
        afterRun?.(k, true);
      }
      samples[k]!.push(sum / perTurn[k]!);
      totals[k]! += sum;
    });
  }
  return { timings: samples.map((s) => ({ samples: s, summary: summarize(s) })), runsPerTurn: perTurn };
}
