import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './cli.js';
import { classify, compareResults, countVerdicts, renderComparison } from './compare.js';
import { summarize } from './stats.js';
import { fakeResults } from './test-fixtures.js';
import { schemaErrors } from './validate.js';

describe('classify', () => {
  const before = summarize([10, 10.5, 11]);
  it('flags a regression only beyond the threshold and the min-max ranges', () => {
    expect(classify(before, summarize([12, 12.5, 13]), 0.05)).toBe('regression');
    // +14%, but one new run (10.8) beat the slowest old one (11): the ranges overlap, noise.
    expect(classify(before, summarize([10.8, 12, 13]), 0.05)).toBe('unchanged');
    // Ranges apart but the median only +4.95%: below the threshold.
    expect(classify(before, summarize([11.01, 11.02, 11.3]), 0.05)).toBe('unchanged');
    expect(classify(before, summarize([11.01, 11.02, 11.3]), 0.01)).toBe('regression');
  });

  it('flags improvements the same way', () => {
    expect(classify(before, summarize([8, 8.5, 9]), 0.05)).toBe('improvement');
    expect(classify(before, summarize([8, 8.5, 10.2]), 0.05)).toBe('unchanged');
  });

  it('uses the threshold alone with one sample per run', () => {
    expect(classify(summarize([10]), summarize([10.4]), 0.05)).toBe('unchanged');
    expect(classify(summarize([10]), summarize([10.6]), 0.05)).toBe('regression');
    expect(classify(summarize([10]), summarize([9.4]), 0.05)).toBe('improvement');
    expect(classify(summarize([10]), summarize([10]), 0)).toBe('unchanged');
  });
});

describe('compareResults', () => {
  const before = fakeResults([
    { cell: 'lstm', seqmodel: [10, 10.5, 11], layers: [20, 21, 22] },
    { cell: 'gru', seqmodel: [10, 10.5, 11], layers: [20, 21, 22] },
    { cell: 'mgu', seqmodel: [5, 5.1, 5.2] },
    { cell: 'simpleRNN', seqmodel: [1, 1, 1] },
  ]);
  const after = fakeResults([
    { cell: 'lstm', seqmodel: [12, 12.5, 13], layers: [20, 21, 22] },
    { cell: 'gru', seqmodel: [8, 8.2, 8.4], layers: [20.5, 21, 21.5] },
    { cell: 'mgu', seqmodel: [4.9, 5.3, 5.5] },
    { cell: 'lstm', size: '4x4x4x4', seqmodel: [1, 1, 1] },
  ]);

  it('matches cases by key and contender and sorts them into regressions, improvements and noise', () => {
    expect(schemaErrors(before)).toEqual([]);
    const c = compareResults(before, after, 0.05);
    const verdict = (key: string, contender = 'seqmodel') =>
      c.cases.find((x) => x.key === key && x.contender === contender)?.verdict;
    expect(verdict('cpu/lstm/2x3x4x5/forward')).toBe('regression');
    expect(verdict('cpu/gru/2x3x4x5/forward')).toBe('improvement');
    expect(verdict('cpu/mgu/2x3x4x5/forward')).toBe('unchanged');
    expect(verdict('cpu/lstm/2x3x4x5/forward', 'tfjs-layers')).toBe('unchanged');
    expect(c.cases.find((x) => x.key === 'cpu/lstm/2x3x4x5/forward')!.change).toBeCloseTo(
      12.5 / 10.5 - 1,
      12,
    );
    expect(c.onlyBefore).toEqual(['cpu/simpleRNN/2x3x4x5/forward']);
    expect(c.onlyAfter).toEqual(['cpu/lstm/4x4x4x4/forward']);
    expect(countVerdicts(c)).toEqual({ regression: 1, improvement: 1, unchanged: 1 });
    expect(c.matMul).toEqual([{ backend: 'cpu', before: 10.49, after: 10.49 }]);
    expect(c.warnings).toEqual([]);

    const text = renderComparison(c, { before: 'a.json', after: 'b.json' });
    expect(text).toContain('REGRESSION');
    expect(text).toContain('IMPROVEMENT');
    expect(text).toContain('only in a.json: cpu/simpleRNN/2x3x4x5/forward');
    expect(text).toContain('seqmodel: 1 regression(s), 1 improvement(s), 1 unchanged');
  });

  it('warns when the runs are not comparable', () => {
    const busy = fakeResults([{ seqmodel: [1, 2] }]);
    const other = fakeResults([{ seqmodel: [1, 2] }], {
      machine: { ...busy.machine, cpuModel: 'Other CPU', loadAverage: { start: [3, 2, 1], end: [1, 1, 1] } },
    });
    const c = compareResults(busy, other);
    expect(c.warnings.join('\n')).toContain('different machines');
    expect(c.warnings.join('\n')).toContain('after: load average reached 3 on 2 cores');
  });

  it('is a command: exit status 1 on a regression with --fail-on-regression, 0 without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-compare-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, JSON.stringify(before));
    writeFileSync(b, JSON.stringify(after));
    const out: string[] = [];
    const io = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => out.push(t) },
    };
    expect(await main(['compare', a, b], io)).toBe(0);
    expect(out.join('')).toContain('REGRESSION');
    expect(await main(['compare', a, b, '--fail-on-regression'], io)).toBe(1);
    expect(await main(['compare', b, b, '--fail-on-regression'], io)).toBe(0);

    // A file that is not results: named in the error, exit status 1.
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ schemaVersion: 1, tool: 'x' }));
    out.length = 0;
    expect(await main(['compare', a, join(dir, 'bad.json')], io)).toBe(1);
    expect(out.join('')).toContain(`${join(dir, 'bad.json')}: does not match the results schema`);
    out.length = 0;
    expect(await main(['compare', a, join(dir, 'missing.json')], io)).toBe(1);
    expect(out.join('')).toContain('missing.json: cannot read it (ENOENT)');
  });
});
