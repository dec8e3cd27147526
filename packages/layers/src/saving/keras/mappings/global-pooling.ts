/**
 * Keras' `GlobalAveragePooling1D` and `GlobalMaxPooling1D` (channels last). tfjs-layers 4.22 has both, without
 * `keepdims` (refused when saving) and without masks: its GlobalAveragePooling1D averages every step.
 */
import { GlobalAveragePooling1D } from '../../../layers/global-average-pooling-1d.js';
import { GlobalMaxPooling1D } from '../../../layers/global-max-pooling-1d.js';
import type { GlobalPooling1D } from '../../../layers/global-pooling.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

function pooling<L extends GlobalPooling1D>(
  className: string,
  make: (args: ConstructorParameters<typeof GlobalAveragePooling1D>[0]) => L,
): KerasLayerMapping<L> {
  return {
    className,
    fromKeras(reader: KerasConfigReader) {
      const args = reader.layerArgs();
      reader.expect(
        'data_format',
        ['channels_last'],
        '"channels_last" (channels_first pools [batch, features, steps]; transpose the input instead)',
      );
      return make({ ...args, keepdims: reader.boolean('keepdims', false) });
    },
    toKeras(layer, context) {
      if (layer.keepdims) {
        context.refuse(
          'true cannot be loaded by tfjs-layers (4.22 ignores it and drops the steps axis); add a reshape after the layer, or save with saveModel',
          'keepdims',
        );
      }
      return {
        class_name: className,
        config: { ...context.commonConfig(), data_format: 'channels_last', keepdims: false },
      };
    },
  };
}

export const globalAveragePooling1dMapping = pooling(
  'GlobalAveragePooling1D',
  (a) => new GlobalAveragePooling1D(a),
);
export const globalMaxPooling1dMapping = pooling('GlobalMaxPooling1D', (a) => new GlobalMaxPooling1D(a));
