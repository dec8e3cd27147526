/** Keras' `GaussianNoise` and `LeakyReLU` (tfjs-layers 4.22 has both; it names LeakyReLU's slope `alpha`). */
import { GaussianNoise } from '../../../layers/gaussian-noise.js';
import { LeakyReLU } from '../../../layers/leaky-relu.js';
import type { KerasLayerMapping } from '../mapping.js';

export const gaussianNoiseMapping: KerasLayerMapping<GaussianNoise> = {
  className: 'GaussianNoise',
  fromKeras(reader) {
    const stddev = reader.number('stddev', Number.NaN);
    if (Number.isNaN(stddev) || stddev < 0) reader.fail('stddev', reader.get('stddev'), 'a number 0 or more');
    return new GaussianNoise({ ...reader.layerArgs(), stddev, seed: reader.seed() });
  },
  toKeras: (layer, context) => ({
    class_name: 'GaussianNoise',
    config: { ...context.commonConfig(), stddev: layer.stddev, seed: layer.seed ?? null },
  }),
};

export const leakyReluMapping: KerasLayerMapping<LeakyReLU> = {
  className: 'LeakyReLU',
  fromKeras(reader) {
    // Keras 3 writes negative_slope (and may keep a legacy alpha beside it); Keras 2 and tfjs-layers write alpha.
    const slope = reader.has('negative_slope')
      ? reader.number('negative_slope', 0.3)
      : reader.number('alpha', 0.3);
    reader.ignore('alpha');
    return new LeakyReLU({ ...reader.layerArgs(), negativeSlope: slope });
  },
  toKeras: (layer, context) => ({
    class_name: 'LeakyReLU',
    config: { ...context.commonConfig(), alpha: layer.negativeSlope },
  }),
};
