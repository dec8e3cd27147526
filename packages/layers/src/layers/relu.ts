/**
 * Keras `ReLU` with its options: `maxValue` caps the output, `threshold` moves the kink (`x` only above it, 0 below),
 * and `negativeSlope` scales what lies below the threshold, `negativeSlope · (x − threshold)`; computed in Keras 3's
 * order of operations. Masks pass through.
 */
import { checkNumberInRange } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { leakyRelu } from './leaky-relu.js';

export interface ReLUArgs extends LayerArgs {
  /** The largest output (default none). */
  readonly maxValue?: number;
  /** The slope below the threshold (default 0). */
  readonly negativeSlope?: number;
  /** Where the output starts to follow `x` (default 0). */
  readonly threshold?: number;
}

export class ReLU extends Layer {
  readonly className = 'ReLU';
  override readonly supportsMasking = true;
  readonly maxValue: number | undefined;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    checkLayerOptions('reLU', args, ['maxValue', 'negativeSlope', 'threshold']);
    super(args);
    this.maxValue =
      args.maxValue === undefined
        ? undefined
        : checkNumberInRange('reLU maxValue', args.maxValue, 0, Infinity);
    this.negativeSlope = checkNumberInRange('reLU negativeSlope', args.negativeSlope ?? 0, 0, Infinity);
    this.threshold = checkNumberInRange('reLU threshold', args.threshold ?? 0, -Infinity, Infinity);
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const slope = this.negativeSlope;
    if (slope !== 0 && this.maxValue === undefined && this.threshold === 0) {
      return [leakyRelu(b, x, slope)];
    }
    // Keras 3's activations.relu: the part below the threshold first, then x above it, capped, minus the slope's part.
    const below = slope === 0 ? undefined : b.relu(b.sub(this.threshold, x));
    let y = this.threshold === 0 ? b.relu(x) : b.mul(x, b.cast(b.greater(x, this.threshold), 'float32'));
    if (this.maxValue !== undefined) y = b.minimum(b.maximum(y, 0), this.maxValue);
    if (below !== undefined) y = b.sub(y, b.mul(below, slope));
    return [y];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      ...(this.maxValue === undefined ? {} : { maxValue: this.maxValue }),
      negativeSlope: this.negativeSlope,
      threshold: this.threshold,
    };
  }

  static fromConfig(config: Record<string, unknown>): ReLU {
    return new ReLU(config as ReLUArgs);
  }
}

/**
 * A rectifier with a cap, a threshold and a slope below it.
 *
 * @example
 * reLU({ maxValue: 6 }); // relu6
 */
export function reLU(args: ReLUArgs = {}): ReLU {
  return new ReLU(args);
}
