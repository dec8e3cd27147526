/** Keras' `Dense`. */
import { Dense } from '../../../layers/dense.js';
import type { KerasLayerMapping } from '../mapping.js';
import { kernelLayerKerasConfig, readKernelLayerOptions } from './kernel-options.js';

export const denseMapping: KerasLayerMapping<Dense> = {
  className: 'Dense',

  fromKeras(reader) {
    return new Dense({
      ...reader.layerArgs(),
      units: reader.positiveInteger('units'),
      ...readKernelLayerOptions(reader),
    } as never);
  },

  toKeras(layer, context) {
    return {
      class_name: 'Dense',
      config: {
        ...context.commonConfig(),
        units: layer.units,
        ...kernelLayerKerasConfig(layer, context),
      },
    };
  },
};
