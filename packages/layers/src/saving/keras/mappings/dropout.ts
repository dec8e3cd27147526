/**
 * Keras' `Dropout`, `SpatialDropout1D`, `GaussianDropout` and `AlphaDropout` (tfjs-layers 4.22 has all four; its
 * AlphaDropout drops entries to +λα, not −λα, in training: inference, which is what a saved model is for, is the
 * same).
 */
import { AlphaDropout } from '../../../layers/alpha-dropout.js';
import { Dropout, type DropoutArgs } from '../../../layers/dropout.js';
import { GaussianDropout } from '../../../layers/gaussian-dropout.js';
import { SpatialDropout1D } from '../../../layers/spatial-dropout-1d.js';
import type { KerasLayerMapping } from '../mapping.js';

/** Dropout's options as Keras writes them (`rate`, `noise_shape`, `seed`), for `make` and back. */
function dropoutLike<L extends Dropout>(
  className: string,
  make: (args: DropoutArgs) => L,
): KerasLayerMapping<L> {
  return {
    className,
    fromKeras(reader) {
      const args: Record<string, unknown> = { ...reader.layerArgs(), rate: reader.rate('rate') };
      const noiseShape = reader.get('noise_shape');
      if (noiseShape !== undefined) {
        if (!Array.isArray(noiseShape)) reader.fail('noise_shape', noiseShape, 'an array or null');
        args.noiseShape = noiseShape;
      }
      return make({ ...args, seed: reader.seed() } as never);
    },
    toKeras: (layer, context) => ({
      class_name: className,
      config: {
        ...context.commonConfig(),
        rate: layer.rate,
        noise_shape: layer.noiseShape === undefined ? null : [...layer.noiseShape],
        seed: layer.seed ?? null,
      },
    }),
  };
}

export const dropoutMapping = dropoutLike('Dropout', (args) => new Dropout(args));
export const alphaDropoutMapping = dropoutLike('AlphaDropout', (args) => new AlphaDropout(args));

export const gaussianDropoutMapping: KerasLayerMapping<GaussianDropout> = {
  className: 'GaussianDropout',
  fromKeras: (reader) =>
    new GaussianDropout({ ...reader.layerArgs(), rate: reader.rate('rate'), seed: reader.seed() }),
  toKeras: (layer, context) => ({
    class_name: 'GaussianDropout',
    config: { ...context.commonConfig(), rate: layer.rate, seed: layer.seed ?? null },
  }),
};

export const spatialDropout1dMapping: KerasLayerMapping<SpatialDropout1D> = {
  className: 'SpatialDropout1D',

  fromKeras(reader) {
    // Keras 2 writes the noise shape it fixes (null or [batch, 1, features]); Keras 3 writes none.
    reader.ignore('noise_shape');
    return new SpatialDropout1D({ ...reader.layerArgs(), rate: reader.rate('rate'), seed: reader.seed() });
  },

  toKeras: (layer, context) => ({
    class_name: 'SpatialDropout1D',
    config: { ...context.commonConfig(), rate: layer.rate, seed: layer.seed ?? null },
  }),
};
