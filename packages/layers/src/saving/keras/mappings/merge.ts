/**
 * Keras' merge layers `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum` and `Concatenate`, called on a
 * list of tensors. tfjs-layers 4.22 has no `Subtract`: saving one is refused.
 */

import type { LayerArgs } from '../../../engine/layer.js';
import { Add } from '../../../layers/add.js';
import { Average } from '../../../layers/average.js';
import { Concatenate } from '../../../layers/concatenate.js';
import { DOT_AXES_EXPECTED, Dot, isDotAxes } from '../../../layers/dot.js';
import { Maximum } from '../../../layers/maximum.js';
import type { Merge } from '../../../layers/merge.js';
import { Minimum } from '../../../layers/minimum.js';
import { Multiply } from '../../../layers/multiply.js';
import { Subtract } from '../../../layers/subtract.js';
import type { KerasLayerMapping } from '../mapping.js';

/** A merge layer whose Keras config holds only the common fields. */
function plainMerge<L extends Merge>(className: string, make: (args: LayerArgs) => L): KerasLayerMapping<L> {
  return {
    className,
    fromKeras: (reader) => make(reader.layerArgs()),
    toKeras: (_layer, context) => ({ class_name: className, config: context.commonConfig() }),
  };
}

export const addMapping = plainMerge('Add', (a) => new Add(a));
export const multiplyMapping = plainMerge('Multiply', (a) => new Multiply(a));
export const averageMapping = plainMerge('Average', (a) => new Average(a));
export const maximumMapping = plainMerge('Maximum', (a) => new Maximum(a));
export const minimumMapping = plainMerge('Minimum', (a) => new Minimum(a));

export const subtractMapping: KerasLayerMapping<Subtract> = {
  ...plainMerge('Subtract', (a) => new Subtract(a)),
  toKeras: (_layer, context) => context.refuse('tfjs-layers 4.22 has no Subtract layer; save with saveModel'),
};

export const concatenateMapping: KerasLayerMapping<Concatenate> = {
  className: 'Concatenate',
  fromKeras: (reader) => new Concatenate({ ...reader.layerArgs(), axis: reader.number('axis', -1) }),
  toKeras: (layer, context) => ({
    class_name: 'Concatenate',
    config: { ...context.commonConfig(), axis: layer.axis },
  }),
};

export const dotMapping: KerasLayerMapping<Dot> = {
  className: 'Dot',
  fromKeras(reader) {
    const axes = reader.get('axes');
    if (!isDotAxes(axes)) return reader.fail('axes', axes, DOT_AXES_EXPECTED);
    return new Dot({
      ...reader.layerArgs(),
      axes,
      normalize: reader.boolean('normalize', false),
    });
  },
  toKeras(layer, context) {
    if (layer.inputRanks?.some((r) => r > 3)) {
      context.refuse(
        'tfjs-layers 4.22 takes the dot product of inputs of rank 2 and 3 only; save with saveModel',
      );
    }
    return {
      class_name: 'Dot',
      config: {
        ...context.commonConfig(),
        axes: typeof layer.axes === 'number' ? layer.axes : [...layer.axes],
        normalize: layer.normalize,
      },
    };
  },
};
