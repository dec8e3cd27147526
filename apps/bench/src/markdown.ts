/**
 * The Markdown report: `report.md` with every figure in tables, SVG charts beside it (speed by size per backend
 * and mode, ratio to tfjs-layers per backend) and `results.json`. Everything is local files: no external services,
 * scripts or fonts are needed to view it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attentionMarkdown } from './attention/report.js';
import { flopFormulas } from './flops.js';
import {
  formatBytes,
  formatCase,
  formatError,
  formatGflops,
  formatMs,
  layerCaseColumns,
  layerCaseRow,
  leadColumns,
} from './format.js';
import { pathDescription } from './report.js';
import { type BenchResults, type CaseRecord, formulaNotes, hasLayers, layersUnavailable } from './results.js';
import { formatSize } from './sizes.js';
import { type BarSeries, barChart } from './svg.js';

/** File name -> contents. */
export type ReportFiles = Record<string, string>;

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function cellsOf(cases: readonly CaseRecord[]): string[] {
  return unique(cases.map((c) => c.cell));
}

function sizesOf(cases: readonly CaseRecord[]): string[] {
  return unique(cases.map((c) => formatSize(c.size)));
}

function find(
  cases: readonly CaseRecord[],
  cell: string,
  size: string,
  mode: string,
): CaseRecord | undefined {
  return cases.find((c) => c.cell === cell && formatSize(c.size) === size && c.mode === mode);
}

/** GFLOP/s of every cell by size on one backend and mode, seqmodel and tfjs-layers, with the matMul ceiling. */
export function speedChart(
  backend: string,
  mode: string,
  cases: readonly CaseRecord[],
  matMulGflops: number | null,
): string {
  const sizes = sizesOf(cases);
  const series: BarSeries[] = [];
  // Each cell in its colour; tfjs-layers' figures beside it in the same colour, hatched.
  cellsOf(cases).forEach((cell, color) => {
    series.push({
      name: cell,
      color,
      values: sizes.map((s) => find(cases, cell, s, mode)?.seqmodel.gflops ?? null),
    });
    const layers = sizes.map((s) => {
      const c = find(cases, cell, s, mode);
      return c && hasLayers(c) ? c.tfjsLayers.gflops : null;
    });
    if (layers.some((v) => v !== null))
      series.push({ name: `${cell} (tfjs-layers)`, color, hatched: true, values: layers });
  });
  const tallest = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const ceilingFits = matMulGflops !== null && matMulGflops <= 4 * tallest;
  const ceiling =
    matMulGflops === null
      ? 'matMul ceiling not measured'
      : `matMul ceiling ${formatGflops(matMulGflops)} GFLOP/s${ceilingFits ? '' : ' (above the chart)'}`;
  return barChart({
    title: `${backend}, ${mode}: GFLOP/s by size (higher is better)`,
    subtitle: `seqmodel and tfjs-layers, batch x time x input x units; ${ceiling}`,
    categories: sizes,
    series,
    yLabel: 'GFLOP/s',
    referenceLines: ceilingFits ? [{ value: matMulGflops!, label: 'matMul ceiling' }] : [],
  });
}

