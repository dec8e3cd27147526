/** Timing a synchronous piece of work: warm-up runs first, then one sample per run, in milliseconds. */
import { type Timing, type TimingOptions, timeInterleaved } from './interleave.js';

/** Times `run` (which must return only when its result is computed, e.g. after reading it back). */
export function time(run: () => void, options: TimingOptions): Timing {
  return timeInterleaved([run], options)[0]!;
}
