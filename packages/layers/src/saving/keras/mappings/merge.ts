/** Keras' merge layers `Add`, `Multiply` and `Concatenate`, called on a list of tensors. */
import { Add } from '../../../layers/add.js';
import { Concatenate } from '../../../layers/concatenate.js';
import { Multiply } from '../../../layers/multiply.js';
import type { KerasLayerMapping } from '../mapping.js';

export const addMapping: KerasLayerMapping<Add> = {
  className: 'Add',
  fromKeras: (reader) => new Add(reader.layerArgs()),
  toKeras: (_layer, context) => ({ class_name: 'Add', config: context.commonConfig() }),
};

export const multiplyMapping: KerasLayerMapping<Multiply> = {
  className: 'Multiply',
  fromKeras: (reader) => new Multiply(reader.layerArgs()),
  toKeras: (_layer, context) => ({ class_name: 'Multiply', config: context.commonConfig() }),
};

export const concatenateMapping: KerasLayerMapping<Concatenate> = {
  className: 'Concatenate',
  fromKeras: (reader) => new Concatenate({ ...reader.layerArgs(), axis: reader.number('axis', -1) }),
  toKeras: (layer, context) => ({
    class_name: 'Concatenate',
    config: { ...context.commonConfig(), axis: layer.axis },
  }),
};
