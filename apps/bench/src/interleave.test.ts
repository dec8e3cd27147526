import { expect, it } from 'vitest';
import { timeInterleaved } from './interleave.js';

it('alternates the contenders, keeps their samples apart and reports every run outside the timed region', () => {
  let clock = 0;
  const order: string[] = [];
  const run = (name: string, ms: number) => () => {
    order.push(name);
    clock += ms;
  };
  const after: string[] = [];
  const [a, b] = timeInterleaved([run('a', 2), run('b', 10)], {
    warmup: 1,
    repeats: 2,
    now: () => clock,
    afterRun: (k, timed) => {
      after.push(`${k}${timed ? 't' : 'w'}`);
      clock += 1000; // time spent here is not measured
    },
  });
  expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  expect(a!.samples).toEqual([2, 2]);
  expect(b!.samples).toEqual([10, 10]);
  expect(after).toEqual(['0w', '1w', '0t', '1t', '0t', '1t']);
});
