import { expect, it } from 'vitest';
import { time } from './timing.js';

it('warms up, then takes one sample per run from the clock', () => {
  let clock = 0;
  let runs = 0;
  const durations = [100, 100, 5, 7, 6];
  const timing = time(
    () => {
      clock += durations[runs++]!;
    },
    { warmup: 2, repeats: 3, now: () => clock },
  );
  expect(runs).toBe(5);
  expect(timing.samples).toEqual([5, 7, 6]);
  expect(timing.summary.median).toBe(6);
  expect(() => time(() => undefined, { warmup: -1, repeats: 1 })).toThrow('warmup: expected an integer >= 0');
  expect(() => time(() => undefined, { warmup: 0, repeats: 0 })).toThrow('repeats: expected an integer >= 1');
});
