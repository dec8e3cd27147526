/** `History`: what `fit` returns, every epoch's logs by name (Keras' `history.history.loss`, `val_loss`, ...). */
import { Callback, type Logs } from './callback.js';

export class History extends Callback {
  /** The epochs run, numbered from 0 (from `initialEpoch`). */
  readonly epoch: number[] = [];
  /**
   * Each log name's values at the end of the epochs that reported it, in order. As in Keras, a log reported only on
   * some epochs (validation with `validationFreq > 1`) has fewer values than `epoch`.
   */
  readonly history: Record<string, number[]> = {};

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) {
      this.history[name] ??= [];
      this.history[name].push(value);
    }
  }
}
