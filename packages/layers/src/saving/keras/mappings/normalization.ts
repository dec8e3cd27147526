/**
 * Keras' `Normalization` (Keras 3, and Keras 2's `preprocessing.Normalization`): loaded with its given or adapted
 * statistics (the weights `mean`, `variance` and `count`). tfjs-layers 4.22 has no such layer: saving one is refused.
 */
import { Normalization } from '../../../layers/normalization.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

/** A given mean or variance: a number or a (nested) list, flattened; undefined when null (adapted). */
function statistic(reader: KerasConfigReader, key: string): number | number[] | undefined {
  const value = reader.get(key);
  if (value === undefined) return undefined;
  const flat = Array.isArray(value) ? (value as unknown[]).flat(Infinity) : value;
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!(ok(flat) || (Array.isArray(flat) && flat.length > 0 && flat.every(ok)))) {
    reader.fail(key, value, 'a number, a list of numbers, or null (adapted)');
  }
  return flat as number | number[];
}

export const normalizationMapping: KerasLayerMapping<Normalization> = {
  className: 'Normalization',
  fromKeras(reader) {
    // Keras writes the axis as a tuple ([] for None); an absent one is Keras' default, -1.
    const axis = 'axis' in reader.config ? reader.get('axis') : -1;
    const list = axis === undefined ? null : typeof axis === 'number' ? [axis] : axis;
    if (list !== null && (!Array.isArray(list) || !list.every((a) => Number.isInteger(a)))) {
      reader.fail('axis', axis, 'an axis, a list of axes, or null');
    }
    const mean = statistic(reader, 'mean');
    const variance = statistic(reader, 'variance');
    return new Normalization({
      ...reader.layerArgs(),
      axis: list === null ? null : (list as number[]),
      invert: reader.boolean('invert', false),
      ...(mean === undefined ? {} : { mean }),
      ...(variance === undefined ? {} : { variance }),
    });
  },
  toKeras: (_layer, context) =>
    context.refuse('tfjs-layers 4.22 has no Normalization layer; save with saveModel'),
};
