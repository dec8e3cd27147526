/** Keras `Activation`: applies a named activation (`softmax` along the last axis). Masks pass through. */
import { type ActivationName, getActivation } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface ActivationArgs extends LayerArgs {
  readonly activation: ActivationName;
}

export class Activation extends Layer {
  readonly className = 'Activation';
  override readonly supportsMasking = true;
  readonly activation: ActivationName;

  constructor(args: ActivationArgs) {
    checkLayerOptions('activation', args, ['activation']);
    super(args);
    getActivation(args.activation, 'activation activation');
    this.activation = args.activation;
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    // A new tensor even for `linear`, so outputs never alias inputs.
    if (this.activation === 'linear') return [b.reshape(x, b.shape(x))];
    return [getActivation(this.activation)(b, x)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation };
  }

  static fromConfig(config: Record<string, unknown>): Activation {
    return new Activation(config as unknown as ActivationArgs);
  }
}

/** A named activation as a layer. */
export function activation(args: ActivationArgs): Activation {
  return new Activation(args);
}
