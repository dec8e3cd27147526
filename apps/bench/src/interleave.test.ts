import { expect, it } from 'vitest';
import {
  autoMaxRunsPerTurn,
  autoRunsPerTurn,
  autoTurnMs,
  describeRunsPerTurn,
  timeInterleaved,
  timeInterleavedTurns,
} from './interleave.js';

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

it('runs each contender runsPerTurn times in a row in its turn, a sample being their mean', () => {
  let clock = 0;
  const order: string[] = [];
  // a takes 1, 2, 3, 1, 2, 3 ... ms; b always 10.
  let aRuns = 0;
  const a = () => {
    order.push('a');
    clock += (aRuns++ % 3) + 1;
  };
  const b = () => {
    order.push('b');
    clock += 10;
  };
  const after: string[] = [];
  const [ta, tb] = timeInterleaved([a, b], {
    warmup: 1,
    repeats: 2,
    runsPerTurn: 3,
    now: () => clock,
    afterRun: (k, timed) => {
      after.push(`${k}${timed ? 't' : 'w'}`);
      clock += 1000; // time spent here is not measured
    },
  });
  // One warm-up run each, then turns of three.
  expect(order.join('')).toBe('ab' + 'aaabbb' + 'aaabbb');
  expect(ta!.samples).toEqual([(2 + 3 + 1) / 3, (2 + 3 + 1) / 3]);
  expect(tb!.samples).toEqual([10, 10]);
  expect(after).toEqual([
    '0w',
    '1w',
    ...['0t', '0t', '0t', '1t', '1t', '1t'],
    ...['0t', '0t', '0t', '1t', '1t', '1t'],
  ]);
  // minTimeMs counts every run of a turn, not one: three 10 ms runs a turn reach 60 ms in two rounds.
  const long = timeInterleaved([b], {
    warmup: 0,
    repeats: 1,
    runsPerTurn: 3,
    minTimeMs: 60,
    now: () => clock,
  });
  expect(long[0]!.samples).toHaveLength(2);
  for (const bad of [0, 1.5]) {
    expect(() => timeInterleaved([a], { warmup: 1, repeats: 1, runsPerTurn: bad })).toThrow(
      `runsPerTurn: expected an integer >= 1 or 'auto', received ${bad}`,
    );
  }
});

it("with runsPerTurn 'auto' gives each contender the runs in a row that fill a turn at its fastest warm-up pace", () => {
  let clock = 0;
  const order: string[] = [];
  // a: warm-up runs of 20 (its kernel compiled), 4 and 6 ms, then 4 ms; b: 30 ms; c: 100 ms (longer than a turn).
  // The first warm-up run would give a 2 runs a turn, the last 8, the fastest 10.
  let aRuns = 0;
  const run = (name: string, ms: () => number) => () => {
    order.push(name);
    clock += ms();
  };
  const { timings, runsPerTurn } = timeInterleavedTurns(
    [run('a', () => [20, 4, 6][aRuns++] ?? 4), run('b', () => 30), run('c', () => 100)],
    { warmup: 3, repeats: 2, runsPerTurn: 'auto', now: () => clock },
  );
  // The fastest warm-up run decides: a at 4 ms fills 50 ms with 12 runs, capped at 10; b 1; c 1.
  expect(autoTurnMs).toBe(50);
  expect(autoMaxRunsPerTurn).toBe(10);
  expect(runsPerTurn).toEqual([10, 1, 1]);
  expect(order.join('')).toBe('abc'.repeat(3) + `${'a'.repeat(10)}bc`.repeat(2));
  expect(timings.map((t) => t.samples)).toEqual([
    [4, 4],
    [30, 30],
    [100, 100],
  ]);
  // Without a warm-up run the pace is unknown: one run a turn.
  expect(
    timeInterleavedTurns([run('b', () => 30)], { warmup: 0, repeats: 1, runsPerTurn: 'auto' }).runsPerTurn,
  ).toEqual([1]);
  // Steps over half a turn (25 ms) alternate run by run; a clock reading NaN leaves the pace unknown.
  expect([
    autoRunsPerTurn(undefined),
    autoRunsPerTurn(Number.NaN),
    autoRunsPerTurn(0),
    autoRunsPerTurn(5),
    autoRunsPerTurn(12),
    autoRunsPerTurn(25),
    autoRunsPerTurn(26),
  ]).toEqual([1, 1, 10, 10, 4, 2, 1]);
  const broken = timeInterleavedTurns([run('b', () => 30)], {
    warmup: 1,
    repeats: 1,
    runsPerTurn: 'auto',
    now: () => Number.NaN,
  });
  expect(broken.runsPerTurn).toEqual([1]);
  // The report's header says which rule ran.
  expect(describeRunsPerTurn('auto', 2)).toBe(
    'each up to 10 runs in a row, as many as fill 50 ms at its fastest warm-up run',
  );
  expect(describeRunsPerTurn('auto', 0)).toBe('1 run a turn: no warm-up run to set the pace');
  expect(describeRunsPerTurn(3, 0)).toBe('3 runs in a row each');
  expect(describeRunsPerTurn(1, 2)).toBe('');
});

it('adds rounds for fast work until every contender has minTimeMs of samples, up to maxRepeats', () => {
  let clock = 0;
  const run = (ms: number) => () => {
    clock += ms;
  };
  const options = { warmup: 0, repeats: 2, now: () => clock };
  // 2 ms and 10 ms runs, 30 ms wanted: the 2 ms contender needs 15 rounds.
  const [fast, slow] = timeInterleaved([run(2), run(10)], { ...options, minTimeMs: 30 });
  expect(fast!.samples).toHaveLength(15);
  expect(slow!.samples).toHaveLength(15);
  expect(timeInterleaved([run(2)], { ...options, minTimeMs: 30, maxRepeats: 4 })[0]!.samples).toHaveLength(4);
  // Slow work: exactly `repeats`.
  expect(timeInterleaved([run(50)], { ...options, minTimeMs: 30 })[0]!.samples).toHaveLength(2);
  expect(timeInterleaved([run(2)], options)[0]!.samples).toHaveLength(2);
  // A fast last contender left out of minTimeMs: the 10 ms one decides (3 rounds), the 1 ms one gets as many.
  const counted = timeInterleaved([run(10), run(1)], { ...options, minTimeMs: 30, minTimeContenders: 1 });
  expect(counted.map((t) => t.samples.length)).toEqual([3, 3]);
  for (const bad of [0, 1.5, 2]) {
    let ran = 0;
    const counting = () => {
      ran++;
    };
    expect(() => timeInterleaved([counting], { ...options, warmup: 1, minTimeContenders: bad })).toThrow(
      `minTimeContenders: expected an integer from 1 to 1, received ${bad}`,
    );
    // Checked before anything runs.
    expect(ran).toBe(0);
  }
  expect(timeInterleaved([], options)).toEqual([]);
});
