/**
 * The attention cases in the terminal report and in the Markdown report: one table per backend (times, speedup
 * over plain tfjs, GFLOP/s, peak tensor memory of both, the kernel's arena, the wasm heap), a speedup chart and a
 * peak-memory chart per backend, and the correctness checks.
 */
import {
  alignColumns,
  formatBytes,
  formatError,
  formatGflops,
  formatRange,
  formatSpeedup,
} from '../format.js';
import type { BenchResults } from '../results.js';
import { type BarSeries, barChart } from '../svg.js';
import { formatAttentionSize } from './cases.js';
import { type AttentionCaseRecord, type AttentionContenderRecord, hasPlainTfjs } from './records.js';

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

/** `mha 1x512x8x64 causal`: a case without its backend and mode. */
function label(r: AttentionCaseRecord): string {
  return `${r.workload} ${formatAttentionSize(r.size)} ${r.causal ? 'causal' : 'full'}`;
}

const header = [
  'case',
  'mode',
  'seqmodel ms',
  'plain tfjs ms',
  'speedup',
  'GFLOP/s',
  'peak tensors',
  'plain peak',
  'kernel arena',
  'wasm heap',
  'leaked',
];

/** `40.0 MiB (+8.0 MiB)`: the peak, and how far it rose above the level at the start of the run. */
function peak(c: AttentionContenderRecord): string {
  return `${formatBytes(c.peakTensorBytes)} (+${formatBytes(c.peakTensorBytes - c.tensorBytesAtStart)})`;
}

function row(r: AttentionCaseRecord): string[] {
  const plain = hasPlainTfjs(r) ? r.plainTfjs : undefined;
  const bytes = (n: number | undefined) => (n === undefined ? '' : formatBytes(n));
  return [
    label(r),
    r.mode,
    formatRange(r.seqmodel.summary),
    plain ? formatRange(plain.summary) : 'skipped',
    formatSpeedup(r.speedup),
    formatGflops(r.seqmodel.gflops),
    peak(r.seqmodel),
    plain ? peak(plain) : 'n/a',
    bytes(r.platformMemory.flashArenaBytes),
    bytes(r.platformMemory.wasmHeapBytes),
    `${r.seqmodel.leakedTensors}/${plain ? plain.leakedTensors : '-'}`,
  ];
}

function recordsOf(results: BenchResults, backend: string): AttentionCaseRecord[] {
  return (results.attentionCases ?? []).filter((r) => r.backend === backend);
}

const columnsNote =
  'ms = median (min-max); speedup = plain tfjs / seqmodel time; GFLOP/s dense (causal counted in full); peak ' +
  "tensors = most bytes of live tfjs buffers during one run, absolute (both contenders' inputs, weights and targets " +
  "included), and (+) how far that rose during the run (seqmodel's, plain tfjs's); kernel arena = the fused kernel's working memory outside tfjs; wasm heap = tfjs-backend-wasm's heap " +
  'after the mode (a process high-water mark); leaked = seqmodel/plain tfjs';

function skippedReasons(records: readonly AttentionCaseRecord[]): string[] {
  return unique(
    records.flatMap((r) =>
      'unavailable' in r.plainTfjs ? [`plain tfjs skipped for ${label(r)}: ${r.plainTfjs.unavailable}`] : [],
    ),
  );
}

function agreementLine(r: AttentionCaseRecord): string {
  const a = r.agreement;
  return (
    `${r.backend} ${label(r)}: against ${a.against}, max |difference| forward ${formatError(a.forwardMaxError)}` +
    `, loss ${formatError(a.lossError)}, parameters after one SGD step ${formatError(a.weightsMaxError)}`
  );
}

/** The first record of each backend and case: the correctness check is per case, not per mode. */
function checkedCases(records: readonly AttentionCaseRecord[]): AttentionCaseRecord[] {
  return unique(records.map((r) => `${r.backend} ${label(r)}`)).map(
    (k) => records.find((r) => `${r.backend} ${label(r)}` === k)!,
  );
}

/** The attention part of the terminal report (empty without attention cases). */
export function attentionTerminalReport(results: BenchResults): string[] {
  const all = results.attentionCases ?? [];
  if (all.length === 0) return [];
  const out: string[] = ['', 'attention: seqmodel against the same attention written with plain tfjs ops'];
  for (const backend of unique(all.map((r) => r.backend))) {
    const records = recordsOf(results, backend);
    out.push('', `== ${backend} (seqmodel: ${unique(records.map((r) => r.seqmodelPath)).join(', ')})`);
    out.push(alignColumns([header, ...records.map(row)], [2, 3, 4, 5, 6, 7, 8, 9]));
    for (const reason of skippedReasons(records)) out.push(`  ${reason}`);
  }
  out.push('', `columns: ${columnsNote}`, 'correctness, checked before timing:');
  for (const r of checkedCases(all)) out.push(`  ${agreementLine(r)}`);
  const leaks = all.filter(
    (r) => r.seqmodel.leakedTensors !== 0 || (hasPlainTfjs(r) && r.plainTfjs.leakedTensors !== 0),
  );
  if (leaks.length > 0) out.push(`TENSORS LEAKED in ${leaks.map((r) => r.key).join(', ')}`);
  return out;
}

