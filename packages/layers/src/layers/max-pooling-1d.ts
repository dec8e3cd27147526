/** Keras `MaxPooling1D`: the maximum of each window of steps (see `Pooling1D`). */
import type { CallContext } from '../engine/context.js';
import { Pooling1D, type Pooling1DArgs } from './pooling-1d.js';

export type MaxPooling1DArgs = Pooling1DArgs;

export class MaxPooling1D extends Pooling1D {
  readonly className = 'MaxPooling1D';
  protected readonly padValue = Number.NEGATIVE_INFINITY;

  constructor(args: MaxPooling1DArgs = {}) {
    super('maxPooling1d', args);
  }

  protected reduce<T>(ctx: CallContext<T>, taps: readonly T[]): T {
    return taps.reduce((m, t) => ctx.backend.maximum(m, t));
  }

  static fromConfig(config: Record<string, unknown>): MaxPooling1D {
    return new MaxPooling1D(config as MaxPooling1DArgs);
  }
}

/** Downsamples over time by the maximum of each window. */
export function maxPooling1d(args: MaxPooling1DArgs = {}): MaxPooling1D {
  return new MaxPooling1D(args);
}
