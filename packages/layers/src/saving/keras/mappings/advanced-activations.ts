/**
 * Keras' activation layers with options: `ReLU`, `ELU`, `PReLU`, `Softmax`. tfjs-layers 4.22 has each, but its ReLU
 * takes only `maxValue`, its ELU only alpha 1 and its Softmax only the last axis: the others are refused when saving.
 */
import { ELU } from '../../../layers/elu.js';
import { PReLU } from '../../../layers/prelu.js';
import { ReLU } from '../../../layers/relu.js';
import { Softmax } from '../../../layers/softmax.js';
import type { KerasLayerMapping } from '../mapping.js';

export const reluMapping: KerasLayerMapping<ReLU> = {
  className: 'ReLU',
  fromKeras(reader) {
    const max = reader.get('max_value');
    if (max !== undefined && typeof max !== 'number') reader.fail('max_value', max, 'a number or null');
    return new ReLU({
      ...reader.layerArgs(),
      ...(max === undefined ? {} : { maxValue: max as number }),
      negativeSlope: reader.number('negative_slope', 0),
      threshold: reader.number('threshold', 0),
    });
  },
  toKeras(layer, context) {
    if (layer.negativeSlope !== 0) {
      context.refuse(
        `${layer.negativeSlope} cannot be run by tfjs-layers (its ReLU has only maxValue); save with saveModel`,
        'negativeSlope',
      );
    }
    if (layer.threshold !== 0) {
      context.refuse(
        `${layer.threshold} cannot be run by tfjs-layers (its ReLU has only maxValue); save with saveModel`,
        'threshold',
      );
    }
    return {
      class_name: 'ReLU',
      config: { ...context.commonConfig(), max_value: layer.maxValue ?? null },
    };
  },
};

export const eluMapping: KerasLayerMapping<ELU> = {
  className: 'ELU',
  fromKeras: (reader) => new ELU({ ...reader.layerArgs(), alpha: reader.number('alpha', 1) }),
  toKeras(layer, context) {
    if (layer.alpha !== 1) {
      context.refuse(
        `${layer.alpha} cannot be run by tfjs-layers (4.22's ELU takes only alpha 1); save with saveModel`,
        'alpha',
      );
    }
    return { class_name: 'ELU', config: { ...context.commonConfig(), alpha: layer.alpha } };
  },
};

export const softmaxMapping: KerasLayerMapping<Softmax> = {
  className: 'Softmax',
  fromKeras(reader) {
    // Keras 3 may write the axis as a tuple of one.
    const axis = reader.get('axis') ?? -1;
    const one = Array.isArray(axis) && axis.length === 1 ? axis[0] : axis;
    if (typeof one !== 'number' || !Number.isInteger(one))
      reader.fail('axis', axis, 'an axis or a list of one');
    return new Softmax({ ...reader.layerArgs(), axis: one });
  },
  toKeras(layer, context) {
    if (layer.axis !== -1) {
      context.refuse(
        `${layer.axis} cannot be run by tfjs-layers (4.22's softmax takes only the last axis, -1); save with saveModel`,
        'axis',
      );
    }
    return { class_name: 'Softmax', config: { ...context.commonConfig(), axis: layer.axis } };
  },
};

export const preluMapping: KerasLayerMapping<PReLU> = {
  className: 'PReLU',
  fromKeras(reader) {
    const args: Record<string, unknown> = { ...reader.layerArgs() };
    const init = reader.initializer('alpha_initializer');
    if (init !== undefined) args.alphaInitializer = init;
    const shared = reader.get('shared_axes');
    if (shared !== undefined) {
      const list = typeof shared === 'number' ? [shared] : shared;
      if (!Array.isArray(list) || !list.every((a) => Number.isInteger(a))) {
        reader.fail('shared_axes', shared, 'an axis or a list of axes, or null');
      }
      args.sharedAxes = list;
    }
    reader.ignoreTrainingOnly('alpha');
    return new PReLU(args as never);
  },
  toKeras: (layer, context) => ({
    class_name: 'PReLU',
    config: {
      ...context.commonConfig(),
      alpha_initializer: context.initializer('alphaInitializer', layer.alphaInitializer),
      alpha_regularizer: null,
      alpha_constraint: null,
      shared_axes: layer.sharedAxes.length === 0 ? null : [...layer.sharedAxes],
    },
  }),
};
