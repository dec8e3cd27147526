/** Keras `Identity`: passes its input through unchanged (a placeholder, or a named point in a model). Masks pass through. */
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export type IdentityArgs = LayerArgs;

export class Identity extends Layer {
  readonly className = 'Identity';
  override readonly supportsMasking = true;

  constructor(args: IdentityArgs = {}) {
    checkLayerOptions('identity', args, []);
    super(args);
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const x = inputs[0]!;
    // A new tensor, so that outputs never alias inputs.
    return [ctx.backend.reshape(x, ctx.backend.shape(x))];
  }

  static fromConfig(config: Record<string, unknown>): Identity {
    return new Identity(config as IdentityArgs);
  }
}

/** A layer that passes its input through. */
export function identity(args?: IdentityArgs): Identity {
  return new Identity(args);
}
