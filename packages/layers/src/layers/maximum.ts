/**
 * Keras `Maximum`: the elementwise maximum of two or more tensors of the same shape. Masks combine as for every merge layer (`merge.ts`).
 */
import type { Backend } from '@seqmodel/core';
import type { LayerArgs } from '../engine/layer.js';
import { ElementwiseMerge } from './merge.js';

export type MaximumArgs = LayerArgs;

export class Maximum extends ElementwiseMerge {
  readonly className = 'Maximum';

  protected combine<T>(b: Backend<T>, a: T, x: T): T {
    return b.maximum(a, x);
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
