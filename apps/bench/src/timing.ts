/** Timing a synchronous piece of work: warm-up runs first, then one sample per run, in milliseconds. */
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

/** Times `run` (which must return only when its result is computed, e.g. after reading it back). */
export function time(run: () => void, options: TimingOptions): Timing {
  const { warmup, repeats } = options;
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new Error(`warmup: expected an integer >= 0, received ${warmup}`);
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`repeats: expected an integer >= 1, received ${repeats}`);
  const now = options.now ?? (() => performance.now());
  for (let i = 0; i < warmup; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = now();
    run();
    samples.push(now() - start);
  }
  return { samples, summary: summarize(samples) };
}
