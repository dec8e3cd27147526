/**
 * Keras' `Conv1D` (channels last, one group), and `Conv1DTranspose`, `DepthwiseConv1D` and `SeparableConv1D` (channels
 * last; tfjs-layers 4.22 has only their 2D forms, so saving one is refused).
 */
import { Conv1D } from '../../../layers/conv1d.js';
import { Conv1DTranspose } from '../../../layers/conv1d-transpose.js';
import { DepthwiseConv1D } from '../../../layers/depthwise-conv1d.js';
import { SeparableConv1D } from '../../../layers/separable-conv1d.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';
import { kernelLayerKerasConfig, readKernelLayerOptions } from './kernel-options.js';

/**
 * What every convolution reads: its window (`kernel_size`, `strides`, `dilation_rate`), `padding` (one of
 * `paddings`), channels last, one group (Keras 2 writes `groups` for each of them), and `activation` / `use_bias`.
 */
function readWindow(reader: KerasConfigReader, paddings: readonly string[]): Record<string, unknown> {
  const args: Record<string, unknown> = {
    ...reader.layerArgs(),
    kernelSize:
      reader.optionalWindowInteger('kernel_size') ??
      reader.fail('kernel_size', undefined, 'a positive integer or [n]'),
    strides: reader.optionalWindowInteger('strides') ?? 1,
    dilationRate: reader.optionalWindowInteger('dilation_rate') ?? 1,
  };
  const quoted = paddings.map((p) => `"${p}"`);
  reader.expect('padding', paddings, `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`);
  args.padding = reader.get('padding') ?? 'valid';
  reader.expect(
    'data_format',
    ['channels_last'],
    '"channels_last" (transpose channels-first inputs instead)',
  );
  reader.expect('groups', [1], '1 (grouped convolutions are not supported)');
  return args;
}

/** Conv1D's and Conv1DTranspose's options: the window, `filters` and the kernel options. */
function readConvolution(reader: KerasConfigReader, paddings: readonly string[]): Record<string, unknown> {
  return {
    ...readWindow(reader, paddings),
    filters: reader.positiveInteger('filters'),
    ...readKernelLayerOptions(reader),
  };
}

export const conv1dMapping: KerasLayerMapping<Conv1D> = {
  className: 'Conv1D',

  fromKeras(reader) {
    return new Conv1D(readConvolution(reader, ['valid', 'same', 'causal']) as never);
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

/** What both depthwise convolutions read: the window, the multiplier, `activation`, `use_bias` and initializers. */
function readDepthwise(reader: KerasConfigReader): Record<string, unknown> {
  const args: Record<string, unknown> = {
    ...readWindow(reader, ['valid', 'same']),
    depthMultiplier: reader.optionalPositiveInteger('depth_multiplier') ?? 1,
    activation: reader.activation('activation', 'linear'),
    useBias: reader.boolean('use_bias', true),
  };
  for (const [ours, theirs] of [
    ['depthwiseInitializer', 'depthwise_initializer'],
    ['biasInitializer', 'bias_initializer'],
  ] as const) {
    const init = reader.initializer(theirs);
    if (init !== undefined) args[ours] = init;
  }
  reader.ignoreTrainingOnly('depthwise', 'bias');
  reader.rejectLoraAndQuantization();
  return args;
}

const noTfjs1D = (className: string) =>
  `tfjs-layers 4.22 has no ${className} layer (only its 2D form); save with saveModel`;

export const depthwiseConv1dMapping: KerasLayerMapping<DepthwiseConv1D> = {
  className: 'DepthwiseConv1D',
  fromKeras: (reader) => new DepthwiseConv1D(readDepthwise(reader) as never),
  toKeras: (_layer, context) => context.refuse(noTfjs1D('DepthwiseConv1D')),
};

export const separableConv1dMapping: KerasLayerMapping<SeparableConv1D> = {
  className: 'SeparableConv1D',
  fromKeras(reader) {
    const args = { ...readDepthwise(reader), filters: reader.positiveInteger('filters') };
    const pointwise = reader.initializer('pointwise_initializer');
    // Keras 2 builds SeparableConv's config on Conv's, so it also writes a kernel initializer, regularizer and
    // constraint that the layer does not use.
    reader.ignore('kernel_initializer');
    reader.ignoreTrainingOnly('pointwise', 'kernel');
    return new SeparableConv1D({
      ...args,
      ...(pointwise === undefined ? {} : { pointwiseInitializer: pointwise }),
    } as never);
  },
  toKeras: (_layer, context) => context.refuse(noTfjs1D('SeparableConv1D')),
};
