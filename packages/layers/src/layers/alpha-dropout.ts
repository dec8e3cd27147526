/**
 * Keras `AlphaDropout`: dropout for self-normalizing networks (SELU activations). In training each entry is dropped
 * with probability `rate` to SELU's negative saturation value `α' = −λα` instead of 0, then every entry is moved by
 * the affine map `a·x + b` that restores the input's mean and variance (for inputs of mean 0 and variance 1):
 * `a = ((1 − rate)(1 + rate·α'²))^−½`, `b = −a·α'·rate`. At inference it passes the input through. `noiseShape` and
 * `seed` as Dropout's; masks pass through.
 */
import { type Backend, type Rng, sizeOfShape } from '@seqmodel/core';
import { checkLayerOptions } from '../engine/layer.js';
import { Dropout, type DropoutArgs } from './dropout.js';

export type AlphaDropoutArgs = DropoutArgs;

/** SELU's λ and α (Klambauer et al., 2017), as Keras writes them. */
const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

export class AlphaDropout extends Dropout {
  override readonly className: string = 'AlphaDropout';

  constructor(args: AlphaDropoutArgs) {
    checkLayerOptions('alphaDropout', args, ['rate', 'noiseShape', 'seed']);
    super(args, 'alphaDropout');
  }

  protected override drop<T>(b: Backend<T>, x: T, rng: Rng, maskShape: readonly number[]): T {
    const rate = this.rate;
    const saturated = -SELU_ALPHA * SELU_SCALE;
    const a = ((1 - rate) * (1 + rate * saturated * saturated)) ** -0.5;
    const shift = -a * saturated * rate;
    // kept: 1 where the entry stays, 0 where it drops; then a·(x·kept + α'·(1 − kept)) + b in one product and sum.
    const size = sizeOfShape(maskShape);
    // Float64: exact on the float64 reference; float32 backends round the factors once.
    const kept = new Float64Array(size);
    const dropped = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const keep = rng.next() >= rate;
      kept[i] = keep ? a : 0;
      dropped[i] = keep ? shift : a * saturated + shift;
    }
    return b.add(b.mul(x, b.tensor(kept, maskShape)), b.tensor(dropped, maskShape));
  }

  static override fromConfig(config: Record<string, unknown>): AlphaDropout {
    return new AlphaDropout(config as unknown as AlphaDropoutArgs);
  }
}

/**
 * Dropout that keeps the mean and variance of self-normalizing (SELU) activations.
 *
 * @example
 * alphaDropout({ rate: 0.1 });
 */
export function alphaDropout(args: AlphaDropoutArgs): AlphaDropout {
  return new AlphaDropout(args);
}
