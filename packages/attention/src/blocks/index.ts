/** Transformer blocks and stacks, token-and-position embeddings, and the attention decoder of RNN encoder-decoders. */
export { AttentionDecoder, type AttentionDecoderArgs, attentionDecoder } from './attention-decoder.js';
export { PYTORCH_BLOCK_NAMES, pytorchStateDictName } from './pytorch-names.js';
export {
  TokenAndPositionEmbedding,
  type TokenAndPositionEmbeddingArgs,
  tokenAndPositionEmbedding,
} from './token-and-position-embedding.js';
export { TransformerBlock, type TransformerBlockArgs } from './transformer-block.js';
export {
  type DecoderBlockCache,
  TransformerDecoderBlock,
  type TransformerDecoderBlockArgs,
  transformerDecoderBlock,
} from './transformer-decoder-block.js';
export {
  TransformerDecoderStack,
  type TransformerDecoderStackArgs,
  transformerDecoderStack,
} from './transformer-decoder-stack.js';
export {
  TransformerEncoderBlock,
  type TransformerEncoderBlockArgs,
  transformerEncoderBlock,
} from './transformer-encoder-block.js';
export {
  TransformerEncoderStack,
  type TransformerEncoderStackArgs,
  transformerEncoderStack,
} from './transformer-encoder-stack.js';
export { TransformerStack, type TransformerStackArgs } from './transformer-stack.js';
