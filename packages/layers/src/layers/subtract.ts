/**
 * Keras `Subtract`: the elementwise difference `inputs[0] − inputs[1]` of exactly two tensors of the same shape. Masks
 * combine as for every merge layer (`merge.ts`).
 */
import type { Backend } from '@seqmodel/core';
import type { LayerArgs } from '../engine/layer.js';
import { ElementwiseMerge } from './merge.js';

export type SubtractArgs = LayerArgs;

export class Subtract extends ElementwiseMerge {
  readonly className = 'Subtract';

  /** Exactly two inputs. */
  override get maxInputCount(): number {
    return 2;
  }

  protected combine<T>(b: Backend<T>, a: T, x: T): T {
    return b.sub(a, x);
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
