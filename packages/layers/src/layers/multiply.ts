/**
 * Keras `Multiply`: the elementwise product of two or more tensors of the same shape (a gate). Masks combine as for
 * every merge layer (`merge.ts`).
 */
import type { Backend } from '@seqmodel/core';
import type { LayerArgs } from '../engine/layer.js';
import { ElementwiseMerge } from './merge.js';

export type MultiplyArgs = LayerArgs;

export class Multiply extends ElementwiseMerge {
  readonly className = 'Multiply';

  protected combine<T>(b: Backend<T>, a: T, x: T): T {
    return b.mul(a, x);
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
