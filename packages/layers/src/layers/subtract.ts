/**
 * Keras `Subtract`: the elementwise difference `inputs[0] − inputs[1]` of exactly two tensors of the same shape. Masks
 * combine as for every merge layer (`merge.ts`).
 */
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { knownSizes } from './add.js';
import { Merge } from './merge.js';

export type SubtractArgs = LayerArgs;

export class Subtract extends Merge {
  readonly className = 'Subtract';

  /** Exactly two inputs. */
  override get maxInputCount(): number {
    return 2;
  }

  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    return knownSizes(shapes);
  }

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    return ctx.backend.sub(inputs[0]!, inputs[1]!);
  }

  static fromConfig(config: Record<string, unknown>): Subtract {
    return new Subtract(config as SubtractArgs);
  }
}

/**
 * The difference of its two inputs, the first minus the second.
 *
 * @example
 * subtract().apply([a, b]); // a − b
 */
export function subtract(args: SubtractArgs = {}): Subtract {
  return new Subtract(args);
}
