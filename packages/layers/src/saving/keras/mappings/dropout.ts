/** Keras' `Dropout` and `SpatialDropout1D`. */
import { Dropout } from '../../../layers/dropout.js';
import { SpatialDropout1D } from '../../../layers/spatial-dropout-1d.js';
import type { KerasLayerMapping } from '../mapping.js';

export const dropoutMapping: KerasLayerMapping<Dropout> = {
  className: 'Dropout',

  fromKeras(reader) {
    const args: Record<string, unknown> = { ...reader.layerArgs(), rate: reader.rate('rate') };
    const noiseShape = reader.get('noise_shape');
    if (noiseShape !== undefined) {
      if (!Array.isArray(noiseShape)) reader.fail('noise_shape', noiseShape, 'an array or null');
      args.noiseShape = noiseShape;
    }
    return new Dropout({ ...args, seed: reader.seed() } as never);
  },

  toKeras: (layer, context) => ({
    class_name: 'Dropout',
    config: {
      ...context.commonConfig(),
      rate: layer.rate,
      noise_shape: layer.noiseShape === undefined ? null : [...layer.noiseShape],
      seed: layer.seed ?? null,
    },
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
