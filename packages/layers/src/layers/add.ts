/**
 * Keras `Add`: the elementwise sum of two or more tensors of the same shape (a residual connection, token plus position
 * embeddings). Masks combine as for every merge layer (`merge.ts`).
 */
import type { Backend } from '@seqmodel/core';
import type { LayerArgs } from '../engine/layer.js';
import { ElementwiseMerge } from './merge.js';

export type AddArgs = LayerArgs;

export class Add extends ElementwiseMerge {
  readonly className = 'Add';

  protected combine<T>(b: Backend<T>, a: T, x: T): T {
    return b.add(a, x);
  }

  static fromConfig(config: Record<string, unknown>): Add {
    return new Add(config as AddArgs);
  }
}

/**
 * Sums its inputs elementwise.
 *
 * @example
 * const y = add().apply([x, attended]); // a residual connection
 */
export function add(args: AddArgs = {}): Add {
  return new Add(args);
}
