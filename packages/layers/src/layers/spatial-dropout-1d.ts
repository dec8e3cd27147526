/**
 * Keras `SpatialDropout1D`: dropout of whole feature channels of `[batch, steps, features]`, one draw per sequence
 * and feature shared by every step (Dropout with `noiseShape: [null, 1, null]`), for inputs whose neighbouring steps
 * are strongly correlated (convolution outputs, embeddings). Active only in training; masks pass through.
 */
import { checkLayerOptions } from '../engine/layer.js';
import { Dropout, type DropoutArgs } from './dropout.js';

export type SpatialDropout1DArgs = Omit<DropoutArgs, 'noiseShape'>;

export class SpatialDropout1D extends Dropout {
  override readonly className: string = 'SpatialDropout1D';

  constructor(args: SpatialDropout1DArgs) {
    checkLayerOptions('spatialDropout1d', args, ['rate', 'seed']);
    super({ ...args, noiseShape: [null, 1, null] }, 'spatialDropout1d');
    this.inputSpec = { rank: 3, meaning: '[batch, steps, features]' };
  }

  override getConfig(): Record<string, unknown> {
    const { noiseShape: _fixed, ...config } = super.getConfig();
    return config;
  }

  static override fromConfig(config: Record<string, unknown>): SpatialDropout1D {
    return new SpatialDropout1D(config as unknown as SpatialDropout1DArgs);
  }
}

/** Drops whole feature channels of a sequence in training. */
export function spatialDropout1d(args: SpatialDropout1DArgs): SpatialDropout1D {
  return new SpatialDropout1D(args);
}
