/**
 * Early stopping (Keras 3's `EarlyStopping`): stop training when a monitored log has stopped improving for
 * `patience` epochs, optionally restoring the weights of the best epoch when training ends. A monitored log that is
 * not in the logs (a misspelt name, `val_loss` without validation data) is warned about once per run, as Keras does.
 */
import { checkBoolean, checkOptions } from '@seqmodel/core';
import { checkCount, checkFinite, checkVerbose } from '../checks.js';
import { Callback, type Logs } from './callback.js';
import { MonitoredLog, type MonitorMode } from './monitor.js';

export interface EarlyStoppingOptions {
  /** The log to watch (default `val_loss`). */
  readonly monitor?: string;
  /** The smallest change that counts as an improvement (default 0; its sign is ignored). */
  readonly minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  readonly patience?: number;
  /** `min`, `max`, or `auto` (default): `max` for names ending in `acc`, `accuracy` or `auc`, else `min`. */
  readonly mode?: MonitorMode;
  /** Stop unless the monitored value beats this (default none). */
  readonly baseline?: number;
  /** Put back the weights of the best epoch when training ends (default false). */
  readonly restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (warm-up; default 0). */
  readonly startFromEpoch?: number;
  /** Print a line when stopping and restoring (default false; 0 or 1 as in Keras too). */
  readonly verbose?: boolean | 0 | 1;
}

export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: boolean;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch training was stopped at (0 when it was not). */
  stoppedEpoch = 0;
  best: number | undefined;
  bestEpoch = 0;
  private bestWeights: unknown[] | undefined;
  private readonly watched: MonitoredLog;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    checkOptions('earlyStopping options', options, [
      'monitor',
      'minDelta',
      'patience',
      'mode',
      'baseline',
      'restoreBestWeights',
      'startFromEpoch',
      'verbose',
    ]);
    this.minDelta = Math.abs(checkFinite('earlyStopping minDelta', options.minDelta ?? 0));
    this.watched = new MonitoredLog(
      'earlyStopping',
      options.monitor ?? 'val_loss',
      options.mode ?? 'auto',
      this.minDelta,
    );
    this.monitor = this.watched.monitor;
    this.mode = this.watched.mode;
    this.patience = checkCount('earlyStopping patience', options.patience ?? 0);
    this.baseline =
      options.baseline === undefined ? undefined : checkFinite('earlyStopping baseline', options.baseline);
    this.restoreBestWeights = checkBoolean(
      'earlyStopping restoreBestWeights',
      options.restoreBestWeights ?? false,
    );
    this.startFromEpoch = checkCount('earlyStopping startFromEpoch', options.startFromEpoch ?? 0);
    this.verbose = checkVerbose('earlyStopping verbose', options.verbose ?? false);
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = undefined;
    this.bestEpoch = 0;
    this.watched.reset();
    this.dropBestWeights();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const current = this.watched.read(logs, this.params);
    if (current === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === undefined) this.bestWeights = this.model.getWeights();
    this.wait += 1;
    if (this.watched.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) {
        this.dropBestWeights();
        this.bestWeights = this.model.getWeights();
      }
      if (this.baseline === undefined || this.watched.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== undefined) {
      if (this.verbose)
        console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model.setWeights(this.bestWeights);
    }
    this.dropBestWeights();
  }

  private dropBestWeights(): void {
    if (this.bestWeights !== undefined) this.model.backend.dispose(this.bestWeights);
    this.bestWeights = undefined;
  }
}

/** Early stopping; see `EarlyStoppingOptions`. */
export function earlyStopping(options?: EarlyStoppingOptions): EarlyStopping {
  return new EarlyStopping(options);
}
