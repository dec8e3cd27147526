/** Keras' `LayerNormalization` and Keras 3's `RMSNormalization`. */
import type { KerasConfigReader, KerasLayerMapping } from '@seqmodel/layers';
import { LayerNormalization } from '../layers/layer-normalization.js';
import { RMSNormalization } from '../layers/rms-normalization.js';

function axisOf(reader: KerasConfigReader): number | number[] {
  const axis = reader.get('axis') ?? -1;
  const ok = (a: unknown) => typeof a === 'number' && Number.isInteger(a);
  if (!ok(axis) && !(Array.isArray(axis) && axis.length > 0 && axis.every(ok))) {
    reader.fail('axis', axis, 'an integer or a list of integers');
  }
  return axis as number | number[];
}

export const layerNormalizationMapping: KerasLayerMapping<LayerNormalization> = {
  className: 'LayerNormalization',
  fromKeras(reader) {
    const args: Record<string, unknown> = {
      ...reader.layerArgs(),
      axis: axisOf(reader),
      epsilon: reader.number('epsilon', 1e-3),
      center: reader.boolean('center', true),
      scale: reader.boolean('scale', true),
    };
    const beta = reader.initializer('beta_initializer');
    if (beta !== undefined) args.betaInitializer = beta;
    const gamma = reader.initializer('gamma_initializer');
    if (gamma !== undefined) args.gammaInitializer = gamma;
    reader.expect('rms_scaling', [false], 'false (use RMSNormalization)');
    reader.ignoreTrainingOnly('beta', 'gamma');
    return new LayerNormalization(args as never);
  },
  toKeras(layer, context) {
    return {
      class_name: 'LayerNormalization',
      config: {
        ...context.commonConfig(),
        axis: layer.axis,
        epsilon: layer.epsilon,
        center: layer.center,
        scale: layer.scale,
        beta_initializer: context.initializer('betaInitializer', layer.betaInitializer),
        gamma_initializer: context.initializer('gammaInitializer', layer.gammaInitializer),
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
      },
    };
  },
};

export const rmsNormalizationMapping: KerasLayerMapping<RMSNormalization> = {
  className: 'RMSNormalization',
  fromKeras(reader) {
    return new RMSNormalization({
      ...reader.layerArgs(),
      axis: axisOf(reader),
      epsilon: reader.number('epsilon', 1e-6),
    });
  },
  toKeras(layer, context) {
    return {
      class_name: 'RMSNormalization',
      config: { ...context.commonConfig(), axis: layer.axis, epsilon: layer.epsilon },
    };
  },
};
