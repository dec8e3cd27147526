/** seqmodel's `Stacked` has no Keras layer: saving refuses it with the way to write the same model for Keras. */
import type { KerasLayerMapping } from '../mapping.js';

export const stackedMapping: KerasLayerMapping = {
  className: 'Stacked',
  toKeras: (_layer, context) =>
    context.refuse(
      'Stacked layers have no tfjs-layers equivalent: write its layers as separate recurrent layers with returnSequences, or save with saveModel',
    ),
};
