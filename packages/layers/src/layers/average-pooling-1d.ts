/**
 * Keras `AveragePooling1D`: the mean of each window of steps (see `Pooling1D`). With `padding: 'same'` a window that
 * reaches past the sequence averages the steps it covers only, as Keras does.
 */
import type { CallContext } from '../engine/context.js';
import { Pooling1D, type Pooling1DArgs } from './pooling-1d.js';

export type AveragePooling1DArgs = Pooling1DArgs;

export class AveragePooling1D extends Pooling1D {
  readonly className = 'AveragePooling1D';
  protected readonly padValue = 0;

  constructor(args: AveragePooling1DArgs = {}) {
    super('averagePooling1d', args);
  }

  protected reduce<T>(
    ctx: CallContext<T>,
    taps: readonly T[],
    { outSteps, padLeft, steps }: { outSteps: number; padLeft: number; steps: number },
  ): T {
    const b = ctx.backend;
    const total = taps.reduce((s, t) => b.add(s, t));
    // Steps of the sequence each window covers (all of them but where 'same' padding reaches past an end).
    const counts = Float32Array.from({ length: outSteps }, (_, t) => {
      const first = t * this.strides - padLeft;
      return Math.min(first + this.poolSize, steps) - Math.max(first, 0);
    });
    return b.div(total, b.tensor(counts, [1, outSteps, 1]));
  }

  static fromConfig(config: Record<string, unknown>): AveragePooling1D {
    return new AveragePooling1D(config as AveragePooling1DArgs);
  }
}

/** Downsamples over time by the mean of each window. */
export function averagePooling1d(args: AveragePooling1DArgs = {}): AveragePooling1D {
  return new AveragePooling1D(args);
}
