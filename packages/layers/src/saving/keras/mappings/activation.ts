/** Keras' `Activation`. */
import { Activation } from '../../../layers/activation.js';
import type { KerasLayerMapping } from '../mapping.js';

export const activationMapping: KerasLayerMapping<Activation> = {
  className: 'Activation',
  fromKeras: (reader) =>
    new Activation({ ...reader.layerArgs(), activation: reader.activation('activation', 'linear') }),
  toKeras: (layer, context) => ({
    class_name: 'Activation',
    config: { ...context.commonConfig(), activation: context.activation('activation', layer.activation) },
  }),
};
