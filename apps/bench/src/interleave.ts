/**
 * Timing several contenders in turns (A, B, A, B, ...) rather than one after the other, so that a burst of load
 * from other processes on a shared machine hits all of them alike.
 */
import { summarize } from './stats.js';
import type { Timing, TimingOptions } from './timing.js';

export interface InterleaveOptions extends TimingOptions {
  /**
   * Called after every run of contender `index`, outside the timed region: to count tensors, sample memory or
   * show progress. `timed` is false for warm-up runs.
   */
  readonly afterRun?: (index: number, timed: boolean) => void;
}

export function timeInterleaved(runs: readonly (() => void)[], options: InterleaveOptions): Timing[] {
  const { warmup, repeats, afterRun } = options;
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new Error(`warmup: expected an integer >= 0, received ${warmup}`);
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new Error(`repeats: expected an integer >= 1, received ${repeats}`);
  const now = options.now ?? (() => performance.now());
  for (let i = 0; i < warmup; i++) {
    runs.forEach((run, k) => {
      run();
      afterRun?.(k, false);
    });
  }
  const samples = runs.map(() => [] as number[]);
  for (let i = 0; i < repeats; i++) {
    runs.forEach((run, k) => {
      const start = now();
      run();
      samples[k]!.push(now() - start);
      afterRun?.(k, true);
    });
  }
  return samples.map((s) => ({ samples: s, summary: summarize(s) }));
}
