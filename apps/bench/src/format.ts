/** Number formatting shared by the terminal table, the Markdown report and the charts. */
import { type CaseRecord, hasLayers, type LayerCaseRecord } from './results.js';
import { formatSize } from './sizes.js';
import type { Summary } from './stats.js';

/** Milliseconds with about 3 significant digits. */
export function formatMs(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** `12.3 (11.9-13.0)`: median, then min-max. */
export function formatRange(s: Summary): string {
  return `${formatMs(s.median)} (${formatMs(s.min)}-${formatMs(s.max)})`;
}

/** A rate with thousands separators and no decimals when large. */
export function formatRate(x: number): string {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
}

export function formatGflops(x: number | null): string {
  return x === null ? 'n/a' : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function formatFraction(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
}

export function formatSpeedup(x: number | null): string {
  return x === null ? 'n/a' : `${x.toFixed(2)}x`;
}

/** Bytes as MiB with one decimal (KiB below 0.1 MiB). */
export function formatBytes(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return mib >= 0.1 ? `${mib.toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatError(x: number | null): string {
  return x === null ? 'n/a' : x.toExponential(1);
}

/** Columns separated by two spaces; `right` lists the columns to right-align (numbers). */
export function alignColumns(rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (right.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The headers of `formatCase(c).lead`, the columns both case tables start with. */
export const leadColumns: readonly string[] = [
  'cell',
  'size',
  'mode',
  'kernel',
  'seqmodel ms',
  'tfjs-layers ms',
  'speedup',
  'seq/s',
  'steps/s',
  'GFLOP/s',
];

/** One case's figures as the tables show them; tfjs-layers' are `n/a` (and left out of pairs) when it has no such layer. */
export function formatCase(c: CaseRecord) {
  const l = hasLayers(c) ? c.tfjsLayers : undefined;
  return {
    /** The columns both tables start with: case, times, speedup and seqmodel's rates. */
    lead: [
      c.cell,
      formatSize(c.size),
      c.mode,
      c.kernel ?? 'n/a',
      formatRange(c.seqmodel.summary),
      l ? formatRange(l.summary) : 'n/a',
      formatSpeedup(c.speedup),
      formatRate(c.seqmodel.sequencesPerSecond),
      formatRate(c.seqmodel.stepsPerSecond),
      formatGflops(c.seqmodel.gflops),
    ],
    layersGflops: l ? formatGflops(l.gflops) : 'n/a',
    ofMatMul: formatFraction(c.seqmodel.matMulFraction),
    peak: formatBytes(c.seqmodel.tfjsPeakBytes),
    /** `seqmodel / tfjs-layers` with `separator`, or seqmodel's alone. */
    leaked: (separator: string) =>
      l ? `${c.seqmodel.leakedTensors}${separator}${l.leakedTensors}` : `${c.seqmodel.leakedTensors}`,
    /** GPU programs per time step, `seqmodel / tfjs-layers` with `separator` (GPU backends; empty elsewhere). */
    programs: (separator: string) => {
      const ours = c.seqmodel.programsPerStep;
      if (ours === undefined) return '';
      const theirs = l?.programsPerStep;
      return theirs === undefined ? ours.toFixed(1) : `${ours.toFixed(1)}${separator}${theirs.toFixed(1)}`;
    },
    peaks: (separator: string) =>
      l
        ? `${formatBytes(c.seqmodel.tfjsPeakBytes)}${separator}${formatBytes(l.tfjsPeakBytes)}`
        : formatBytes(c.seqmodel.tfjsPeakBytes),
  };
}

/** The columns of a whole-model workload's row, and the row (terminal and Markdown reports alike). */
export const layerCaseColumns: readonly string[] = [
  'layers workload',
  'ms per step',
  'examples/s',
  'first loss',
  'leaked',
  'model',
];

export function layerCaseRow(c: LayerCaseRecord): string[] {
  return [
    c.workload,
    formatRange(c.seqmodel.summary),
    c.seqmodel.examplesPerSecond.toFixed(1),
    c.firstLoss.toFixed(4),
    String(c.seqmodel.leakedTensors),
    c.description,
  ];
}
