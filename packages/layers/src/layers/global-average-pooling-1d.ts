/**
 * Keras `GlobalAveragePooling1D`: the mean over the steps of `[batch, steps, features]`. With a mask (from an
 * Embedding's `maskZero`, a Masking layer or lengths) it averages the unmasked steps only, as Keras does; a row with
 * every step masked gives zeros, where Keras divides 0 by 0 (NaN). The mask stops here.
 */
import type { CallContext } from '../engine/context.js';
import { GlobalPooling1D, type GlobalPooling1DArgs } from './global-pooling.js';

export type GlobalAveragePooling1DArgs = GlobalPooling1DArgs;

export class GlobalAveragePooling1D extends GlobalPooling1D {
  readonly className = 'GlobalAveragePooling1D';

  constructor(args: GlobalAveragePooling1DArgs = {}) {
    super('globalAveragePooling1d', args);
  }

  protected pool<T>(ctx: CallContext<T>, x: T, mask: T | undefined): T {
    const b = ctx.backend;
    if (mask === undefined) {
      const steps = b.shape(x)[1]!;
      return b.div(b.sum(x, 1, this.keepdims), steps);
    }
    const [batch, steps] = b.shape(mask) as [number, number];
    const valid = b.reshape(mask, [batch, steps, 1]);
    // `where`, not a product, so that a non-finite value at a masked step stays out (as Keras).
    const total = b.sum(b.where(valid, x, 0), 1, this.keepdims);
    // At least 1: only a row with no valid step differs from Keras (its total is 0).
    const count = b.maximum(b.sum(valid, 1, this.keepdims), 1);
    return b.div(total, count);
  }

  static fromConfig(config: Record<string, unknown>): GlobalAveragePooling1D {
    return new GlobalAveragePooling1D(config as GlobalAveragePooling1DArgs);
  }
}

/** Averages over the time axis (the unmasked steps when a mask arrives). */
export function globalAveragePooling1d(args: GlobalAveragePooling1DArgs = {}): GlobalAveragePooling1D {
  return new GlobalAveragePooling1D(args);
}
