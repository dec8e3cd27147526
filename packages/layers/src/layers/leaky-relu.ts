/**
 * Keras `LeakyReLU`: `x` where `x > 0`, `negativeSlope · x` elsewhere (the gradient at 0 is the slope's, as
 * TensorFlow's). Keras 3 calls the slope `negative_slope` (default 0.3); Keras 2 and tfjs-layers `alpha`. Masks pass
 * through.
 */
import { type Backend, checkNumberInRange } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

/** `x` where `x > 0`, `slope · x` elsewhere (also ReLU's slope-only case). */
export function leakyRelu<T>(b: Backend<T>, x: T, slope: number): T {
  return b.where(b.greater(x, 0), x, b.mul(x, slope));
}

export interface LeakyReLUArgs extends LayerArgs {
  /** The slope below 0 (default 0.3, Keras'; PyTorch's `nn.LeakyReLU` uses 0.01). */
  readonly negativeSlope?: number;
}

export class LeakyReLU extends Layer {
  readonly className = 'LeakyReLU';
  override readonly supportsMasking = true;
  readonly negativeSlope: number;

  constructor(args: LeakyReLUArgs = {}) {
    checkLayerOptions('leakyReLU', args, ['negativeSlope']);
    super(args);
    this.negativeSlope = checkNumberInRange(
      'leakyReLU negativeSlope',
      args.negativeSlope ?? 0.3,
      0,
      Infinity,
    );
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [leakyRelu(ctx.backend, inputs[0]!, this.negativeSlope)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), negativeSlope: this.negativeSlope };
  }

  static fromConfig(config: Record<string, unknown>): LeakyReLU {
    return new LeakyReLU(config as LeakyReLUArgs);
  }
}

/**
 * A leaky rectifier: a small slope below zero instead of none.
 *
 * @example
 * leakyReLU({ negativeSlope: 0.1 });
 */
export function leakyReLU(args: LeakyReLUArgs = {}): LeakyReLU {
  return new LeakyReLU(args);
}
