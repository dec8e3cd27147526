/**
 * Keras `Multiply`: the elementwise product of two or more tensors of the same shape (a gate). Masks combine as for
 * every merge layer (`merge.ts`).
 */
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { knownSizes } from './add.js';
import { Merge } from './merge.js';

export type MultiplyArgs = LayerArgs;

export class Multiply extends Merge {
  readonly className = 'Multiply';

  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    return knownSizes(shapes);
  }

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    const b = ctx.backend;
    return inputs.slice(1).reduce((product, x) => b.mul(product, x), inputs[0]!);
  }

  static fromConfig(config: Record<string, unknown>): Multiply {
    return new Multiply(config as MultiplyArgs);
  }
}

/**
 * Multiplies its inputs elementwise.
 *
 * @example
 * const gated = multiply().apply([values, dense({ units: 8, activation: 'sigmoid' }).apply(values)]);
 */
export function multiply(args: MultiplyArgs = {}): Multiply {
  return new Multiply(args);
}
