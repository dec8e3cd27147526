/**
 * Keras `Add`: the elementwise sum of two or more tensors of the same shape (a residual connection, token plus position
 * embeddings). Masks combine as for every merge layer (`merge.ts`).
 */
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { Merge } from './merge.js';

export type AddArgs = LayerArgs;

export class Add extends Merge {
  readonly className = 'Add';

  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    return knownSizes(shapes);
  }

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    const b = ctx.backend;
    return inputs.slice(1).reduce((sum, x) => b.add(sum, x), inputs[0]!);
  }

  static fromConfig(config: Record<string, unknown>): Add {
    return new Add(config as AddArgs);
  }
}

/** Per axis, the size any input knows (inputs whose shapes fit each other). */
export function knownSizes(shapes: readonly ShapeSpec[]): ShapeSpec {
  return shapes[0]!.map((_, axis) => shapes.find((s) => s[axis] !== null)?.[axis] ?? null);
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
