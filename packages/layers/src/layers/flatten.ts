/** Keras `Flatten`: `[batch, ...]` to `[batch, product of the rest]`. Masks stop here. */
import { sizeOfShape } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { type ShapeSpec, sizeOfSpec } from '../engine/shape-spec.js';

export type FlattenArgs = LayerArgs;

export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(args: FlattenArgs = {}) {
    checkLayerOptions('flatten', args, []);
    super(args);
    this.inputSpec = { minRank: 1, meaning: '[batch, ...]' };
  }

  override inferInputShape(shape: readonly number[]): ShapeSpec {
    return [null, ...shape.slice(1)];
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const shape = inputShapes[0]!;
    return [[shape[0] ?? null, sizeOfSpec(shape.slice(1))]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const shape = b.shape(inputs[0]!);
    return [b.reshape(inputs[0]!, [shape[0]!, sizeOfShape(shape.slice(1))])];
  }

  static fromConfig(config: Record<string, unknown>): Flatten {
    return new Flatten(config as FlattenArgs);
  }
}

/** Flattens everything but the batch axis. */
export function flatten(args: FlattenArgs = {}): Flatten {
  return new Flatten(args);
}
