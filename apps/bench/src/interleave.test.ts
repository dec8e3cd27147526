import { expect, it } from 'vitest';
import { timeInterleaved } from './interleave.js';

it('alternates the contenders and keeps their samples apart', () => {
  let clock = 0;
  const order: string[] = [];
  const run = (name: string, ms: number) => () => {
    order.push(name);
    clock += ms;
  };
  const [a, b] = timeInterleaved([run('a', 2), run('b', 10)], { warmup: 1, repeats: 2, now: () => clock });
  expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  expect(a!.samples).toEqual([2, 2]);
  expect(b!.samples).toEqual([10, 10]);
});
