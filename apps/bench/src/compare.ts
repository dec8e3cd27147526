/**
 * `bench compare before.json after.json`: matches cases by key (`backend/cell/BxTxIxU/mode`) and contender, and
 * calls a change a regression or an improvement only when it is beyond noise:
 *
 *   change = after.median / before.median - 1
 *   regression:  change > +threshold  and  after.min > before.max   (every new run slower than every old one)
 *   improvement: change < -threshold  and  after.max < before.min   (every new run faster than every old one)
 *   otherwise:   unchanged (within noise)
 *
 * The threshold (default 5%) keeps tiny but consistent shifts quiet; the disjoint min-max ranges keep noisy cases
 * quiet. With one repeat a range is a single value, and only the threshold applies. tfjs-layers' figures are
 * compared too: when they moved as well, the machine (load, thermal state) rather than seqmodel probably changed.
 */
import { alignColumns, formatRange } from './format.js';
import { type BenchResults, type CaseRecord, hasLayers } from './results.js';
import type { Summary } from './stats.js';

export const defaultCompareThreshold = 0.05;

export type Verdict = 'regression' | 'improvement' | 'unchanged';

export function classify(before: Summary, after: Summary, threshold: number): Verdict {
  const change = after.median / before.median - 1;
  if (change > threshold && after.min > before.max) return 'regression';
  if (change < -threshold && after.max < before.min) return 'improvement';
  return 'unchanged';
}

export interface ComparedCase {
  readonly key: string;
  readonly contender: 'seqmodel' | 'tfjs-layers';
  readonly before: Summary;
  readonly after: Summary;
  /** after.median / before.median - 1 (positive: slower). */
  readonly change: number;
  readonly verdict: Verdict;
}

export interface Comparison {
  readonly threshold: number;
  readonly cases: readonly ComparedCase[];
  readonly onlyBefore: readonly string[];
  readonly onlyAfter: readonly string[];
  readonly matMul: readonly { readonly backend: string; readonly before: number; readonly after: number }[];
  /** Why the two runs may not be comparable. */
  readonly warnings: readonly string[];
}

/** Every timed case of a run by key, cells' and whole-model workloads' alike, with its contenders' summaries. */
function timedCases(results: BenchResults): [string, [ComparedCase['contender'], Summary][]][] {
  return [
    ...results.cases.map((c): [string, [ComparedCase['contender'], Summary][]] => [c.key, contenders(c)]),
    ...(results.layerCases ?? []).map((c): [string, [ComparedCase['contender'], Summary][]] => [
      c.key,
      [['seqmodel', c.seqmodel.summary]],
    ]),
  ];
}

function contenders(c: CaseRecord): [ComparedCase['contender'], Summary][] {
  return hasLayers(c)
    ? [
        ['seqmodel', c.seqmodel.summary],
        ['tfjs-layers', c.tfjsLayers.summary],
      ]
    : [['seqmodel', c.seqmodel.summary]];
}

function warningsOf(before: BenchResults, after: BenchResults): string[] {
  const warnings: string[] = [];
  const a = before.machine;
  const b = after.machine;
  const machine = (m: typeof a) => `${m.cpuModel}, ${m.logicalCores} cores, Node ${m.node}`;
  if (machine(a) !== machine(b)) warnings.push(`different machines: ${machine(a)} / ${machine(b)}`);
  for (const [name, r] of [
    ['before', before],
    ['after', after],
  ] as const) {
    const load = Math.max(...r.machine.loadAverage.start, ...r.machine.loadAverage.end);
    if (load >= r.machine.logicalCores) {
      warnings.push(
        `${name}: load average reached ${load} on ${r.machine.logicalCores} cores (noisy timings)`,
      );
    }
  }
  if (before.config.repeats !== after.config.repeats || before.config.warmup !== after.config.warmup) {
    warnings.push(
      `different repeats/warm-up: ${before.config.repeats}/${before.config.warmup} and ${after.config.repeats}/${after.config.warmup}`,
    );
  }
  return warnings;
}

export function compareResults(
  before: BenchResults,
  after: BenchResults,
  threshold = defaultCompareThreshold,
): Comparison {
  const beforeCases = timedCases(before);
  const afterByKey = new Map(timedCases(after));
  const beforeKeys = new Set(beforeCases.map(([key]) => key));
  const cases: ComparedCase[] = [];
  for (const [key, summaries] of beforeCases) {
    const a = afterByKey.get(key);
    if (!a) continue;
    const next = new Map(a);
    for (const [contender, summary] of summaries) {
      const s = next.get(contender);
      if (!s) continue;
      cases.push({
        key,
        contender,
        before: summary,
        after: s,
        change: s.median / summary.median - 1,
        verdict: classify(summary, s, threshold),
      });
    }
  }
  const matMul = before.backends.flatMap((b) => {
    const a = after.backends.find((x) => x.name === b.name);
    return b.status === 'ran' && b.matMul && a?.status === 'ran' && a.matMul
      ? [{ backend: b.name, before: b.matMul.gflops, after: a.matMul.gflops }]
      : [];
  });
  return {
    threshold,
    cases,
    onlyBefore: beforeCases.filter(([key]) => !afterByKey.has(key)).map(([key]) => key),
    onlyAfter: [...afterByKey.keys()].filter((key) => !beforeKeys.has(key)),
    matMul,
    warnings: warningsOf(before, after),
  };
}

export function countVerdicts(c: Comparison, contender: ComparedCase['contender'] = 'seqmodel') {
  const counts: Record<Verdict, number> = { regression: 0, improvement: 0, unchanged: 0 };
  for (const x of c.cases) if (x.contender === contender) counts[x.verdict]++;
  return counts;
}

function percent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`;
}

/** The comparison as text: a table of every matched case, then what could not be matched. */
export function renderComparison(c: Comparison, names: { before: string; after: string }): string {
  const lines: string[] = [
    `compare ${names.before} -> ${names.after}`,
    `rule: regression when the median time rose by more than ${percent(c.threshold)} and every new run was slower ` +
      'than every old one (min-max ranges apart); improvement likewise the other way; otherwise unchanged',
  ];
  for (const w of c.warnings) lines.push(`warning: ${w}`);
  for (const m of c.matMul) {
    lines.push(
      `matMul ${m.backend}: ${m.before.toFixed(2)} -> ${m.after.toFixed(2)} GFLOP/s (${percent(m.after / m.before - 1)})`,
    );
  }
  const rows = [['case', 'contender', 'before ms (min-max)', 'after ms (min-max)', 'change', 'verdict']];
  for (const x of c.cases) {
    rows.push([
      x.key,
      x.contender,
      formatRange(x.before),
      formatRange(x.after),
      percent(x.change),
      x.verdict === 'unchanged' ? 'unchanged' : x.verdict.toUpperCase(),
    ]);
  }
  lines.push('', alignColumns(rows));
  if (c.onlyBefore.length > 0) lines.push('', `only in ${names.before}: ${c.onlyBefore.join(', ')}`);
  if (c.onlyAfter.length > 0) lines.push('', `only in ${names.after}: ${c.onlyAfter.join(', ')}`);
  const ours = countVerdicts(c);
  const theirs = countVerdicts(c, 'tfjs-layers');
  lines.push(
    '',
    `seqmodel: ${ours.regression} regression(s), ${ours.improvement} improvement(s), ${ours.unchanged} unchanged; ` +
      `tfjs-layers (control): ${theirs.regression} slower, ${theirs.improvement} faster, ${theirs.unchanged} unchanged`,
  );
  return lines.join('\n');
}
