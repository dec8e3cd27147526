/** Keras' `Reshape` and `Permute` (tfjs-layers 4.22 has both, with the same fields). */
import { Permute } from '../../../layers/permute.js';
import { Reshape } from '../../../layers/reshape.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

/** A list of integers (Keras writes tuples as lists), or a failure naming the option. */
function integers(reader: KerasConfigReader, key: string, expected: string): number[] {
  const value = reader.get(key);
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d))) reader.fail(key, value, expected);
  return value as number[];
}

export const reshapeMapping: KerasLayerMapping<Reshape> = {
  className: 'Reshape',
  fromKeras: (reader) =>
    new Reshape({
      ...reader.layerArgs(),
      targetShape: integers(reader, 'target_shape', 'a list of sizes (one may be -1)'),
    }),
  toKeras: (layer, context) => ({
    class_name: 'Reshape',
    config: { ...context.commonConfig(), target_shape: [...layer.targetShape] },
  }),
};

export const permuteMapping: KerasLayerMapping<Permute> = {
  className: 'Permute',
  fromKeras: (reader) =>
    new Permute({
      ...reader.layerArgs(),
      dims: integers(reader, 'dims', 'a permutation of 1, ..., n'),
    }),
  toKeras: (layer, context) => ({
    class_name: 'Permute',
    config: { ...context.commonConfig(), dims: [...layer.dims] },
  }),
};
