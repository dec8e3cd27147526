/**
 * A progress bar for `fit` in terminals: one line per epoch, redrawn in place as batches finish, with the running
 * loss and metrics, steps per second and the time left; the finished line adds the validation logs and the epoch's
 * time.
 *
 * Where the stream is not a terminal (`!stream.isTTY`: a pipe, a CI log, a file), the bar is not redrawn: each epoch
 * prints its finished line only, so that logs get one line per epoch and no redraws (Keras' progress bar redraws into
 * pipes on Linux and macOS, and prints a line per update elsewhere). `mode: 'epoch'` (what `fit`'s `verbose: 2` uses) prints one summary line per epoch, terminal or not.
 */
import { checkOneOf, checkOptions, checkPositiveInteger, invalidArgument } from '@seqmodel/core';
import { Callback, type Logs } from './callback.js';

/** Where the bar writes: `process.stdout`, or anything with `write` (and `isTTY` / `columns` for terminals). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width; lines are cut to fit so that redrawing works. */
  readonly columns?: number;
}

export interface ProgressBarOptions {
  /** Default `process.stdout` (nothing is printed where there is none, as in browsers). */
  readonly stream?: ProgressStream;
  /** `bar` (default): a live bar in terminals, the finished line per epoch elsewhere. `epoch`: one line per epoch. */
  readonly mode?: 'bar' | 'epoch';
  /** Characters between the brackets (default 30). */
  readonly width?: number;
  /** Least time between redraws in milliseconds (default 100); the last batch of an epoch is always drawn. */
  readonly updateIntervalMs?: number;
  /** Clock in milliseconds (default `performance.now`), for tests. */
  readonly now?: () => number;
}

/** 0.1234, or 1.23e-5 for small values. */
export function formatLogValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && abs < 1e-3) return value.toExponential(2);
  return value.toFixed(4);
}

/** 42s, 3:07, 1:02:03. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** `process.stdout`, or undefined where there is none (browsers). */
export function defaultStream(): ProgressStream | undefined {
  const proc = (globalThis as { process?: { stdout?: ProgressStream } }).process;
  return proc?.stdout;
}

export class ProgressBar extends Callback {
  readonly mode: 'bar' | 'epoch';
  readonly width: number;
  readonly updateIntervalMs: number;
  private readonly stream: ProgressStream | undefined;
  private readonly now: () => number;
  private epoch = 0;
  private epochStart = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private done = 0;
  /** Steps of the last finished epoch, the total for later ones when `params.steps` is unknown. */
  private seenSteps: number | undefined;
  private lineOpen = false;

  constructor(options: ProgressBarOptions = {}) {
    super();
    checkOptions('progressBar options', options, ['stream', 'mode', 'width', 'updateIntervalMs', 'now']);
    this.stream = options.stream ?? defaultStream();
    if (this.stream !== undefined && typeof this.stream.write !== 'function') {
      invalidArgument('progressBar stream', this.stream, 'an object with write(text)');
    }
    this.mode = checkOneOf('progressBar mode', options.mode ?? 'bar', ['bar', 'epoch']);
    this.width = checkPositiveInteger('progressBar width', options.width ?? 30);
    this.updateIntervalMs = options.updateIntervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether anything is printed: whenever there is a stream. */
  get active(): boolean {
    return this.stream !== undefined;
  }

  /** Whether the bar is redrawn as batches finish: `bar` mode on a terminal. */
  private get live(): boolean {
    return this.mode === 'bar' && this.stream?.isTTY === true;
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = this.now();
    this.lastDraw = Number.NEGATIVE_INFINITY;
    this.done = 0;
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    this.done = batch + 1;
    if (!this.live) return;
    const total = this.total();
    const t = this.now();
    if (t - this.lastDraw < this.updateIntervalMs && this.done !== total) return;
    this.lastDraw = t;
    const elapsed = (t - this.epochStart) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : Number.NaN;
    const parts = [this.head(total), ...this.logParts(logs)];
    if (Number.isFinite(rate)) parts.push(`${rate.toFixed(1)} steps/s`);
    if (total !== undefined && this.done < total && Number.isFinite(rate) && rate > 0) {
      parts.push(`ETA ${formatDuration((total - this.done) / rate)}`);
    }
    this.draw(parts.join(' · '));
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    this.seenSteps = this.done;
    if (!this.active) return;
    const elapsed = (this.now() - this.epochStart) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : Number.NaN;
    const speed = Number.isFinite(rate) ? ` (${rate.toFixed(1)} steps/s)` : '';
    const parts =
      this.mode === 'bar'
        ? [this.head(this.total() ?? this.done), ...this.logParts(logs), `${formatDuration(elapsed)}${speed}`]
        : [
            `Epoch ${this.epoch + 1}/${this.params.epochs}`,
            `${this.done} steps`,
            ...this.logParts(logs),
            `${formatDuration(elapsed)}${speed}`,
          ];
    this.draw(parts.join(' · '));
    this.stream!.write('\n');
    this.lineOpen = false;
  }

  override onTrainEnd(): void {
    if (this.lineOpen) this.stream!.write('\n');
    this.lineOpen = false;
  }

  private total(): number | undefined {
    return this.params.steps ?? this.seenSteps;
  }

  private head(total: number | undefined): string {
    const epoch = `Epoch ${this.epoch + 1}/${this.params.epochs}`;
    if (total === undefined) return `${epoch} ${this.done} steps`;
    const fraction = Math.min(1, total > 0 ? this.done / total : 1);
    const filled = Math.floor(fraction * this.width);
    const bar =
      filled >= this.width
        ? '='.repeat(this.width)
        : `${'='.repeat(filled)}>${'.'.repeat(this.width - filled - 1)}`;
    return `${epoch} [${bar}] ${String(this.done).padStart(String(total).length)}/${total}`;
  }

  private logParts(logs: Logs): string[] {
    return Object.entries(logs).map(([name, value]) => `${name} ${formatLogValue(value)}`);
  }

  private draw(line: string): void {
    const stream = this.stream!;
    if (this.mode === 'epoch' || stream.isTTY !== true) {
      stream.write(line);
      return;
    }
    const columns = stream.columns;
    const fitted =
      columns !== undefined && columns > 1 && line.length > columns - 1 ? line.slice(0, columns - 1) : line;
    // Back to the line's start and clear it, then draw.
    stream.write(`\r\x1b[K${fitted}`);
    this.lineOpen = true;
  }
}

/** `evaluate`'s line with `verbose`: `Evaluate · loss 0.1234 · mae 0.2345 · 0s`. */
export function evaluationLine(logs: Logs, seconds: number): string {
  const values = Object.entries(logs).map(([name, value]) => `${name} ${formatLogValue(value)}`);
  return ['Evaluate', ...values, formatDuration(seconds)].join(' · ');
}

/** A progress bar (see `ProgressBarOptions`). */
export function progressBar(options?: ProgressBarOptions): ProgressBar {
  return new ProgressBar(options);
}
