/** Keras' `RepeatVector`. */
import { RepeatVector } from '../../../layers/repeat-vector.js';
import type { KerasLayerMapping } from '../mapping.js';

export const repeatVectorMapping: KerasLayerMapping<RepeatVector> = {
  className: 'RepeatVector',
  fromKeras: (reader) => new RepeatVector({ ...reader.layerArgs(), n: reader.positiveInteger('n') }),
  toKeras: (layer, context) => ({
    class_name: 'RepeatVector',
    config: { ...context.commonConfig(), n: layer.n },
  }),
};
