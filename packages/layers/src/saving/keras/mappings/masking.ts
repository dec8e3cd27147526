/** Keras' `Masking`. */
import { Masking } from '../../../layers/masking.js';
import type { KerasLayerMapping } from '../mapping.js';

export const maskingMapping: KerasLayerMapping<Masking> = {
  className: 'Masking',
  fromKeras: (reader) => new Masking({ ...reader.layerArgs(), maskValue: reader.number('mask_value', 0) }),
  toKeras: (layer, context) => ({
    class_name: 'Masking',
    config: { ...context.commonConfig(), mask_value: layer.maskValue },
  }),
};
