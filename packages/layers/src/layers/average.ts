/**
 * Keras `Average`: the elementwise mean of two or more tensors of the same shape (Keras divides the sum by the count). Masks combine as for every merge layer (`merge.ts`).
 */
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { knownSizes } from './add.js';
import { Merge } from './merge.js';

export type AverageArgs = LayerArgs;

export class Average extends Merge {
  readonly className = 'Average';

  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    return knownSizes(shapes);
  }

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    const b = ctx.backend;
    return b.div(
      inputs.slice(1).reduce((sum, x) => b.add(sum, x), inputs[0]!),
      inputs.length,
    );
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
