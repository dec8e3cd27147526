/**
 * Keras `GaussianDropout`: in training, multiplies every entry by normal noise of mean 1 and standard deviation
 * `√(rate / (1 − rate))` (the variance of inverted dropout at that rate, without its zeros); at inference, passes the
 * input through. Dropout with another draw: the noise comes host-side from the pass's seeded stream (or from the
 * layer's own `seed`), so a seed reproduces it on every backend. Masks pass through.
 */
import type { Backend, Rng } from '@seqmodel/core';
import { checkLayerOptions } from '../engine/layer.js';
import { normalNoise } from '../engine/tensor-utils.js';
import { Dropout, type DropoutArgs } from './dropout.js';

export type GaussianDropoutArgs = Omit<DropoutArgs, 'noiseShape'>;

export class GaussianDropout extends Dropout {
  override readonly className: string = 'GaussianDropout';

  constructor(args: GaussianDropoutArgs) {
    checkLayerOptions('gaussianDropout', args, ['rate', 'seed']);
    super(args, 'gaussianDropout');
  }

  protected override drop<T>(b: Backend<T>, x: T, rng: Rng, shape: readonly number[]): T {
    return b.mul(x, normalNoise(b, rng, shape, 1, Math.sqrt(this.rate / (1 - this.rate))));
  }

  static override fromConfig(config: Record<string, unknown>): GaussianDropout {
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
