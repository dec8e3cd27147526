import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMarkdownReport, writeMarkdownReport } from './markdown.js';
import { caseTable, terminalReport } from './report.js';
import { fakeResults, parseSvg } from './test-fixtures.js';

const results = fakeResults([
  { cell: 'lstm', size: '2x3x4x5', mode: 'forward', seqmodel: [1, 1.2, 1.1], layers: [2, 2.2, 2.1] },
  { cell: 'lstm', size: '2x3x4x5', mode: 'train', seqmodel: [3, 3.3], layers: [2.5, 2.6] },
  { cell: 'lstm', size: '4x3x4x5', mode: 'forward', seqmodel: [2], layers: [4] },
  { cell: 'mgu', size: '2x3x4x5', mode: 'forward', seqmodel: [0.9] },
  {
    backend: 'wasm',
    cell: 'lstm',
    size: '2x3x4x5',
    mode: 'forward',
    seqmodel: [0.2, 0.3],
    layers: [0.4, 0.5],
  },
]);

describe('Markdown report', () => {
  const files = renderMarkdownReport(results);
  const md = files['report.md']!;

  it('links one speed chart per backend and mode and one ratio chart per backend, all present', () => {
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    expect(links).toEqual([
      'speed-cpu-forward.svg',
      'speed-cpu-train.svg',
      'ratio-cpu.svg',
      'speed-wasm-forward.svg',
      'ratio-wasm.svg',
    ]);
    for (const link of links) expect(Object.keys(files)).toContain(link);
    expect(Object.keys(files).sort()).toEqual([...links, 'report.md', 'results.json'].sort());
  });

  it('renders charts as well-formed SVG with the expected bars', () => {
    for (const [name, text] of Object.entries(files)) if (name.endsWith('.svg')) parseSvg(text);
    const speed = files['speed-cpu-forward.svg']!;
    // Sizes 2x3x4x5 and 4x3x4x5; lstm has both, its tfjs-layers twin both, mgu one (the other is n/a).
    expect(speed.match(/<rect class="bar"/g)).toHaveLength(5);
    expect(speed).toContain('lstm (tfjs-layers)');
    expect(speed).toContain('matMul ceiling 10.5 GFLOP/s');
    // Ratio chart: lstm at two sizes x forward/train, one pair missing (no train at 4x3x4x5); mgu has no ratio.
    const ratio = files['ratio-cpu.svg']!;
    expect(ratio.match(/<rect class="bar"/g)).toHaveLength(3);
    expect(ratio).not.toContain('mgu');
  });

  it('has a table row per case, the n/a reasons, skipped backends, checks and definitions', () => {
    const tableRows = md.split('\n').filter((l) => /^\| (lstm|mgu) \|/.test(l));
    expect(tableRows).toHaveLength(5);
    for (const row of tableRows) expect(row.split(' | ')).toHaveLength(16);
    expect(md).toContain(
      '| lstm | 2x3x4x5 | forward | hand-written | 1.10 (1.00-1.20) | 2.10 (2.00-2.20) | 1.91x |',
    );
    expect(md).toContain('- tfjs-layers n/a for mgu: tfjs-layers has no mgu layer');
    expect(md).toContain('## Skipped backends\n\n- **webgl**: no browser in tests');
    expect(md).toContain('| cpu | mgu | 2x3x4x5 | reference | 2.0e-8 | n/a | n/a |');
    expect(md).toContain('`2*B*T*G*U*(I+U)`');
    expect(md).toContain('16.0 MiB'); // the wasm heap column
    expect(JSON.parse(files['results.json']!)).toEqual(results);
  });

  it('writes the files into a folder', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bench-md-')), 'nested');
    const paths = writeMarkdownReport(results, dir);
    expect(readdirSync(dir).sort()).toEqual(Object.keys(files).sort());
    expect(paths).toContain(join(dir, 'report.md'));
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(md);
  });
});

describe('terminal report', () => {
  it('aligns one table per backend, with n/a reasons, skipped backends and checks', () => {
    const text = terminalReport(results);
    expect(text).toContain('== cpu: cpu for tests; matMul 64^3: 10.5 GFLOP/s');
    expect(text).toContain('  n/a mgu: tfjs-layers has no mgu layer');
    expect(text).toContain('skipped backends:\n  webgl: no browser in tests');
    expect(text).toContain('vs tfjs-layers (3 cases): max |difference| forward 1.0e-8');
    expect(text).not.toContain('LEAKED');
    const table = caseTable(results.cases.filter((c) => c.backend === 'cpu')).split('\n');
    // Every column starts at the same offset on every line: the header's "mode" column lines up with the rows'.
    const at = table[0]!.indexOf('mode');
    for (const line of table.slice(1))
      expect(line.slice(at).startsWith('forward') || line.slice(at).startsWith('train')).toBe(true);
    expect(table[1]).toMatch(/1\.91x/);
  });
});
