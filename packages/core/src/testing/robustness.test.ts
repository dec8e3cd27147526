/**
 * The robustness classifier must be able to tell every outcome apart: each case here misbehaves in one way on
 * purpose and must land in exactly that outcome; the suite's checks must fail on anything but clear errors and put
 * the totals on one line.
 */
import { describe, expect, it } from 'vitest';
import { invalidArgument, SeqmodelError } from '../errors.js';
import { ReferenceBackend } from '../reference/reference-backend.js';
import {
  classifyCase,
  isClearMessage,
  type RobustnessCase,
  robustnessChecks,
  robustnessTotals,
} from './robustness.js';

const backend = new ReferenceBackend();
const live = () => backend.memory().numTensors;

function bad(call: () => unknown, extra: Partial<RobustnessCase> = {}): RobustnessCase {
  return { entry: 'f', argument: 'f(size)', received: '0', call, ...extra };
}

const clear = () => invalidArgument('f(size)', 0, 'a positive integer');

describe('classifyCase', () => {
  it('a SeqmodelError naming the argument and what was expected is a clear error', async () => {
    expect(await classifyCase(bad(clear))).toEqual({
      outcome: 'clear error',
      detail: 'f(size): expected a positive integer, received 0',
    });
    // A rejected promise counts like a throw, and so does an error raised while a returned generator runs.
    expect((await classifyCase(bad(async () => clear()))).outcome).toBe('clear error');
    const lazy = function* () {
      yield 1;
      clear();
    };
    expect((await classifyCase(bad(lazy))).outcome).toBe('clear error');
  });

  it('returning is silent', async () => {
    expect(await classifyCase(bad(() => [1, 2]))).toEqual({
      outcome: 'silent',
      detail: 'returned an array of 2',
    });
  });

  it('a SeqmodelError that does not name the argument, say what, or say a required text is unclear', async () => {
    const unclear = async (message: string, extra?: Partial<RobustnessCase>) =>
      (
        await classifyCase(
          bad(() => {
            throw new SeqmodelError(message);
          }, extra),
        )
      ).outcome;
    expect(await unclear('size: expected a positive integer')).toBe('unclear error');
    expect(await unclear('f(size) is wrong')).toBe('unclear error');
    expect(await unclear('f(size): expected a positive integer', { says: ['received 0'] })).toBe(
      'unclear error',
    );
    expect(await unclear('f(size): expected a positive integer, received 0', { says: ['received 0'] })).toBe(
      'clear error',
    );
    expect(await unclear('f(size) unknown option "sise"', { argument: /f\((size|n)\)/ })).toBe('clear error');
  });

  it('another error, or a call that does not settle in time, is a crash', async () => {
    const typeError = await classifyCase(bad(() => (undefined as unknown as { x: number }).x));
    expect(typeError.outcome).toBe('crash');
    expect(typeError.detail).toMatch(/^TypeError: /);
    const hangs = await classifyCase(
      bad(() => new Promise(() => {})),
      { timeoutMs: 20 },
    );
    expect(hangs).toEqual({ outcome: 'crash', detail: 'did not settle within 20 ms' });
  });

  it('a clear error that leaves a tensor behind is a leak', async () => {
    const left: unknown[] = [];
    const leaky = bad(() => {
      left.push(backend.fill([2], 1));
      clear();
    });
    const before = live();
    expect((await classifyCase(leaky, { liveTensors: live })).outcome).toBe('leak');
    // Without a counter, leaks are not looked for.
    expect((await classifyCase(leaky)).outcome).toBe('clear error');
    backend.dispose(left as never);
    expect(live()).toBe(before);
  });

  it('a clear error that changes what the case watches is changed', async () => {
    let state = 1;
    const touched = bad(
      () => {
        state = 2;
        clear();
      },
      { observe: () => [state] },
    );
    expect(await classifyCase(touched)).toEqual({
      outcome: 'changed',
      detail: 'value 0 was 1, is 2; f(size): expected a positive integer, received 0',
    });
    expect((await classifyCase(bad(clear, { observe: () => [state, Number.NaN] }))).outcome).toBe(
      'clear error',
    );
  });
});

it('isClearMessage wants the argument and what was received or expected', () => {
  expect(isClearMessage('fit batchSize: expected a positive integer, received 0', 'batchSize')).toBe(true);
  expect(isClearMessage('fit: unknown option "batch_size"; did you mean "batchSize"?', 'batch_size')).toBe(
    true,
  );
  expect(isClearMessage('fit batchSize is bad', 'batchSize')).toBe(false);
  expect(isClearMessage('fit: expected a positive integer', 'batchSize')).toBe(false);
});

describe('robustnessChecks', () => {
  it('one check per case, failing on anything but a clear error, and a totals line', async () => {
    const lines: string[] = [];
    const checks = await robustnessChecks([bad(clear), bad(() => 3, { received: 'three' })], {
      suite: 'demo',
      report: (line) => lines.push(line),
    });
    expect(checks.map((c) => c.name)).toEqual([
      'f: 0',
      'f: three',
      'totals: at least 1 cases, every one a clear error',
    ]);
    expect(() => checks[0]!.run()).not.toThrow();
    expect(() => checks[1]!.run()).toThrow('f (three): expected a clear error, received silent: returned 3');
    expect(() => checks[2]!.run()).toThrow(
      'robustness suite demo: expected at least 1 cases, all clear errors, received demo: 2 cases: 1 clear error, 1 silent, 0 unclear error, 0 crash, 0 leak, 0 changed',
    );
    expect(lines).toEqual([
      'robustness demo: 2 cases: 1 clear error, 1 silent, 0 unclear error, 0 crash, 0 leak, 0 changed',
    ]);
  });

  it('the totals check fails when the suite has fewer cases than it promises', async () => {
    const checks = await robustnessChecks([bad(clear)], { suite: 'small', minimum: 2, report: () => {} });
    expect(() => checks.at(-1)!.run()).toThrow('expected at least 2 cases');
  });

  it('robustnessTotals lists every outcome, even at 0', () => {
    expect(robustnessTotals('none', [])).toBe(
      'none: 0 cases: 0 clear error, 0 silent, 0 unclear error, 0 crash, 0 leak, 0 changed',
    );
  });
});
