/**
 * What `earlyStopping` and `reduceLROnPlateau` share (Keras 3's `MonitorCallback`): a log to watch, whether lower or
 * higher is better, what counts as an improvement, and a warning, once per run, when the log is not there to watch.
 */
import { checkOneOf, didYouMean, invalidArgument } from '@seqmodel/core';
import type { Logs, TrainingParams } from './callback.js';

/** `min`, `max`, or `auto`: `max` for names ending in `acc`, `accuracy` or `auc`, else `min`. */
export type MonitorMode = 'auto' | 'min' | 'max';

export class MonitoredLog {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private warned = false;

  /** `owner` names the callback in messages (`earlyStopping`). */
  constructor(
    private readonly owner: string,
    monitor: unknown,
    mode: unknown,
    readonly minDelta: number,
  ) {
    if (typeof monitor !== 'string' || monitor === '')
      invalidArgument(`${owner} monitor`, monitor, 'a log name');
    this.monitor = monitor;
    const m = checkOneOf(`${owner} mode`, mode, ['auto', 'min', 'max']);
    this.mode = m === 'auto' ? (/(acc|accuracy|auc)$/.test(monitor) ? 'max' : 'min') : m;
  }

  /** Starts a run: the warning may be given again. */
  reset(): void {
    this.warned = false;
  }

  /**
   * The monitored value in an epoch's logs, or undefined. A value missing on an epoch that did not validate
   * (`validationFreq`) is expected; otherwise the callback would never act, so it warns (once per run) with the logs
   * there are and the closest name, as Keras does.
   */
  read(logs: Logs, params: TrainingParams): number | undefined {
    const value = logs[this.monitor];
    if (value !== undefined) return value;
    if (params.doValidation && params.metrics.includes(this.monitor)) return undefined;
    if (!this.warned) {
      this.warned = true;
      const names = Object.keys(logs);
      const validationHint =
        this.monitor.startsWith('val_') && !params.doValidation
          ? '; validation logs need validationData or validationSplit in fit'
          : '';
      console.warn(
        `${this.owner}: the monitored log ${JSON.stringify(this.monitor)} is not in the epoch's logs${didYouMean(this.monitor, names)}, so the callback does nothing; logs: ${names.join(', ') || '(none)'}${validationHint}`,
      );
    }
    return undefined;
  }

  /** Whether `value` beats `reference` by more than `minDelta` in the monitored direction (always, with no reference). */
  isImprovement(value: number, reference: number | undefined): boolean {
    if (reference === undefined) return true;
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }
}
