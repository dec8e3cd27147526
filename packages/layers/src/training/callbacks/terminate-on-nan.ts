/**
 * Keras 3's `TerminateOnNaN`: stops training at the end of the batch whose running loss is NaN or ±Infinity. By
 * default training stops as `earlyStopping` stops it (the epoch ends and every callback's `onTrainEnd` runs); with
 * `raiseError`, `fit` rejects with an error at once.
 */
import { checkBoolean, checkOptions, SeqmodelError } from '@seqmodel/core';
import { Callback, type Logs } from './callback.js';

export interface TerminateOnNaNOptions {
  /** Reject `fit` with an error instead of stopping after the batch (default false). */
  readonly raiseError?: boolean;
}

export class TerminateOnNaN extends Callback {
  readonly raiseError: boolean;

  constructor(options: TerminateOnNaNOptions = {}) {
    super();
    checkOptions('terminateOnNaN options', options, ['raiseError']);
    this.raiseError = checkBoolean('terminateOnNaN raiseError', options.raiseError ?? false);
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs.loss;
    if (loss === undefined || Number.isFinite(loss)) return;
    if (this.raiseError) {
      throw new SeqmodelError(
        `terminateOnNaN: the loss is ${loss} at batch ${batch}; training stopped (turn on the backend's checkNumerics to find the first bad value)`,
      );
    }
    console.log(`Batch ${batch}: Invalid loss, terminating training`);
    this.model.stopTraining = true;
  }
}

/** Stops training when the loss becomes NaN or infinite; see `TerminateOnNaNOptions`. */
export function terminateOnNaN(options?: TerminateOnNaNOptions): TerminateOnNaN {
  return new TerminateOnNaN(options);
}
