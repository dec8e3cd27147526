/**
 * Progress while the bench runs. In a terminal: one status line rewritten in place (current case, n/total,
 * elapsed, ETA), with notes printed above it. Elsewhere (CI logs, pipes): plain lines, one per finished case.
 *
 * The ETA weighs each remaining case by its work (FLOPs times runs times contenders) and converts work to time
 * with the rate measured so far on the same backend (on the others before a backend's first case finishes).
 */
import { formatMs, formatSpeedup } from './format.js';
import { type CaseRecord, hasLayers, type LayerCaseRecord } from './results.js';

export interface PlannedCase {
  readonly backend: string;
  readonly label: string;
  /** Relative amount of work; only ratios matter. */
  readonly weight: number;
}

/** What the runner reports while it runs. */
export interface RunObserver {
  /** The cases about to run, in order. */
  plan(cases: readonly PlannedCase[]): void;
  /** A line worth keeping (a skipped backend, a matMul ceiling). */
  note(text: string): void;
  caseStarted(index: number): void;
  /** One run of a contender finished (warm-up or timed). */
  tick(): void;
  caseDone(index: number, record: CaseRecord | LayerCaseRecord): void;
  finish(): void;
}

export const silentObserver: RunObserver = {
  plan: () => undefined,
  note: () => undefined,
  caseStarted: () => undefined,
  tick: () => undefined,
  caseDone: () => undefined,
  finish: () => undefined,
};

export class EtaEstimator {
  private readonly spent = new Map<string, { ms: number; weight: number }>();
  private readonly done = new Set<number>();

  constructor(private readonly planned: readonly PlannedCase[]) {}

  /** Case `index` took `ms`. */
  record(index: number, ms: number): void {
    const c = this.planned[index]!;
    const s = this.spent.get(c.backend) ?? { ms: 0, weight: 0 };
    this.spent.set(c.backend, { ms: s.ms + ms, weight: s.weight + c.weight });
    this.done.add(index);
  }

  /** Estimated milliseconds for the cases not recorded yet; undefined before any case finished. */
  remainingMs(): number | undefined {
    let ms = 0;
    let weight = 0;
    for (const s of this.spent.values()) {
      ms += s.ms;
      weight += s.weight;
    }
    if (weight === 0) return undefined;
    const overall = ms / weight;
    let remaining = 0;
    this.planned.forEach((c, i) => {
      if (this.done.has(i)) return;
      const s = this.spent.get(c.backend);
      remaining += c.weight * (s && s.weight > 0 ? s.ms / s.weight : overall);
    });
    return remaining;
  }
}

/** `1m05s`, `42s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The one-line summary of a finished case. */
export function caseLine(record: CaseRecord | LayerCaseRecord): string {
  if ('workload' in record) {
    const s = record.seqmodel;
    return `seqmodel ${formatMs(s.summary.median)} ms per step (${s.examplesPerSecond.toFixed(1)} examples/s)`;
  }
  const ours = `seqmodel ${formatMs(record.seqmodel.summary.median)} ms`;
  const theirs = hasLayers(record)
    ? `, tfjs-layers ${formatMs(record.tfjsLayers.summary.median)} ms (seqmodel ${formatSpeedup(record.speedup)})`
    : ', tfjs-layers n/a';
  return `${ours}${theirs}`;
}

export interface ProgressOptions {
  readonly write: (text: string) => void;
  /** Rewrite one status line in place (a terminal) or print plain lines. */
  readonly tty: boolean;
  /** Terminal width, to keep the status line on one row. */
  readonly columns?: () => number | undefined;
  readonly now?: () => number;
}

export function createProgress(options: ProgressOptions): RunObserver {
  const { write, tty } = options;
  const now = options.now ?? (() => performance.now());
  let planned: readonly PlannedCase[] = [];
  let eta = new EtaEstimator([]);
  let start = now();
  let caseStart = start;
  let current = -1;
  let runs = 0;
  let status = '';

  const prefix = (i: number) =>
    `[${String(i + 1).padStart(String(planned.length).length)}/${planned.length}]`;
  const timing = () => {
    const remaining = eta.remainingMs();
    return `elapsed ${formatDuration(now() - start)}${remaining === undefined ? '' : `, ETA ${formatDuration(remaining)}`}`;
  };
  const redraw = () => {
    if (!tty || current < 0) return;
    const columns = options.columns?.() ?? 0;
    const width = columns >= 20 ? columns : 80;
    const line = `${prefix(current)} ${timing()} · ${planned[current]!.label}, run ${runs}`;
    status = line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
    write(`\r\x1b[2K${status}`);
  };
  const clear = () => {
    if (tty && status !== '') write('\r\x1b[2K');
    status = '';
  };

  return {
    plan(cases) {
      planned = cases;
      eta = new EtaEstimator(cases);
      start = now();
    },
    note(text) {
      clear();
      write(`${text}\n`);
      redraw();
    },
    caseStarted(index) {
      current = index;
      runs = 0;
      caseStart = now();
      redraw();
    },
    tick() {
      runs++;
      redraw();
    },
    caseDone(index, record) {
      eta.record(index, now() - caseStart);
      if (!tty) write(`${prefix(index)} ${planned[index]!.label}: ${caseLine(record)} · ${timing()}\n`);
      else redraw();
    },
    finish() {
      clear();
      current = -1;
    },
  };
}
