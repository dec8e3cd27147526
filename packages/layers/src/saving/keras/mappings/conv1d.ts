/**
 * Keras' `Conv1D` (channels last, one group) and `Conv1DTranspose` (channels last; tfjs-layers 4.22 has no 1D form, so
 * saving one is refused).
 */
import { Conv1D } from '../../../layers/conv1d.js';
import { Conv1DTranspose } from '../../../layers/conv1d-transpose.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';
import { kernelLayerKerasConfig, readKernelLayerOptions } from './kernel-options.js';

/** What both convolutions read: filters, window, strides, dilation, padding (one of `paddings`), the kernel options. */
function readConvolution(reader: KerasConfigReader, paddings: readonly string[]): Record<string, unknown> {
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
  const quoted = paddings.map((p) => `"${p}"`);
  reader.expect('padding', paddings, `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`);
  args.padding = reader.get('padding') ?? 'valid';
  reader.expect(
    'data_format',
    ['channels_last'],
    '"channels_last" (transpose channels-first inputs instead)',
  );
  return args;
}

export const conv1dMapping: KerasLayerMapping<Conv1D> = {
  className: 'Conv1D',

  fromKeras(reader) {
    const args = readConvolution(reader, ['valid', 'same', 'causal']);
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

export const conv1dTransposeMapping: KerasLayerMapping<Conv1DTranspose> = {
  className: 'Conv1DTranspose',

  fromKeras(reader) {
    const args = readConvolution(reader, ['valid', 'same']);
    // Keras writes null or [n]; the layer checks the value against the strides.
    const outputPadding = reader.get('output_padding');
    if (outputPadding !== undefined) args.outputPadding = outputPadding;
    return new Conv1DTranspose(args as never);
  },

  toKeras: (_layer, context) =>
    context.refuse(
      'tfjs-layers 4.22 has no Conv1DTranspose layer (only Conv2DTranspose); save with saveModel',
    ),
};
