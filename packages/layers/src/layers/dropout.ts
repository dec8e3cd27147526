/**
 * Keras `Dropout`: in training, zeroes each entry with probability `rate` and scales the rest by `1 / (1 - rate)`;
 * at inference, passes the input through. The mask is drawn host-side from the pass's seeded stream (or from the
 * layer's own `seed`), so a seed reproduces it on every backend. `noiseShape` shares the mask along axes of size 1
 * (`[null, 1, null]`: one mask per sequence for every time step). Masks pass through.
 */
import { type Backend, type Rng, SeqmodelError } from '@seqmodel/core';
import { checkLayerOptions, type LayerArgs } from '../engine/layer.js';
import { checkShapeSpec, type Dim, type ShapeSpec } from '../engine/shape-spec.js';
import { checkDropoutRate, dropoutMask } from '../engine/tensor-utils.js';
import { TrainingNoise } from './call-randomness.js';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of entries dropped, in [0, 1). */
  readonly rate: number;
  /** Shape of the mask, broadcast over the input; `null` takes the input's size on that axis. */
  readonly noiseShape?: readonly Dim[];
  /** The layer's own seed: masks then come from this stream, advanced on every training call. */
  readonly seed?: number;
}

export class Dropout extends TrainingNoise {
  readonly className: string = 'Dropout';
  readonly rate: number;
  readonly noiseShape: ShapeSpec | undefined;

  /**
   * `factory` names the layer's factory in errors; a subclass (`SpatialDropout1D`) checks its own options first and
   * passes its name.
   */
  constructor(args: DropoutArgs, factory = 'dropout') {
    if (factory === 'dropout') checkLayerOptions('dropout', args, ['rate', 'noiseShape', 'seed']);
    super(args, `${factory} seed`);
    this.rate = checkDropoutRate(`${factory} rate`, args.rate);
    this.noiseShape =
      args.noiseShape === undefined ? undefined : checkShapeSpec(`${factory} noiseShape`, args.noiseShape);
  }

  protected get active(): boolean {
    return this.rate > 0;
  }

  /** The draw's shape: the input's, or `noiseShape` with the input's sizes for its nulls (shared along its 1s). */
  protected noisy<T>(b: Backend<T>, x: T, rng: Rng, shape: readonly number[]): T {
    let maskShape = shape;
    if (this.noiseShape !== undefined) {
      if (this.noiseShape.length !== shape.length) {
        throw new SeqmodelError(
          `${this.describe()} noiseShape: has rank ${this.noiseShape.length}, the input has rank ${shape.length}`,
        );
      }
      maskShape = this.noiseShape.map((d, i) => d ?? shape[i]!);
    }
    return this.drop(b, x, rng, maskShape);
  }

  /** `x` with the entries a mask of `maskShape` drawn from `rng` drops: zeroed, the rest scaled by `1 / (1 − rate)`. */
  protected drop<T>(b: Backend<T>, x: T, rng: Rng, maskShape: readonly number[]): T {
    return b.mul(x, dropoutMask(b, rng, maskShape, this.rate));
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rate: this.rate,
      ...(this.noiseShape === undefined ? {} : { noiseShape: [...this.noiseShape] }),
      ...this.seedConfig(),
    };
  }

  static fromConfig(config: Record<string, unknown>): Dropout {
    return new Dropout(config as unknown as DropoutArgs);
  }
}

/** Dropout (active only in training). */
export function dropout(args: DropoutArgs): Dropout {
  return new Dropout(args);
}
