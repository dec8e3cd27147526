/** Keras' `MaxPooling1D` and `AveragePooling1D` (channels last). */
import { AveragePooling1D } from '../../../layers/average-pooling-1d.js';
import { MaxPooling1D } from '../../../layers/max-pooling-1d.js';
import type { Pooling1D, Pooling1DArgs } from '../../../layers/pooling-1d.js';
import type { KerasLayerMapping } from '../mapping.js';

function pooling<L extends Pooling1D>(
  className: string,
  make: (args: Pooling1DArgs) => L,
): KerasLayerMapping<L> {
  return {
    className,
    fromKeras(reader) {
      const args: Record<string, unknown> = { ...reader.layerArgs() };
      const poolSize = reader.optionalWindowInteger('pool_size');
      if (poolSize !== undefined) args.poolSize = poolSize;
      const strides = reader.optionalWindowInteger('strides');
      if (strides !== undefined) args.strides = strides;
      reader.expect('padding', ['valid', 'same'], '"valid" or "same"');
      args.padding = reader.get('padding') ?? 'valid';
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
