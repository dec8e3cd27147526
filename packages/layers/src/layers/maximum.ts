/**
 * Keras `Maximum`: the elementwise maximum of two or more tensors of the same shape. Masks combine as for every merge layer (`merge.ts`).
 */
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { knownSizes } from './add.js';
import { Merge } from './merge.js';

export type MaximumArgs = LayerArgs;

export class Maximum extends Merge {
  readonly className = 'Maximum';

  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    return knownSizes(shapes);
  }

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    const b = ctx.backend;
    return inputs.slice(1).reduce((m, x) => b.maximum(m, x), inputs[0]!);
  }

  static fromConfig(config: Record<string, unknown>): Maximum {
    return new Maximum(config as MaximumArgs);
  }
}

/**
 * The elementwise maximum of its inputs.
 *
 * @example
 * maximum().apply([a, b]);
 */
export function maximum(args: MaximumArgs = {}): Maximum {
  return new Maximum(args);
}
