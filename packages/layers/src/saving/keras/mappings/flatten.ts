/** Keras' `Flatten`. */
import { Flatten } from '../../../layers/flatten.js';
import type { KerasLayerMapping } from '../mapping.js';

export const flattenMapping: KerasLayerMapping<Flatten> = {
  className: 'Flatten',

  fromKeras(reader) {
    const args = reader.layerArgs();
    reader.expect(
      'data_format',
      ['channels_last'],
      '"channels_last" (channels_first flattens in another order)',
    );
    return new Flatten(args);
  },

  toKeras: (_layer, context) => ({ class_name: 'Flatten', config: context.commonConfig() }),
};
