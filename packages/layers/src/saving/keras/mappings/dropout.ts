/** Keras' `Dropout`. */
import { Dropout } from '../../../layers/dropout.js';
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
    const seed = reader.get('seed');
    if (seed !== undefined) {
      if (typeof seed !== 'number' || !Number.isInteger(seed))
        reader.fail('seed', seed, 'an integer or null');
      args.seed = seed;
    }
    return new Dropout(args as never);
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
