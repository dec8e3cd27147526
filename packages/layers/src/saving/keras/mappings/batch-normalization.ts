/**
 * Keras' `BatchNormalization` over the last axis. tfjs-layers 4.22 has it too and computes the same at inference;
 * in training it neither leaves masked steps out of the batch statistics nor (with `trainable` false) switches to
 * the moving ones, so a model trained further in tfjs-layers may drift from one trained here.
 */
import { BatchNormalization } from '../../../layers/batch-normalization.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

/** Keras 3 writes `axis: -1`; Keras 2 files may hold a list of one axis (`[2]`). */
function axisOf(reader: KerasConfigReader): number {
  const value = reader.get('axis') ?? -1;
  const axis = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    reader.fail('axis', value, 'an integer (the last axis) or a list of one');
  }
  return axis;
}

export const batchNormalizationMapping: KerasLayerMapping<BatchNormalization> = {
  className: 'BatchNormalization',

  fromKeras(reader) {
    const args: Record<string, unknown> = {
      ...reader.layerArgs(),
      axis: axisOf(reader),
      momentum: reader.number('momentum', 0.99),
      epsilon: reader.number('epsilon', 1e-3),
      center: reader.boolean('center', true),
      scale: reader.boolean('scale', true),
    };
    for (const [key, option] of [
      ['beta_initializer', 'betaInitializer'],
      ['gamma_initializer', 'gammaInitializer'],
      ['moving_mean_initializer', 'movingMeanInitializer'],
      ['moving_variance_initializer', 'movingVarianceInitializer'],
    ] as const) {
      const spec = reader.initializer(key);
      if (spec !== undefined) args[option] = spec;
    }
    reader.ignoreTrainingOnly('beta', 'gamma');
    reader.expect('renorm', [false], 'false (batch renormalization is not supported)');
    // Read only with renorm; `synchronized` (statistics across devices) and Keras 2's `fused` (which kernel runs)
    // compute the same on one device.
    reader.ignore('renorm_clipping', 'renorm_momentum', 'synchronized', 'fused');
    reader.expect('virtual_batch_size', [], 'null (ghost batch normalization is not supported)');
    reader.expect('adjustment', [], 'null (adjusted statistics are not supported)');
    return new BatchNormalization(args as never);
  },

  toKeras(layer, context) {
    return {
      class_name: 'BatchNormalization',
      config: {
        ...context.commonConfig(),
        axis: layer.axis,
        momentum: layer.momentum,
        epsilon: layer.epsilon,
        center: layer.center,
        scale: layer.scale,
        beta_initializer: context.initializer('betaInitializer', layer.betaInitializer),
        gamma_initializer: context.initializer('gammaInitializer', layer.gammaInitializer),
        moving_mean_initializer: context.initializer('movingMeanInitializer', layer.movingMeanInitializer),
        moving_variance_initializer: context.initializer(
          'movingVarianceInitializer',
          layer.movingVarianceInitializer,
        ),
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
      },
    };
  },
};