/** tfjs-layers time / seqmodel time for every case that has both, by mode. */
export function ratioChart(backend: string, cases: readonly CaseRecord[]): string | undefined {
  const compared = cases.filter(hasLayers);
  if (compared.length === 0) return undefined;
  const groups = unique(compared.map((c) => `${c.cell}\n${formatSize(c.size)}`));
  const modes = unique(compared.map((c) => c.mode));
  const series = modes.map((mode) => ({
    name: mode,
    values: groups.map((g) => {
      const [cell, size] = g.split('\n') as [string, string];
      return find(compared, cell, size, mode)?.speedup ?? null;
    }),
  }));
  return barChart({
    title: `${backend}: seqmodel speedup over tfjs-layers (above 1x: seqmodel faster)`,
    subtitle: 'tfjs-layers median time / seqmodel median time, same tfjs backend, same weights (log scale)',
    categories: groups,
    series,
    yLabel: 'speedup (x)',
    yScale: 'log2',
    referenceLines: [{ value: 1, label: 'tfjs-layers' }],
    format: (x) => (x >= 10 ? x.toFixed(0) : x.toFixed(2)),
    tickFormat: (x) => `${x}x`,
  });
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (r: readonly string[]) => `| ${r.map(escapeCell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

function caseRows(cases: readonly CaseRecord[]): string[][] {
  return cases.map((c) => {
    const f = formatCase(c);
    return [
      ...f.lead,
      f.layersGflops,
      f.ofMatMul,
      f.leaked(' / '),
      f.peaks(' / '),
      formatBytes(c.processMemory.rssBytes),
      c.platformMemory.wasmHeapBytes === undefined ? '' : formatBytes(c.platformMemory.wasmHeapBytes),
    ];
  });
}

const caseHeader = [
  ...leadColumns,
  'tfjs-layers GFLOP/s',
  'of matMul',
  'leaked',
  'tfjs peak',
  'rss',
  'wasm heap',
];

/** Chart file name for a backend (and mode), safe on every file system. */
export function chartName(kind: 'speed' | 'ratio', backend: string, mode?: string): string {
  return `${[kind, backend, mode]
    .filter(Boolean)
    .join('-')
    .replace(/[^\w.-]/g, '_')}.svg`;
}

/** The report's files: `report.md`, the charts and `results.json`. */
export function renderMarkdownReport(results: BenchResults): ReportFiles {
  const files: ReportFiles = {};
  const m = results.machine;
  const c = results.config;
  const md: string[] = [
    '# seqmodel benchmark',
    '',
    `Run ${results.startedAt} with \`seqmodel-bench ${results.argv.join(' ')}\`, preset **${c.preset}**, ` +
      `${results.cases.length} cases in ${(results.durationMs / 1000).toFixed(0)} s.`,
    '',
    `- Machine: ${m.cpuModel}, ${m.logicalCores} logical cores, ${formatBytes(m.totalMemoryBytes)}, ${m.platform} ${m.arch} ` +
      `${m.osRelease}, Node ${m.node}; load average ${m.loadAverage.start.join(' ')} at the start, ${m.loadAverage.end.join(' ')} at the end.`,
    `- Versions: ${Object.entries(results.versions.packages)
      .map(([name, v]) => `${name} ${v}`)
      .join(', ')}; commit ${results.versions.gitCommit ?? 'unknown'}.`,
    `- Sizes (batch x time x input x units): ${c.sizes.map(formatSize).join(', ')}; cells ${c.cells.join(', ')}; modes ${c.modes.join(', ')}.`,
    `- Timing: median (min-max) of at least ${c.repeats} timed run(s) (fast cases: more, up to 100, until a contender's ` +
      `runs add up to ${c.minTimeMs} ms) after ${c.warmup} warm-up run(s); the first warm-up is the ` +
      'correctness check; seqmodel and tfjs-layers run in turns. seqmodel runs its ' +
      `${pathDescription(c.path)}; ` +
      'tfjs-layers 4.22 runs its equivalent layer in a `Sequential` model on the same ' +
      'tfjs backend, with the same weights (sigmoid gates on both sides).',
    `- FLOPs: forward = \`${flopFormulas.forward}\`, training step = \`${flopFormulas.train}\`: ${flopFormulas.note}. ` +
      'GFLOP/s = FLOPs / median time; "of matMul" = GFLOP/s / the backend\'s `[n, n]x[n, n]` matMul GFLOP/s measured in ' +
      'the same run.',
    '',
  ];
  for (const b of results.backends) {
    if (b.status === 'skipped') continue;
    const cases = results.cases.filter((x) => x.backend === b.name);
    md.push(`## ${b.name}: ${b.details}`, '');
    md.push(
      b.matMul
        ? `matMul ${b.matMul.n}x${b.matMul.n}x${b.matMul.n}: **${formatGflops(b.matMul.gflops)} GFLOP/s** (median ${formatMs(b.matMul.medianMs)} ms), the practical ceiling.`
        : 'matMul ceiling not measured.',
      '',
    );
    const layerCases = (results.layerCases ?? []).filter((x) => x.backend === b.name);
    if (layerCases.length > 0) {
      md.push(
        'Whole training steps through `@seqmodel/layers` (`trainOnBatch`, SGD):',
        '',
        table(layerCaseColumns, layerCases.map(layerCaseRow)),
        '',
      );
    }
    if (cases.length === 0) continue;
    for (const mode of unique(cases.map((x) => x.mode))) {
      const name = chartName('speed', b.name, mode);
      files[name] = speedChart(b.name, mode, cases, b.matMul?.gflops ?? null);
      md.push(`![${b.name}, ${mode}: GFLOP/s by size](${name})`, '');
    }
    const ratio = ratioChart(b.name, cases);
    if (ratio) {
      const name = chartName('ratio', b.name);
      files[name] = ratio;
      md.push(`![${b.name}: speedup over tfjs-layers](${name})`, '');
    }
    md.push(table(caseHeader, caseRows(cases)), '');
    const reasons = layersUnavailable(cases);
    for (const [cell, reason] of reasons) md.push(`- tfjs-layers n/a for ${cell}: ${reason}`);
    if (reasons.size > 0) md.push('');
  }
  const skipped = results.backends.filter((b) => b.status === 'skipped');
  if (skipped.length > 0) {
    md.push('## Skipped backends', '');
    for (const b of skipped) if (b.status === 'skipped') md.push(`- **${b.name}**: ${b.reason}`);
    md.push('');
  }
  if (results.cases.length > 0) {
    md.push(
      '## Correctness',
      '',
      'Before timing, seqmodel is compared with tfjs-layers (forward output; loss and weights after one SGD step) or, ' +
        "for cells tfjs-layers does not have, with core's float64 reference ops (forward output of the first sequences).",
      '',
      table(
        ['backend', 'cell', 'size', 'against', 'forward', 'loss', 'weights'],
        unique(results.cases.map((x) => `${x.backend}/${x.cell}/${formatSize(x.size)}`)).map((key) => {
          const x = results.cases.find((y) => `${y.backend}/${y.cell}/${formatSize(y.size)}` === key)!;
          const a = x.agreement;
          return [
            x.backend,
            x.cell,
            formatSize(x.size),
            a.against,
            formatError(a.forwardMaxError),
            formatError(a.lossError),
            formatError(a.weightsMaxError),
          ];
        }),
      ),
      '',
      '## What the columns mean',
      '',
      ...Object.entries(formulaNotes).map(([k, v]) => `- \`${k}\`: ${v}`),
      '- `leaked`: seqmodel / tfjs-layers; `tfjs peak`: seqmodel / tfjs-layers; `rss`: process high-water mark over the mode.',
      '',
    );
  }
  const attention = attentionMarkdown(results, table);
  md.push(...attention.lines);
  Object.assign(files, attention.files);
  files['report.md'] = md.join('\n');
  files['results.json'] = `${JSON.stringify(results, null, 2)}\n`;
  return files;
}

/** Writes the report's files into `dir` (created if needed); returns the paths written. */
export function writeMarkdownReport(results: BenchResults, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(renderMarkdownReport(results)).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
