/** Keras' `Conv1D` (channels last, one group). */
import { Conv1D } from '../../../layers/conv1d.js';
import type { KerasLayerMapping } from '../mapping.js';
import { kernelLayerKerasConfig, readKernelLayerOptions } from './kernel-options.js';

export const conv1dMapping: KerasLayerMapping<Conv1D> = {
  className: 'Conv1D',

  fromKeras(reader) {
    const args: Record<string, unknown> = {
      ...reader.layerArgs(),
      filters: reader.positiveInteger('filters'),
      kernelSize:
        reader.optionalWindowInteger('kernel_size') ??
        reader.fail('kernel_size', undefined, 'a positive integer or [n]'),
      strides: reader.optionalWindowInteger('strides') ?? 1,
      dilationRate: reader.optionalWindowInteger('dilation_rate') ?? 1,
      ...readKernelLayerOptions(reader),
    };
    reader.expect('padding', ['valid', 'same', 'causal'], '"valid", "same" or "causal"');
    args.padding = reader.get('padding') ?? 'valid';
    reader.expect(
      'data_format',
      ['channels_last'],
      '"channels_last" (transpose channels-first inputs instead)',
    );
    reader.expect('groups', [1], '1 (grouped convolutions are not supported)');
    return new Conv1D(args as never);
  },

  toKeras(layer, context) {
    if (layer.padding === 'causal') {
      context.refuse(
        "'causal' cannot be run by tfjs-layers (4.22 throws at predict); pad the input on the left and use 'valid', or save with saveModel",
        'padding',
      );
    }
    return {
      class_name: 'Conv1D',
      config: {
        ...context.commonConfig(),
        filters: layer.filters,
        kernel_size: [layer.kernelSize],
        strides: [layer.strides],
        padding: layer.padding,
        data_format: 'channels_last',
        dilation_rate: [layer.dilationRate],
        groups: 1,
        ...kernelLayerKerasConfig(layer, context),
      },
    };
  },
};
