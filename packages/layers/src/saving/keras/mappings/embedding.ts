/** Keras' `Embedding`. */
import { Embedding } from '../../../layers/embedding.js';
import type { KerasLayerMapping } from '../mapping.js';

export const embeddingMapping: KerasLayerMapping<Embedding> = {
  className: 'Embedding',

  fromKeras(reader) {
    const args: Record<string, unknown> = {
      ...reader.layerArgs(true),
      inputDim: reader.positiveInteger('input_dim'),
      outputDim: reader.positiveInteger('output_dim'),
      maskZero: reader.boolean('mask_zero', false),
    };
    const init = reader.initializer('embeddings_initializer');
    if (init !== undefined) args.embeddingsInitializer = init;
    reader.ignoreTrainingOnly('embeddings');
    // `input_length` only declares the sequence length (read as the input shape of a first layer).
    reader.ignore('input_length');
    reader.expect('sparse', [false], 'false (sparse embedding outputs are not supported)');
    reader.rejectLoraAndQuantization();
    return new Embedding(args as never);
  },

  toKeras(layer, context) {
    return {
      class_name: 'Embedding',
      config: {
        ...context.commonConfig(),
        input_dim: layer.inputDim,
        output_dim: layer.outputDim,
        embeddings_initializer: context.initializer('embeddingsInitializer', layer.embeddingsInitializer),
        embeddings_regularizer: null,
        activity_regularizer: null,
        embeddings_constraint: null,
        mask_zero: layer.maskZero,
        input_length: null,
      },
    };
  },
};
