/**
 * Early stopping (Keras 3's `EarlyStopping`): stop training when a monitored log has stopped improving for
 * `patience` epochs, optionally restoring the weights of the best epoch when training ends.
 */
import { checkOneOf, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { Callback, type Logs } from './callback.js';

export interface EarlyStoppingOptions {
  /** The log to watch (default `val_loss`). */
  readonly monitor?: string;
  /** The smallest change that counts as an improvement (default 0; its sign is ignored). */
  readonly minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  readonly patience?: number;
  /** `min`, `max`, or `auto` (default): `max` for names ending in `acc`, `accuracy` or `auc`, else `min`. */
  readonly mode?: 'auto' | 'min' | 'max';
  /** Stop unless the monitored value beats this (default none). */
  readonly baseline?: number;
  /** Put back the weights of the best epoch when training ends (default false). */
  readonly restoreBestWeights?: boolean;
  /** Epochs to wait before watching at all (warm-up; default 0). */
  readonly startFromEpoch?: number;
  /** Print a line when stopping and restoring (default false). */
  readonly verbose?: boolean;
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

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string')
      invalidArgument('earlyStopping monitor', options.monitor, 'a log name');
    const nonNegative = (name: string, value: number | undefined, fallback: number) => {
      const v = value ?? fallback;
      if (typeof v !== 'number' || !Number.isFinite(v))
        invalidArgument(`earlyStopping ${name}`, v, 'a finite number');
      return v;
    };
    this.minDelta = Math.abs(nonNegative('minDelta', options.minDelta, 0));
    this.patience = nonNegative('patience', options.patience, 0);
    if (!Number.isInteger(this.patience) || this.patience < 0)
      invalidArgument('earlyStopping patience', this.patience, 'an integer >= 0');
    const mode = checkOneOf('earlyStopping mode', options.mode ?? 'auto', ['auto', 'min', 'max']);
    this.mode = mode === 'auto' ? (/(acc|accuracy|auc)$/.test(this.monitor) ? 'max' : 'min') : mode;
    this.baseline = options.baseline === undefined ? undefined : nonNegative('baseline', options.baseline, 0);
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = nonNegative('startFromEpoch', options.startFromEpoch, 0);
    this.verbose = options.verbose ?? false;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = undefined;
    this.bestEpoch = 0;
    this.dropBestWeights();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      // Validation every few epochs (validationFreq): nothing to compare on the others.
      if (this.monitor.startsWith('val_') && this.params.doValidation) return;
      throw new SeqmodelError(
        `earlyStopping: the monitored log ${JSON.stringify(this.monitor)} is not in the epoch's logs (${Object.keys(logs).join(', ')})${this.monitor.startsWith('val_') ? '; validation logs need validationData or validationSplit' : ''}`,
      );
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === undefined) this.bestWeights = this.model.getWeights();
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) {
        this.dropBestWeights();
        this.bestWeights = this.model.getWeights();
      }
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
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

  private isImprovement(value: number, reference: number | undefined): boolean {
    if (reference === undefined) return true;
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
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
