/**
 * Keras `Minimum`: the elementwise minimum of two or more tensors of the same shape. Masks combine as for every merge layer (`merge.ts`).
 */
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { knownSizes } from './add.js';
import { Merge } from './merge.js';

export type MinimumArgs = LayerArgs;

export class Minimum extends Merge {
  readonly className = 'Minimum';

  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    return knownSizes(shapes);
  }

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    const b = ctx.backend;
    return inputs.slice(1).reduce((m, x) => b.minimum(m, x), inputs[0]!);
  }

  static fromConfig(config: Record<string, unknown>): Minimum {
    return new Minimum(config as MinimumArgs);
  }
}

/**
 * The elementwise minimum of its inputs.
 *
 * @example
 * minimum().apply([a, b]);
 */
export function minimum(args: MinimumArgs = {}): Minimum {
  return new Minimum(args);
}
