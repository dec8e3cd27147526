/** Keras' `MaxPooling1D` and `AveragePooling1D` (channels last). */
import { AveragePooling1D } from '../../../layers/average-pooling-1d.js';
import { MaxPooling1D } from '../../../layers/max-pooling-1d.js';
import type { Pooling1D, Pooling1DArgs } from '../../../layers/pooling-1d.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

/** `pool_size` / `strides`: `[n]` as Keras writes them, or `n`; undefined when absent (or null). */
function tuple(reader: KerasConfigReader, key: string): number | undefined {
  const value = reader.get(key);
  if (value === undefined) return undefined;
  const n = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    reader.fail(key, value, 'a positive integer or [n]');
  return n;
}

function pooling<L extends Pooling1D>(
  className: string,
  make: (args: Pooling1DArgs) => L,
): KerasLayerMapping<L> {
  return {
    className,
    fromKeras(reader) {
      const args: Record<string, unknown> = { ...reader.layerArgs() };
      const poolSize = tuple(reader, 'pool_size');
      if (poolSize !== undefined) args.poolSize = poolSize;
      const strides = tuple(reader, 'strides');
      if (strides !== undefined) args.strides = strides;
      const padding = reader.get('padding') ?? 'valid';
      if (padding !== 'valid' && padding !== 'same') reader.fail('padding', padding, '"valid" or "same"');
      args.padding = padding;
      reader.expect(
        'data_format',
        ['channels_last'],
        '"channels_last" (transpose channels-first inputs instead)',
      );
      return make(args as Pooling1DArgs);
    },
    toKeras: (layer, context) => ({
      class_name: className,
      config: {
        ...context.commonConfig(),
        pool_size: [layer.poolSize],
        strides: [layer.strides],
        padding: layer.padding,
        data_format: 'channels_last',
      },
    }),
  };
}

export const maxPooling1dMapping = pooling('MaxPooling1D', (a) => new MaxPooling1D(a));
export const averagePooling1dMapping = pooling('AveragePooling1D', (a) => new AveragePooling1D(a));
