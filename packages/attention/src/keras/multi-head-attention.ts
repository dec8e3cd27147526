/**
 * Keras' `MultiHeadAttention` and Keras 3's `GroupedQueryAttention`, both to `MultiHeadAttention` (the grouped one
 * with `numKeyValueHeads`). Calls read `query, value, key=` with `use_causal_mask` / `return_attention_scores` as
 * layer options. Options that would change the computation and that seqmodel does not implement (attention over
 * other axes, gating, sliding windows, an output of rank > 1 per step) are refused, naming the option.
 */
import type {
  KerasCallSpec,
  KerasConfigReader,
  KerasExportContext,
  KerasLayerMapping,
} from '@seqmodel/layers';
import { MultiHeadAttention } from '../layers/multi-head-attention.js';

const call: KerasCallSpec<MultiHeadAttention> = {
  inputs: ['query', 'value', 'key'],
  keywordInputs: true,
  options: ['use_causal_mask', 'return_attention_scores'],
  toKerasCall: (layer) => ({
    ...(layer.useCausalMask ? { use_causal_mask: true } : {}),
    ...(layer.returnAttentionScores ? { return_attention_scores: true } : {}),
  }),
};

/** What both classes share: dropout, bias, initializers, the call options and the refused extras. */
function commonArgs(reader: KerasConfigReader): Record<string, unknown> {
  const args: Record<string, unknown> = {
    ...reader.layerArgs(),
    dropout: reader.rate('dropout'),
    useBias: reader.boolean('use_bias', true),
    useCausalMask: reader.boolean('use_causal_mask', false),
    returnAttentionScores: reader.boolean('return_attention_scores', false),
  };
  const kernel = reader.initializer('kernel_initializer');
  if (kernel !== undefined) args.kernelInitializer = kernel;
  const bias = reader.initializer('bias_initializer');
  if (bias !== undefined) args.biasInitializer = bias;
  reader.ignoreTrainingOnly('kernel', 'bias');
  reader.expect('use_gate', [false], 'false (gated attention is not supported)');
  reader.expect('sliding_window', [], 'null (sliding-window attention is not supported)');
  // The seed of training-time dropout, and Keras' choice of attention kernel, give the same predictions.
  reader.ignore('seed', 'flash_attention');
  reader.rejectLoraAndQuantization();
  return args;
}

export const multiHeadAttentionMapping: KerasLayerMapping<MultiHeadAttention> = {
  className: 'MultiHeadAttention',
  call,

  fromKeras(reader) {
    const args = commonArgs(reader);
    args.numHeads = reader.positiveInteger('num_heads');
    args.keyDim = reader.positiveInteger('key_dim');
    const valueDim = reader.optionalPositiveInteger('value_dim');
    if (valueDim !== undefined) args.valueDim = valueDim;
    const outputShape = reader.get('output_shape');
    if (typeof outputShape === 'number' || (Array.isArray(outputShape) && outputShape.length === 1)) {
      args.outputShape = typeof outputShape === 'number' ? outputShape : outputShape[0];
    } else if (outputShape !== undefined) {
      reader.fail('output_shape', outputShape, 'null, a number or [n] (one output axis per step)');
    }
    const axes = reader.get('attention_axes');
    const axesList = typeof axes === 'number' ? [axes] : axes;
    if (
      axesList !== undefined &&
      !(Array.isArray(axesList) && axesList.length === 1 && [1, -2].includes(axesList[0]))
    ) {
      reader.fail(
        'attention_axes',
        axes,
        'null or [1] (attention over the time axis of [batch, time, features])',
      );
    }
    // Keras 2 records the shapes it was built for; seqmodel builds from the model's inputs.
    reader.ignore('query_shape', 'key_shape', 'value_shape');
    return new MultiHeadAttention(args as never);
  },

  toKeras(layer, context: KerasExportContext) {
    const common = {
      ...context.commonConfig(),
      dropout: layer.dropout,
      use_bias: layer.useBias,
      kernel_initializer: context.initializer('kernelInitializer', layer.kernelInitializer),
      bias_initializer: context.initializer('biasInitializer', layer.biasInitializer),
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
    if (layer.numKeyValueHeads !== layer.numHeads) {
      if (layer.valueDim !== layer.keyDim || layer.outputShape !== undefined) {
        context.refuse(
          'Keras writes grouped-query attention as GroupedQueryAttention, which has no valueDim or outputShape of its own',
          'numKeyValueHeads',
        );
      }
      return {
        class_name: 'GroupedQueryAttention',
        config: {
          ...common,
          head_dim: layer.keyDim,
          num_query_heads: layer.numHeads,
          num_key_value_heads: layer.numKeyValueHeads,
        },
      };
    }
    const shapes = layer.buildShapes;
    return {
      class_name: 'MultiHeadAttention',
      config: {
        ...common,
        num_heads: layer.numHeads,
        key_dim: layer.keyDim,
        value_dim: layer.valueDim,
        output_shape: layer.outputShape === undefined ? null : [layer.outputShape],
        attention_axes: null,
        ...(shapes === undefined
          ? {}
          : { query_shape: shapes[0], value_shape: shapes[1], key_shape: shapes[2] ?? shapes[1] }),
      },
    };
  },
};

export const groupedQueryAttentionMapping: KerasLayerMapping<MultiHeadAttention> = {
  className: 'GroupedQueryAttention',
  call,

  fromKeras(reader) {
    const args = commonArgs(reader);
    args.numHeads = reader.positiveInteger('num_query_heads');
    args.numKeyValueHeads = reader.positiveInteger('num_key_value_heads');
    args.keyDim = reader.positiveInteger('head_dim');
    return new MultiHeadAttention(args as never);
  },
};
