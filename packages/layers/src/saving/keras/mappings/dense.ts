/** Keras' `Dense`. */
import { Dense } from '../../../layers/dense.js';
import type { KerasLayerMapping } from '../mapping.js';

export const denseMapping: KerasLayerMapping<Dense> = {
  className: 'Dense',

  fromKeras(reader) {
    const args: Record<string, unknown> = {
      ...reader.layerArgs(),
      units: reader.positiveInteger('units'),
      activation: reader.activation('activation', 'linear'),
      useBias: reader.boolean('use_bias', true),
    };
    const kernel = reader.initializer('kernel_initializer');
    if (kernel !== undefined) args.kernelInitializer = kernel;
    const bias = reader.initializer('bias_initializer');
    if (bias !== undefined) args.biasInitializer = bias;
    reader.ignoreTrainingOnly('kernel', 'bias');
    reader.rejectLoraAndQuantization();
    return new Dense(args as never);
  },

  toKeras(layer, context) {
    return {
      class_name: 'Dense',
      config: {
        ...context.commonConfig(),
        units: layer.units,
        activation: context.activation('activation', layer.activation),
        use_bias: layer.useBias,
        kernel_initializer: context.initializer('kernelInitializer', layer.kernelInitializer),
        bias_initializer: context.initializer('biasInitializer', layer.biasInitializer),
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
    };
  },
};
