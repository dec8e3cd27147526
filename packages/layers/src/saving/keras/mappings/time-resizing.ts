/**
 * Keras' `ZeroPadding1D`, `Cropping1D` and `UpSampling1D` (channels last). tfjs-layers 4.22 has none of them (only
 * their 2D forms): saving one is refused.
 */
import { Cropping1D } from '../../../layers/cropping-1d.js';
import { isStepPair, STEP_PAIR_EXPECTED } from '../../../layers/time-windows.js';
import { UpSampling1D } from '../../../layers/up-sampling-1d.js';
import { ZeroPadding1D } from '../../../layers/zero-padding-1d.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

/** Steps at both ends as Keras writes them (`n` or `[start, end]`), or undefined when absent. */
function stepPair(reader: KerasConfigReader, key: string): number | [number, number] | undefined {
  const value = reader.get(key);
  if (value === undefined) return undefined;
  if (!isStepPair(value)) reader.fail(key, value, STEP_PAIR_EXPECTED);
  return value as number | [number, number];
}

const refused = (className: string) =>
  `tfjs-layers 4.22 has no ${className} layer (only its 2D form); save with saveModel`;

export const zeroPadding1dMapping: KerasLayerMapping<ZeroPadding1D> = {
  className: 'ZeroPadding1D',
  fromKeras(reader) {
    reader.expect(
      'data_format',
      ['channels_last'],
      '"channels_last" (transpose channels-first inputs instead)',
    );
    const padding = stepPair(reader, 'padding');
    return new ZeroPadding1D({ ...reader.layerArgs(), ...(padding === undefined ? {} : { padding }) });
  },
  toKeras: (_layer, context) => context.refuse(refused('ZeroPadding1D')),
};

export const cropping1dMapping: KerasLayerMapping<Cropping1D> = {
  className: 'Cropping1D',
  fromKeras(reader) {
    const cropping = stepPair(reader, 'cropping');
    return new Cropping1D({ ...reader.layerArgs(), ...(cropping === undefined ? {} : { cropping }) });
  },
  toKeras: (_layer, context) => context.refuse(refused('Cropping1D')),
};

export const upSampling1dMapping: KerasLayerMapping<UpSampling1D> = {
  className: 'UpSampling1D',
  fromKeras(reader) {
    const size = reader.optionalPositiveInteger('size');
    return new UpSampling1D({ ...reader.layerArgs(), ...(size === undefined ? {} : { size }) });
  },
  toKeras: (_layer, context) => context.refuse(refused('UpSampling1D')),
};
