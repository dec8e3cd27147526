/**
 * Keras' `Attention` and `AdditiveAttention`. Calls read the list `[query, value, key?]`, with `use_causal_mask` /
 * `return_attention_scores` as layer options (Keras 2.x's `causal` constructor option is read as
 * `use_causal_mask`).
 */
import type { KerasCallSpec, KerasConfigReader, KerasLayerMapping } from '@seqmodel/layers';
import { AdditiveAttention } from '../layers/additive-attention.js';
import { Attention } from '../layers/attention.js';

const call: KerasCallSpec<Attention> = {
  inputs: ['query', 'value', 'key'],
  keywordInputs: false,
  options: ['use_causal_mask', 'return_attention_scores'],
  toKerasCall: (layer) => ({
    ...(layer.useCausalMask ? { use_causal_mask: true } : {}),
    ...(layer.returnAttentionScores ? { return_attention_scores: true } : {}),
  }),
};

function commonArgs(reader: KerasConfigReader, useScale: boolean): Record<string, unknown> {
  const causal = reader.boolean('causal', false);
  return {
    ...reader.layerArgs(),
    useScale: reader.boolean('use_scale', useScale),
    dropout: reader.rate('dropout'),
    useCausalMask: reader.boolean('use_causal_mask', causal),
    returnAttentionScores: reader.boolean('return_attention_scores', false),
    ...(typeof reader.get('seed') === 'number' ? { seed: reader.get('seed') } : {}),
  };
}

export const attentionMapping: KerasLayerMapping<Attention> = {
  className: 'Attention',
  call,
  fromKeras(reader) {
    const args = commonArgs(reader, false);
    const mode = reader.get('score_mode') ?? 'dot';
    if (mode !== 'dot' && mode !== 'concat') reader.fail('score_mode', mode, '"dot" or "concat"');
    return new Attention({ ...args, scoreMode: mode } as never);
  },
  toKeras(layer, context) {
    return {
      class_name: 'Attention',
      config: {
        ...context.commonConfig(),
        use_scale: layer.useScale,
        score_mode: layer.scoreMode,
        dropout: layer.dropout,
      },
    };
  },
};

export const additiveAttentionMapping: KerasLayerMapping<AdditiveAttention> = {
  className: 'AdditiveAttention',
  call,
  fromKeras(reader) {
    return new AdditiveAttention(commonArgs(reader, true) as never);
  },
  toKeras(layer, context) {
    return {
      class_name: 'AdditiveAttention',
      config: { ...context.commonConfig(), use_scale: layer.useScale, dropout: layer.dropout },
    };
  },
};
