/**
 * Registers the package's layers with `@seqmodel/layers`' layer registry (`loadModel`, the layer kit's config check),
 * their Keras mappings (`loadKerasModel`, `saveKerasModel`) and their PyTorch mappings (`loadTorchWeights`,
 * `saveTorchWeights`) when the package index loads, as `@seqmodel/layers` registers its built-in layers. Registration
 * replaces an earlier one of the same class, so that loading the package twice (its ESM and CJS builds) is harmless.
 */
import {
  type KerasLayerMapping,
  type LayerClass,
  registerKerasLayer,
  registerLayer,
  registerTorchLayer,
} from '@seqmodel/layers';
import { AttentionDecoder } from './blocks/attention-decoder.js';
import { TokenAndPositionEmbedding } from './blocks/token-and-position-embedding.js';
import { TransformerDecoderBlock } from './blocks/transformer-decoder-block.js';
import { TransformerDecoderStack } from './blocks/transformer-decoder-stack.js';
import { TransformerEncoderBlock } from './blocks/transformer-encoder-block.js';
import { TransformerEncoderStack } from './blocks/transformer-encoder-stack.js';
import { additiveAttentionMapping, attentionMapping } from './keras/attention.js';
import { groupedQueryAttentionMapping, multiHeadAttentionMapping } from './keras/multi-head-attention.js';
import { layerNormalizationMapping, rmsNormalizationMapping } from './keras/normalization.js';
import { AdditiveAttention } from './layers/additive-attention.js';
import { Attention } from './layers/attention.js';
import { BahdanauAttention } from './layers/bahdanau-attention.js';
import { LayerNormalization } from './layers/layer-normalization.js';
import { LuongAttention } from './layers/luong-attention.js';
import { MultiHeadAttention } from './layers/multi-head-attention.js';
import { PositionEmbedding } from './layers/position-embedding.js';
import { RMSNormalization } from './layers/rms-normalization.js';
import { RotaryEmbedding } from './layers/rotary-embedding.js';
import { SinePositionEncoding } from './layers/sine-position-encoding.js';
import { attentionTorchLayers } from './torch/mappings.js';

/** The layer classes this package registers. */
export const attentionLayers: readonly LayerClass[] = [
  { className: 'Attention', fromConfig: (c) => Attention.fromConfig(c) },
  { className: 'AdditiveAttention', fromConfig: (c) => AdditiveAttention.fromConfig(c) },
  { className: 'MultiHeadAttention', fromConfig: (c) => MultiHeadAttention.fromConfig(c) },
  { className: 'BahdanauAttention', fromConfig: (c) => BahdanauAttention.fromConfig(c) },
  { className: 'LuongAttention', fromConfig: (c) => LuongAttention.fromConfig(c) },
  { className: 'LayerNormalization', fromConfig: (c) => LayerNormalization.fromConfig(c) },
  { className: 'RMSNormalization', fromConfig: (c) => RMSNormalization.fromConfig(c) },
  { className: 'SinePositionEncoding', fromConfig: (c) => SinePositionEncoding.fromConfig(c) },
  { className: 'PositionEmbedding', fromConfig: (c) => PositionEmbedding.fromConfig(c) },
  { className: 'RotaryEmbedding', fromConfig: (c) => RotaryEmbedding.fromConfig(c) },
  { className: 'TransformerEncoder', fromConfig: (c) => TransformerEncoderBlock.fromConfig(c) },
  { className: 'TransformerDecoder', fromConfig: (c) => TransformerDecoderBlock.fromConfig(c) },
  { className: 'TransformerEncoderStack', fromConfig: (c) => TransformerEncoderStack.fromConfig(c) },
  { className: 'TransformerDecoderStack', fromConfig: (c) => TransformerDecoderStack.fromConfig(c) },
  { className: 'TokenAndPositionEmbedding', fromConfig: (c) => TokenAndPositionEmbedding.fromConfig(c) },
  { className: 'AttentionDecoder', fromConfig: (c) => AttentionDecoder.fromConfig(c) },
];

/** The Keras layer mappings this package registers (`loadKerasModel`, `saveKerasModel`). */
export const attentionKerasLayers: readonly KerasLayerMapping[] = [
  attentionMapping as KerasLayerMapping,
  additiveAttentionMapping as KerasLayerMapping,
  multiHeadAttentionMapping as KerasLayerMapping,
  groupedQueryAttentionMapping as KerasLayerMapping,
  layerNormalizationMapping as KerasLayerMapping,
  rmsNormalizationMapping as KerasLayerMapping,
];

for (const layerClass of attentionLayers) registerLayer(layerClass, { replace: true });
for (const mapping of attentionKerasLayers) registerKerasLayer(mapping, { replace: true });
for (const mapping of attentionTorchLayers) registerTorchLayer(mapping, { replace: true });
