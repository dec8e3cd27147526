/**
 * Keras `Average`: the elementwise mean of two or more tensors of the same shape (Keras divides the sum by the count). Masks combine as for every merge layer (`merge.ts`).
 */
import type { Backend } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import { ElementwiseMerge } from './merge.js';

export type AverageArgs = LayerArgs;

export class Average extends ElementwiseMerge {
  readonly className = 'Average';

  /** The sum of the inputs (`combine`), divided by their count as Keras does. */
  protected override merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    return ctx.backend.div(super.merge(ctx, inputs), inputs.length);
  }

  protected combine<T>(b: Backend<T>, a: T, x: T): T {
    return b.add(a, x);
  }

  static fromConfig(config: Record<string, unknown>): Average {
    return new Average(config as AverageArgs);
  }
}

/**
 * Averages its inputs elementwise.
 *
 * @example
 * average().apply([forward, backward]); // two encodings of one sequence
 */
export function average(args: AverageArgs = {}): Average {
  return new Average(args);
}
