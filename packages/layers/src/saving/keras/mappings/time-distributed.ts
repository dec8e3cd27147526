/** Keras' `TimeDistributed`. */
import { TimeDistributed } from '../../../layers/time-distributed.js';
import type { KerasLayerMapping } from '../mapping.js';

export const timeDistributedMapping: KerasLayerMapping<TimeDistributed> = {
  className: 'TimeDistributed',

  fromKeras(reader, context) {
    const args = reader.layerArgs();
    const inner = context.layerFromKeras(reader.get('layer'), `${reader.where} option layer`);
    return new TimeDistributed(inner, args);
  },

  toKeras: (layer, context) => ({
    class_name: 'TimeDistributed',
    config: { ...context.commonConfig(), layer: context.layerToKeras(layer.layer) },
  }),

  // tfjs-layers adds no scope of the inner layer: `time_distributed/kernel`.
  kerasWeightNames: (layer, scope, context) => context.weightNames(layer.layer, scope),
};
