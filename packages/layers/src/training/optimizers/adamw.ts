/**
 * AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as Keras 3 applies it: before each Adam update,
 * `w ← w − w · weightDecay · lr` (the learning rate of the step, schedules included). Default weight decay 0.004.
 */
import { invalidArgument, isPlainObject } from '@seqmodel/core';
import { Adam, type AdamOptions } from './adam.js';

export interface AdamWOptions extends AdamOptions {
  /** Default 0.004 (Keras 3). */
  readonly weightDecay?: number;
}

export class AdamW extends Adam {
  override readonly className = 'AdamW';

  constructor(options: AdamWOptions = {}) {
    if (!isPlainObject(options as unknown)) invalidArgument('adamw(options)', options, 'an options object');
    super({ ...options, weightDecay: options.weightDecay ?? 0.004 }, 'adamw');
  }
}

/** AdamW (`'adamw'`). */
export function adamW(options?: AdamWOptions): AdamW {
  return new AdamW(options);
}