/** Plain tfjs time / seqmodel time by case and mode (log scale). */
export function attentionSpeedupChart(
  backend: string,
  records: readonly AttentionCaseRecord[],
): string | undefined {
  const compared = records.filter(hasPlainTfjs);
  if (compared.length === 0) return undefined;
  const groups = unique(compared.map((r) => label(r).replace(/ /g, '\n')));
  const series: BarSeries[] = unique(compared.map((r) => r.mode)).map((mode) => ({
    name: mode,
    values: groups.map(
      (g) => compared.find((r) => r.mode === mode && label(r).replace(/ /g, '\n') === g)?.speedup ?? null,
    ),
  }));
  return barChart({
    title: `${backend}: attention, seqmodel speedup over plain tfjs (above 1x: seqmodel faster)`,
    subtitle: 'plain tfjs median time / seqmodel median time, same tfjs backend, same weights (log scale)',
    categories: groups,
    series,
    yLabel: 'speedup (x)',
    yScale: 'log2',
    referenceLines: [{ value: 1, label: 'plain tfjs' }],
    format: (x) => (x >= 10 ? x.toFixed(0) : x.toFixed(2)),
    tickFormat: (x) => `${x}x`,
  });
}

/** Peak tensor memory (MiB) of both contenders in the forward pass, by case. */
export function attentionMemoryChart(
  backend: string,
  records: readonly AttentionCaseRecord[],
): string | undefined {
  const forward = records.filter((r) => r.mode === 'forward');
  if (forward.length === 0) return undefined;
  const mib = (n: number) => n / 2 ** 20;
  const groups = forward.map((r) => label(r).replace(/ /g, '\n'));
  return barChart({
    title: `${backend}: attention forward, peak tensor memory (lower is better)`,
    subtitle:
      'most MiB of live tfjs buffers during one forward pass, inputs and weights included; n/a: not run',
    categories: groups,
    series: [
      { name: 'seqmodel', values: forward.map((r) => mib(r.seqmodel.peakTensorBytes)) },
      {
        name: 'plain tfjs',
        hatched: true,
        values: forward.map((r) => (hasPlainTfjs(r) ? mib(r.plainTfjs.peakTensorBytes) : null)),
      },
    ],
    yLabel: 'MiB',
  });
}

/** The attention part of the Markdown report: lines of `report.md` and chart files; `table` renders a table. */
export function attentionMarkdown(
  results: BenchResults,
  table: (header: readonly string[], rows: readonly (readonly string[])[]) => string,
): { lines: string[]; files: Record<string, string> } {
  const all = results.attentionCases ?? [];
  if (all.length === 0) return { lines: [], files: {} };
  const files: Record<string, string> = {};
  const lines: string[] = [
    '## Attention',
    '',
    "seqmodel's `scaledDotProductAttention` (sdpa, on `[batch, heads, time, depth]` inputs) and `multiHeadAttention` " +
      'layer (mha, self-attention, Keras weights) against the same computation written with plain tfjs ops ' +
      '(`tf.matMul`, `tf.softmax`, a causal bias added to the scores, `tf.valueAndGrads`) on the same tfjs backend, ' +
      'same weights and data, interleaved. Sizes are batch x time x heads x depth; train = forward, mean squared ' +
      'error, gradients and an SGD step (sdpa: of the attention inputs).',
    '',
  ];
  for (const backend of unique(all.map((r) => r.backend))) {
    const records = recordsOf(results, backend);
    lines.push(
      `### ${backend}: seqmodel on the ${unique(records.map((r) => r.seqmodelPath)).join(', ')}`,
      '',
    );
    const safe = backend.replace(/[^\w.-]/g, '_');
    for (const [kind, chart] of [
      ['speedup', attentionSpeedupChart(backend, records)],
      ['memory', attentionMemoryChart(backend, records)],
    ] as const) {
      if (!chart) continue;
      const name = `attention-${kind}-${safe}.svg`;
      files[name] = chart;
      lines.push(`![${backend}: attention ${kind}](${name})`, '');
    }
    lines.push(table(header, records.map(row)), '');
    for (const reason of skippedReasons(records)) lines.push(`- ${reason}`);
    lines.push('');
  }
  lines.push(`Columns: ${columnsNote}.`, '', 'Correctness, checked before timing:', '');
  for (const r of checkedCases(all)) lines.push(`- ${agreementLine(r)}`);
  const { repeats, warmup } = results.config;
  lines.push(
    '',
    `Timing: median (min-max) of at least ${repeats} timed run(s) after ${warmup} warm-up run(s), the first ` +
      'warm-up being the correctness check.',
    '',
  );
  return { lines, files };
}
