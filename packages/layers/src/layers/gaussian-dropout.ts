/**
 * Keras `GaussianDropout`: in training, multiplies every entry by normal noise of mean 1 and standard deviation
 * `√(rate / (1 − rate))` (the variance of inverted dropout at that rate, without its zeros); at inference, passes the
 * input through. The noise is drawn host-side from the pass's seeded stream (or from the layer's own `seed`), so a
 * seed reproduces it on every backend. Masks pass through.
 */
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { checkDropoutRate, normalNoise } from '../engine/tensor-utils.js';
import { CallRandomness } from './call-randomness.js';

export interface GaussianDropoutArgs extends LayerArgs {
  /** The dropout rate the noise stands for, in [0, 1). */
  readonly rate: number;
  /** The layer's own seed: the noise then comes from this stream, advanced on every training call. */
  readonly seed?: number;
}

export class GaussianDropout extends Layer {
  readonly className = 'GaussianDropout';
  override readonly supportsMasking = true;
  readonly rate: number;
  private readonly randomness: CallRandomness;

  constructor(args: GaussianDropoutArgs) {
    checkLayerOptions('gaussianDropout', args, ['rate', 'seed']);
    super(args);
    this.rate = checkDropoutRate('gaussianDropout rate', args.rate);
    this.randomness = new CallRandomness('gaussianDropout seed', args.seed);
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
    if (!ctx.training || this.rate === 0) return [b.reshape(x, shape)];
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    return [b.mul(x, normalNoise(b, this.randomness.next(ctx, this.path), shape, 1, stddev))];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rate: this.rate,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }

  static fromConfig(config: Record<string, unknown>): GaussianDropout {
    return new GaussianDropout(config as unknown as GaussianDropoutArgs);
  }
}

/**
 * Multiplies by normal noise of mean 1 in training.
 *
 * @example
 * gaussianDropout({ rate: 0.2 });
 */
export function gaussianDropout(args: GaussianDropoutArgs): GaussianDropout {
  return new GaussianDropout(args);
}
