/**
 * Keras 3's `CSVLogger`: one CSV row per epoch, `epoch` then every log (columns sorted by name and fixed by the first
 * epoch, plus the validation logs the run will report; `NA` where an epoch has no value). It writes to a file in Node
 * (Node's file system is loaded only then, so the module imports in browsers) or to a sink of your own
 * (`{ write(text) }`, for a browser download, a stream, a test).
 *
 * @example
 * await model.fit(x, y, { epochs: 20, callbacks: [csvLogger('training.csv')] });
 */
import { checkBoolean, checkOptions, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { Callback, type Logs } from './callback.js';

/** Where rows go: `write` gets whole lines (`\n` at the end); it may return a promise, which is awaited. */
export interface CsvSink {
  write(text: string): unknown;
  /** Called when training ends. */
  close?(): unknown;
}

export interface CsvLoggerOptions {
  /** Between fields (default `,`). */
  readonly separator?: string;
  /** Add to an existing file, without a second header when it has one (default false: start the file anew). */
  readonly append?: boolean;
}

/** A field as CSV writes it: quoted when it holds the separator, a quote or a line break. */
function field(value: string, separator: string): string {
  return value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** A sink appending to the file at `path` (Node only). */
async function fileSink(path: string, append: boolean): Promise<{ sink: CsvSink; hasHeader: boolean }> {
  if (!isNode()) {
    throw new SeqmodelError(
      `csvLogger: writing to the file ${JSON.stringify(path)} needs Node; in a browser give a sink { write(text) }`,
    );
  }
  const fs = await import('node:fs/promises');
  let hasHeader = false;
  if (append) {
    try {
      const existing = await fs.readFile(path, 'utf8');
      hasHeader = existing.split('\n', 1)[0]!.length > 0;
    } catch {
      // No file yet: it starts with a header.
    }
  } else {
    await fs.writeFile(path, '');
  }
  return { sink: { write: (text: string) => fs.appendFile(path, text) }, hasHeader };
}

export class CSVLogger extends Callback {
  readonly separator: string;
  readonly append: boolean;
  private sink: CsvSink | undefined;
  private keys: string[] | undefined;
  private headerWritten = false;

  /** @param target - a file path (Node) or a sink. */
  constructor(
    readonly target: string | CsvSink,
    options: CsvLoggerOptions = {},
  ) {
    super();
    if (
      typeof target !== 'string' &&
      (typeof target !== 'object' || target === null || typeof target.write !== 'function')
    ) {
      invalidArgument('csvLogger(target)', target, 'a file path or a sink { write(text) }');
    }
    if (typeof target === 'string' && target === '')
      invalidArgument('csvLogger(target)', target, 'a file path');
    checkOptions('csvLogger options', options, ['separator', 'append']);
    this.separator = options.separator ?? ',';
    if (typeof this.separator !== 'string' || this.separator.length === 0 || /["\r\n]/.test(this.separator)) {
      invalidArgument(
        'csvLogger separator',
        options.separator,
        'a non-empty string without quotes or line breaks',
      );
    }
    this.append = checkBoolean('csvLogger append', options.append ?? false);
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = undefined;
    if (typeof this.target === 'string') {
      const { sink, hasHeader } = await fileSink(this.target, this.append);
      this.sink = sink;
      this.headerWritten = hasHeader;
    } else {
      this.sink = this.target;
      this.headerWritten = false;
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.sink === undefined) return;
    if (this.keys === undefined) {
      const keys = Object.keys(logs).sort();
      // Validation logs the run will report appear as columns even when this epoch did not validate.
      for (const name of this.params.metrics)
        if (name.startsWith('val_') && !keys.includes(name)) keys.push(name);
      this.keys = keys;
    }
    const lines: string[] = [];
    if (!this.headerWritten) {
      lines.push(['epoch', ...this.keys].map((k) => field(k, this.separator)).join(this.separator));
      this.headerWritten = true;
    }
    const row = [String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? 'NA' : String(logs[k])))];
    lines.push(row.map((v) => field(v, this.separator)).join(this.separator));
    await this.sink.write(`${lines.join('\n')}\n`);
  }

  override async onTrainEnd(): Promise<void> {
    this.sink = undefined;
    if (typeof this.target !== 'string') await this.target.close?.();
  }
}

/** Writes each epoch's logs as a CSV row to a file (Node) or a sink; see `CSVLogger`. */
export function csvLogger(target: string | CsvSink, options?: CsvLoggerOptions): CSVLogger {
  return new CSVLogger(target, options);
}
