/**
 * Keras `Minimum`: the elementwise minimum of two or more tensors of the same shape. Masks combine as for every merge layer (`merge.ts`).
 */
import type { Backend } from '@seqmodel/core';
import type { LayerArgs } from '../engine/layer.js';
import { ElementwiseMerge } from './merge.js';

export type MinimumArgs = LayerArgs;

export class Minimum extends ElementwiseMerge {
  readonly className = 'Minimum';

  protected combine<T>(b: Backend<T>, a: T, x: T): T {
    return b.minimum(a, x);
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
