/** Keras' `Conv1D` (channels last, one group). */
import { Conv1D } from '../../../layers/conv1d.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';
import { kernelLayerKerasConfig, readKernelLayerOptions } from './kernel-options.js';

/** `kernel_size`, `strides`, `dilation_rate`: `[n]` as Keras writes them, or `n`; `fallback` when absent. */
function tuple(reader: KerasConfigReader, key: string, fallback?: number): number {
  const value = reader.get(key) ?? fallback;
  const n = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    reader.fail(key, value, 'a positive integer or [n]');
  return n;
}

export const conv1dMapping: KerasLayerMapping<Conv1D> = {
  className: 'Conv1D',

  fromKeras(reader) {
    const args: Record<string, unknown> = {
      ...reader.layerArgs(),
      filters: reader.positiveInteger('filters'),
      kernelSize: tuple(reader, 'kernel_size'),
      strides: tuple(reader, 'strides', 1),
      dilationRate: tuple(reader, 'dilation_rate', 1),
      ...readKernelLayerOptions(reader),
    };
    const padding = reader.get('padding') ?? 'valid';
    if (padding !== 'valid' && padding !== 'same' && padding !== 'causal') {
      reader.fail('padding', padding, '"valid", "same" or "causal"');
    }
    args.padding = padding;
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
