/**
 * Keras `GaussianNoise`: in training, adds zero-mean normal noise of standard deviation `stddev` to every entry (a
 * regularizer, and data augmentation for real-valued sequences); at inference, passes the input through. The noise is
 * drawn host-side from the pass's seeded stream (or from the layer's own `seed`), so a seed reproduces it on every
 * backend. Masks pass through.
 */
import { type Backend, checkNumberInRange, type Rng } from '@seqmodel/core';
import { checkLayerOptions, type LayerArgs } from '../engine/layer.js';
import { normalNoise } from '../engine/tensor-utils.js';
import { TrainingNoise } from './call-randomness.js';

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise (0 or more). */
  readonly stddev: number;
  /** The layer's own seed: the noise then comes from this stream, advanced on every training call. */
  readonly seed?: number;
}

export class GaussianNoise extends TrainingNoise {
  readonly className = 'GaussianNoise';
  readonly stddev: number;

  constructor(args: GaussianNoiseArgs) {
    checkLayerOptions('gaussianNoise', args, ['stddev', 'seed']);
    super(args, 'gaussianNoise seed');
    this.stddev = checkNumberInRange('gaussianNoise stddev', args.stddev, 0, Infinity);
  }

  protected get active(): boolean {
    return this.stddev > 0;
  }

  protected noisy<T>(b: Backend<T>, x: T, rng: Rng, shape: readonly number[]): T {
    return b.add(x, normalNoise(b, rng, shape, 0, this.stddev));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      stddev: this.stddev,
      ...this.seedConfig(),
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
