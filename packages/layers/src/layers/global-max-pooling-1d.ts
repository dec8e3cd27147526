/**
 * Keras `GlobalMaxPooling1D`: the maximum over the steps of `[batch, steps, features]`. As in Keras 3 (and
 * tfjs-layers) it takes no mask: masked steps count like the others, and the mask stops here.
 */
import type { CallContext } from '../engine/context.js';
import { GlobalPooling1D, type GlobalPooling1DArgs } from './global-pooling.js';

export type GlobalMaxPooling1DArgs = GlobalPooling1DArgs;

export class GlobalMaxPooling1D extends GlobalPooling1D {
  readonly className = 'GlobalMaxPooling1D';

  constructor(args: GlobalMaxPooling1DArgs = {}) {
    super('globalMaxPooling1d', args);
  }

  protected pool<T>(ctx: CallContext<T>, x: T, _mask: T | undefined): T {
    return ctx.backend.max(x, 1, this.keepdims);
  }

  static fromConfig(config: Record<string, unknown>): GlobalMaxPooling1D {
    return new GlobalMaxPooling1D(config as GlobalMaxPooling1DArgs);
  }
}

/** The maximum over the time axis. */
export function globalMaxPooling1d(args: GlobalMaxPooling1DArgs = {}): GlobalMaxPooling1D {
  return new GlobalMaxPooling1D(args);
}
