/** Timing a synchronous piece of work: warm-up runs first, then one sample per run, in milliseconds. */
import { timeInterleaved } from './interleave.js';
import type { Summary } from './stats.js';

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
  return timeInterleaved([run], options)[0]!;
}
