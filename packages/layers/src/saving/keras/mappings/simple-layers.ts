/**
 * Keras' `UnitNormalization`, `Rescaling`, `Identity` and `CategoryEncoding`, layers without weights. tfjs-layers 4.22
 * has Rescaling (with numbers only); it has no UnitNormalization and no Identity, which is saved as an
 * `Activation('linear')` (the same numbers, masks passed on the same way); its CategoryEncoding writes its output size
 * over its input's shape as a model loads, so that model refuses every input: saving one is refused.
 */
import { CategoryEncoding, type CategoryOutputMode } from '../../../layers/category-encoding.js';
import { Identity } from '../../../layers/identity.js';
import { Rescaling } from '../../../layers/rescaling.js';
import { isNormAxis, NORM_AXIS_EXPECTED, UnitNormalization } from '../../../layers/unit-normalization.js';
import { isObject } from '../../files.js';
import type { KerasLayerMapping } from '../mapping.js';
import type { KerasConfigReader } from '../option-reader.js';

/**
 * A number or list as Keras writes a scale or offset: plain, or a serialized array (`__numpy__`, `__tensor__`). A
 * nested list must hold one row (`[1, ..., 1, n]`): any other shape would scale other axes than the features.
 */
function factor(reader: KerasConfigReader, key: string, fallback?: number): number | number[] {
  const value = reader.get(key) ?? fallback;
  let plain = isObject(value) && isObject(value.config) ? value.config.value : value;
  while (Array.isArray(plain) && plain.length === 1 && Array.isArray(plain[0])) plain = plain[0];
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!(finite(plain) || (Array.isArray(plain) && plain.length > 0 && plain.every(finite)))) {
    reader.fail(key, value, 'a number or a list of numbers (one per feature)');
  }
  return plain as number | number[];
}

export const unitNormalizationMapping: KerasLayerMapping<UnitNormalization> = {
  className: 'UnitNormalization',
  fromKeras(reader) {
    const axis = reader.get('axis') ?? -1;
    if (!isNormAxis(axis)) return reader.fail('axis', axis, NORM_AXIS_EXPECTED);
    return new UnitNormalization({ ...reader.layerArgs(), axis });
  },
  toKeras: (_layer, context) =>
    context.refuse('tfjs-layers 4.22 has no UnitNormalization layer; save with saveModel'),
};

export const rescalingMapping: KerasLayerMapping<Rescaling> = {
  className: 'Rescaling',
  fromKeras: (reader) =>
    new Rescaling({
      ...reader.layerArgs(),
      scale: factor(reader, 'scale'),
      offset: factor(reader, 'offset', 0),
    }),
  toKeras(layer, context) {
    if (typeof layer.scale !== 'number' || typeof layer.offset !== 'number') {
      context.refuse('tfjs-layers 4.22 takes a number for scale and offset, not one per feature', 'scale');
    }
    return {
      class_name: 'Rescaling',
      config: { ...context.commonConfig(), scale: layer.scale, offset: layer.offset },
    };
  },
};

export const identityMapping: KerasLayerMapping<Identity> = {
  className: 'Identity',
  fromKeras: (reader) => new Identity(reader.layerArgs()),
  toKeras: (_layer, context) => ({
    class_name: 'Activation',
    config: { ...context.commonConfig(), activation: 'linear' },
  }),
};

/** Keras' output modes and ours. */
const OUTPUT_MODES: Readonly<Record<string, CategoryOutputMode>> = {
  multi_hot: 'multiHot',
  count: 'count',
  one_hot: 'oneHot',
};

export const categoryEncodingMapping: KerasLayerMapping<CategoryEncoding> = {
  className: 'CategoryEncoding',
  fromKeras(reader) {
    const mode = reader.get('output_mode') ?? 'multi_hot';
    const outputMode = OUTPUT_MODES[mode as string];
    if (typeof mode !== 'string' || outputMode === undefined) {
      return reader.fail('output_mode', mode, '"multi_hot", "count" or "one_hot"');
    }
    reader.expect('sparse', [false], 'false (sparse outputs are not supported)');
    return new CategoryEncoding({
      ...reader.layerArgs(true),
      numTokens: reader.positiveInteger('num_tokens'),
      outputMode,
    });
  },
  toKeras: (_layer, context) =>
    context.refuse(
      "tfjs-layers 4.22's CategoryEncoding overwrites its input's shape when the model loads (it then refuses the ids); save with saveModel",
    ),
};
