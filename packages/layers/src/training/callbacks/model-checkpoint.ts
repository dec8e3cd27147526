/**
 * Checkpoints during training (Keras 3's `ModelCheckpoint`): save the model, or its weights, every epoch or every
 * `saveFreq` batches, to a path formatted from the epoch, the batch and the logs (`ckpt/{epoch:02d}-{val_loss:.3f}`),
 * or only when the monitored log improves on the best so far (`saveBestOnly`).
 *
 * Training does not know how models are saved (it sees a `TrainableModel` only), so the writing is handed in:
 * the package exports `ModelCheckpoint` from `saving/checkpoint.ts`, which writes through `saveModel` / `saveWeights`
 * (atomic: a checkpoint on disk is always a whole model, also when a save fails).
 */
import { checkOneOf, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { TrainableModel } from '../trainable.js';
import { Callback, type Logs } from './callback.js';

export interface ModelCheckpointOptions {
  /**
   * Where to save: a directory path, with Python-style fields filled from the epoch (counted from 1), the batch (from
   * 1, when saving every `saveFreq` batches) and the logs: `{epoch}`, `{epoch:03d}`, `{val_loss:.4f}`, `{loss:.2e}`;
   * `{{` and `}}` stand for braces.
   */
  readonly filepath: string;
  /** The log `saveBestOnly` and `mode` look at (default `val_loss`). */
  readonly monitor?: string;
  /** 1 prints a line at each save (and each epoch without improvement with `saveBestOnly`); default 0. */
  readonly verbose?: 0 | 1;
  /** Save only when the monitored log beats the best so far (default false: save every time). */
  readonly saveBestOnly?: boolean;
  /** Save the weights only (`saveWeights`) rather than the whole model with its optimizer (`saveModel`). */
  readonly saveWeightsOnly?: boolean;
  /** `min`, `max`, or `auto` (default): `max` for names ending in `acc`, `accuracy` or `auc`, else `min`. */
  readonly mode?: 'auto' | 'min' | 'max';
  /** `epoch` (default): at the end of every epoch; a number n: after every n batches, counted across epochs. */
  readonly saveFreq?: 'epoch' | number;
  /** With `saveBestOnly`, the value the first save must beat (default: none, the first value is saved). */
  readonly initialValueThreshold?: number;
}

/** How a checkpoint is written: the model or its weights to `filepath`. */
export type CheckpointWriter<M> = (model: M, filepath: string, weightsOnly: boolean) => Promise<unknown>;

const OPTIONS = [
  'filepath',
  'monitor',
  'verbose',
  'saveBestOnly',
  'saveWeightsOnly',
  'mode',
  'saveFreq',
  'initialValueThreshold',
];

/** Python's `str.format` fields, as far as checkpoint paths use them: `{name}` and `{name:[0][width][.precision][dfeg]}`. */
const FIELD = /\{\{|\}\}|\{([A-Za-z_][\w]*)(?::(0?)(\d*)(?:\.(\d+))?([dfeg]?))?\}|[{}]/g;

/** Python's exponent notation: at least two exponent digits (`1.5e-04`). */
function pythonExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`);
}

/** Python's `repr` of a float: the shortest digits, in exponent notation below 1e-4 and from 1e16 on. */
function pythonRepr(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  const shortest = value.toExponential();
  const exponent = Number(shortest.slice(shortest.indexOf('e') + 1));
  return exponent < -4 || exponent >= 16 ? pythonExponent(shortest) : String(value);
}

function formatNumber(
  value: number,
  zero: string,
  width: string,
  precision: string | undefined,
  type: string,
): string {
  let text: string;
  const p = precision === undefined ? 6 : Number(precision);
  switch (type) {
    case 'd':
      if (!Number.isInteger(value)) throw new SeqmodelError(`an integer for format "d", received ${value}`);
      text = String(value);
      break;
    case 'f':
      text = value.toFixed(p);
      break;
    case 'e':
      text = pythonExponent(value.toExponential(p));
      break;
    case 'g':
    case '': {
      if (type === '' && precision === undefined) {
        text = pythonRepr(value);
        break;
      }
      // Python picks the notation by the exponent after rounding to `digits` significant digits.
      const digits = Math.max(p, 1);
      const scientific = value.toExponential(digits - 1);
      const exponent = Number(scientific.slice(scientific.indexOf('e') + 1));
      text =
        exponent < -4 || exponent >= digits
          ? pythonExponent(scientific.replace(/\.?0+e/, 'e'))
          : String(Number(value.toPrecision(digits)));
      break;
    }
    default:
      throw new SeqmodelError(`a format type among d, f, e, g, received ${JSON.stringify(type)}`);
  }
  const w = width === '' ? 0 : Number(width);
  if (text.length >= w) return text;
  if (zero !== '0') return text.padStart(w, ' ');
  const sign = text.startsWith('-') ? '-' : '';
  return sign + text.slice(sign.length).padStart(w - sign.length, '0');
}

/**
 * `template` with its fields filled from `values` (Python's `str.format` for the specs checkpoint paths use). A field
 * with no value is an error listing the values there are.
 */
export function formatCheckpointPath(template: string, values: Readonly<Record<string, number>>): string {
  return template.replace(
    FIELD,
    (match, name?: string, zero = '', width = '', precision?: string, type = '') => {
      if (match === '{{') return '{';
      if (match === '}}') return '}';
      if (name === undefined) {
        throw new SeqmodelError(
          `modelCheckpoint filepath: a single ${JSON.stringify(match)} in ${JSON.stringify(template)}; write {{ or }} for a brace, {name} or {name:spec} for a value`,
        );
      }
      const value = values[name];
      if (value === undefined) {
        throw new SeqmodelError(
          `modelCheckpoint filepath: ${JSON.stringify(template)} names {${name}}, which is not among the values at this save (${Object.keys(values).join(', ')})`,
        );
      }
      try {
        return formatNumber(value, zero, width, precision, type);
      } catch (error) {
        throw new SeqmodelError(
          `modelCheckpoint filepath: {${match.slice(1, -1)}}: expected ${(error as Error).message}`,
        );
      }
    },
  );
}

/**
 * The checkpoint callback with its writer; `ModelCheckpoint` (from the package index) is this class writing through
 * `saveModel` and `saveWeights`.
 */
export class CheckpointCallback<
  M extends TrainableModel<unknown> = TrainableModel<unknown>,
> extends Callback<M> {
  readonly filepath: string;
  readonly monitor: string;
  readonly verbose: 0 | 1;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly mode: 'min' | 'max';
  readonly saveFreq: 'epoch' | number;
  /** The best monitored value saved so far (the threshold before any). */
  best: number;
  /** Paths saved to, in order. */
  readonly saved: string[] = [];
  private currentEpoch = 0;
  private lastBatchSeen = -1;
  private batchesSinceSave = 0;
  private warned = false;

  constructor(
    options: ModelCheckpointOptions,
    private readonly writer: CheckpointWriter<M>,
  ) {
    super();
    if (typeof options !== 'object' || options === null) {
      invalidArgument(
        'modelCheckpoint(options)',
        options,
        'an object { filepath, monitor?, saveBestOnly?, ... }',
      );
    }
    for (const key of Object.keys(options)) {
      if (!OPTIONS.includes(key)) {
        throw new SeqmodelError(
          `modelCheckpoint: unknown option ${JSON.stringify(key)}; options: ${OPTIONS.join(', ')}`,
        );
      }
    }
    if (typeof options.filepath !== 'string' || options.filepath.length === 0) {
      invalidArgument('modelCheckpoint filepath', options.filepath, 'a directory path (a non-empty string)');
    }
    this.filepath = options.filepath;
    // Formatting once with every field as 1 finds a malformed template now rather than at the first save.
    const names = [...this.filepath.matchAll(FIELD)]
      .map((m) => m[1])
      .filter((n): n is string => n !== undefined);
    formatCheckpointPath(this.filepath, Object.fromEntries(names.map((n) => [n, 1])));
    this.monitor = options.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string' || this.monitor.length === 0) {
      invalidArgument('modelCheckpoint monitor', options.monitor, 'a log name');
    }
    const verbose = options.verbose ?? 0;
    if (verbose !== 0 && verbose !== 1) invalidArgument('modelCheckpoint verbose', verbose, '0 or 1');
    this.verbose = verbose;
    const flag = (key: 'saveBestOnly' | 'saveWeightsOnly') => {
      const v = options[key] ?? false;
      if (typeof v !== 'boolean') invalidArgument(`modelCheckpoint ${key}`, v, 'a boolean');
      return v;
    };
    this.saveBestOnly = flag('saveBestOnly');
    this.saveWeightsOnly = flag('saveWeightsOnly');
    const mode = checkOneOf('modelCheckpoint mode', options.mode ?? 'auto', ['auto', 'min', 'max']);
    this.mode = mode === 'auto' ? (/(acc|accuracy|auc)$/.test(this.monitor) ? 'max' : 'min') : mode;
    const freq = options.saveFreq ?? 'epoch';
    if (freq !== 'epoch' && !(typeof freq === 'number' && Number.isInteger(freq) && freq >= 1)) {
      invalidArgument('modelCheckpoint saveFreq', freq, '"epoch" or a whole number of batches >= 1');
    }
    this.saveFreq = freq;
    const threshold = options.initialValueThreshold;
    if (threshold !== undefined && (typeof threshold !== 'number' || Number.isNaN(threshold))) {
      invalidArgument('modelCheckpoint initialValueThreshold', threshold, 'a number');
    }
    this.best = threshold ?? (this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
  }

  override onTrainBegin(): void {
    this.lastBatchSeen = -1;
    this.batchesSinceSave = 0;
    this.warned = false;
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    // A batch index not above the last one seen starts a new epoch.
    this.batchesSinceSave += batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.lastBatchSeen = batch;
    if (this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    await this.save(this.currentEpoch, batch, logs);
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') await this.save(epoch, undefined, logs);
  }

  private async save(epoch: number, batch: number | undefined, logs: Logs): Promise<void> {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch !== undefined) values.batch = batch + 1;
    const filepath = formatCheckpointPath(this.filepath, values);
    if (!this.saveBestOnly) {
      if (this.verbose) console.log(`Epoch ${epoch + 1}: saving model to ${filepath}`);
      await this.write(filepath);
      return;
    }
    const current = logs[this.monitor];
    if (current === undefined) {
      if (!this.warned) {
        this.warned = true;
        console.warn(
          `modelCheckpoint: can save the best model only with ${JSON.stringify(this.monitor)} in the logs, which hold ${Object.keys(logs).join(', ') || 'nothing'}; skipping${this.monitor.startsWith('val_') ? ' (validation logs need validationData or validationSplit)' : ''}`,
        );
      }
      return;
    }
    if (this.mode === 'min' ? current < this.best : current > this.best) {
      if (this.verbose) {
        console.log(
          `Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best.toFixed(5)} to ${current.toFixed(5)}, saving model to ${filepath}`,
        );
      }
      this.best = current;
      await this.write(filepath);
    } else if (this.verbose) {
      console.log(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best.toFixed(5)}`);
    }
  }

  private async write(filepath: string): Promise<void> {
    await this.writer(this.model, filepath, this.saveWeightsOnly);
    this.saved.push(filepath);
  }
}
