/** The attention package's layers: one file each. */
export { AdditiveAttention, type AdditiveAttentionArgs, additiveAttention } from './additive-attention.js';
export { Attention, type AttentionArgs, attention } from './attention.js';
export { BahdanauAttention, type BahdanauAttentionArgs, bahdanauAttention } from './bahdanau-attention.js';
export { EncoderDecoderAttention, type EncoderDecoderAttentionArgs } from './encoder-decoder-attention.js';
export {
  LayerNormalization,
  type LayerNormalizationArgs,
  layerNormalization,
} from './layer-normalization.js';
export { LuongAttention, type LuongAttentionArgs, luongAttention } from './luong-attention.js';
export {
  MultiHeadAttention,
  type MultiHeadAttentionArgs,
  multiHeadAttention,
} from './multi-head-attention.js';
export { PositionEmbedding, type PositionEmbeddingArgs, positionEmbedding } from './position-embedding.js';
export { RMSNormalization, type RmsNormalizationArgs, rmsNormalization } from './rms-normalization.js';
export { RotaryEmbedding, type RotaryEmbeddingArgs, rotaryEmbedding } from './rotary-embedding.js';
export {
  SinePositionEncoding,
  type SinePositionEncodingArgs,
  sinePositionEncoding,
} from './sine-position-encoding.js';
