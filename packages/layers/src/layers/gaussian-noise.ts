/**
 * Keras `GaussianNoise`: in training, adds zero-mean normal noise of standard deviation `stddev` to every entry (a
 * regularizer, and data augmentation for real-valued sequences); at inference, passes the input through. The noise is
 * drawn host-side from the pass's seeded stream (or from the layer's own `seed`), so a seed reproduces it on every
 * backend. Masks pass through.
 */
import { checkNumberInRange } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { normalNoise } from '../engine/tensor-utils.js';
import { CallRandomness } from './call-randomness.js';

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise (0 or more). */
  readonly stddev: number;
  /** The layer's own seed: the noise then comes from this stream, advanced on every training call. */
  readonly seed?: number;
}

export class GaussianNoise extends Layer {
  readonly className = 'GaussianNoise';
  override readonly supportsMasking = true;
  readonly stddev: number;
  private readonly randomness: CallRandomness;

  constructor(args: GaussianNoiseArgs) {
    checkLayerOptions('gaussianNoise', args, ['stddev', 'seed']);
    super(args);
    this.stddev = checkNumberInRange('gaussianNoise stddev', args.stddev, 0, Infinity);
    this.randomness = new CallRandomness('gaussianNoise seed', args.seed);
  }

  /** The layer's own seed, if it has one. */
  get seed(): number | undefined {
    return this.randomness.seed;
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const shape = b.shape(x);
    if (!ctx.training || this.stddev === 0) return [b.reshape(x, shape)];
    return [b.add(x, normalNoise(b, this.randomness.next(ctx, this.path), shape, 0, this.stddev))];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      stddev: this.stddev,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }

  static fromConfig(config: Record<string, unknown>): GaussianNoise {
    return new GaussianNoise(config as unknown as GaussianNoiseArgs);
  }
}

/**
 * Adds normal noise in training.
 *
 * @example
 * gaussianNoise({ stddev: 0.1 });
 */
export function gaussianNoise(args: GaussianNoiseArgs): GaussianNoise {
  return new GaussianNoise(args);
}
