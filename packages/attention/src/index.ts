/**
 * `@seqmodel/attention`: attention for seqmodel models. A functional core (`scaledDotProductAttention` with masks,
 * grouped-query heads and a fused-kernel hook) and Keras-compatible layers built on it: `attention`,
 * `additiveAttention`, `multiHeadAttention` (and grouped-query attention), Bahdanau and Luong attention for recurrent
 * encoder-decoders, positional encodings, and layer / RMS normalization; transformer blocks and stacks, model builders
 * (a decoder-only language model, transformer and recurrent encoder-decoders), and one decoding module for every model
 * kind (greedy, beam search, sampling; key/value caches and carried states). Importing the package registers its layers
 * for `loadModel`, their Keras mappings for `loadKerasModel` / `saveKerasModel` and their PyTorch state-dict names for
 * `loadTorchWeights` / `saveTorchWeights` (`torch*` helpers build them as PyTorch's modules).
 */
import './register.js';

export * from './blocks/index.js';
export * from './decoding/index.js';
export {
  MASKED_SCORE,
  SCALED_DOT_PRODUCT_KERNEL,
  type ScaledDotProductKernel,
  type ScaledDotProductKernelArgs,
  type ScaledDotProductKernelResult,
} from './functional/kernel.js';
export { type AttentionMasks, causalMask, combineAttentionMasks } from './functional/masks.js';
export { applyRotaryEmbedding, sinusoidalEncoding } from './functional/positions.js';
export {
  maskedSoftmax,
  type ScaledDotProductAttentionArgs,
  type ScaledDotProductAttentionResult,
  scaledDotProductAttention,
  scaledDotProductGeneric,
} from './functional/scaled-dot-product.js';
export * from './layers/index.js';
export * from './models/index.js';
export { attentionKerasLayers, attentionLayers } from './register.js';
export { attentionTorchLayers } from './torch/mappings.js';
export {
  type TorchLayerNormArgs,
  type TorchMultiheadAttentionArgs,
  type TorchTransformerLayerArgs,
  type TorchTransformerStackArgs,
  torchLayerNorm,
  torchMultiheadAttention,
  torchTransformerDecoder,
  torchTransformerDecoderLayer,
  torchTransformerEncoder,
  torchTransformerEncoderLayer,
} from './torch/modules.js';
