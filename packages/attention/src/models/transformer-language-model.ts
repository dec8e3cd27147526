/**
 * A decoder-only transformer language model (GPT-style): token ids `[batch, time]` → token and position embeddings
 * (`embedding`) → `numLayers` causal decoder blocks (`decoder`, pre-norm by default with a final layer
 * normalization) → logits over the vocabulary (`logits`, `[batch, time, vocabularySize]`). Train it on next-token
 * targets with `sparseCategoricalCrossentropy({ fromLogits: true })`; generate with the decoding module, which runs it
 * one token at a time with a key/value cache per block.
 */
import type { ActivationName, Backend } from '@seqmodel/core';
import { dense, type Functional, input, model, type SymbolicTensor } from '@seqmodel/layers';
import { tokenAndPositionEmbedding } from '../blocks/token-and-position-embedding.js';
import { transformerDecoderStack } from '../blocks/transformer-decoder-stack.js';

/** Options shared by the transformer model builders. */
export interface TransformerModelArgs<T> {
  /** The backend to build on. */
  readonly backend: Backend<T>;
  /** Seed of the weights (and of the dropout stream). */
  readonly seed?: number | string;
  readonly name?: string;
  /** Model size `E` (embeddings and every block). */
  readonly hiddenDim: number;
  /** Attention heads per block (each of `floor(hiddenDim / numHeads)` features). */
  readonly numHeads: number;
  /** Hidden size of each block's feed-forward network. */
  readonly intermediateDim: number;
  /** Dropout in every block (default 0). */
  readonly dropout?: number;
  /** Feed-forward activation (default `relu`). */
  readonly activation?: ActivationName;
  /** Layer normalization epsilon (default 1e-5). */
  readonly layerNormEpsilon?: number;
  /** `learned` (default) or `sine` positions. */
  readonly positionEncoding?: 'learned' | 'sine';
}

export interface TransformerLanguageModelArgs<T> extends TransformerModelArgs<T> {
  readonly vocabularySize: number;
  /** The longest sequence (prompt and generated tokens together) the model embeds positions for. */
  readonly sequenceLength: number;
  /** Number of decoder blocks. */
  readonly numLayers: number;
  /** Pre-norm blocks and a final layer normalization (default true, as GPT-2); false: post-norm. */
  readonly normalizeFirst?: boolean;
}

/** The options every block of a builder gets. */
export function blockOptions<T>(args: TransformerModelArgs<T>) {
  return {
    numHeads: args.numHeads,
    intermediateDim: args.intermediateDim,
    ...(args.dropout === undefined ? {} : { dropout: args.dropout }),
    ...(args.activation === undefined ? {} : { activation: args.activation }),
    ...(args.layerNormEpsilon === undefined ? {} : { layerNormEpsilon: args.layerNormEpsilon }),
  };
}

/**
 * Builds a decoder-only transformer language model on `args.backend`.
 *
 * @example
 * const lm = transformerLanguageModel({
 *   backend, seed: 1, vocabularySize: 20, sequenceLength: 16, hiddenDim: 64, numLayers: 2, numHeads: 4,
 *   intermediateDim: 128,
 * });
 * lm.compile({ optimizer: adam({ learningRate: 1e-3 }), loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }) });
 * const { tokens } = generate(lm, { prompt: [[3, 5, 7]], maxNewTokens: 5 });
 */
export function transformerLanguageModel<T>(args: TransformerLanguageModelArgs<T>): Functional<T> {
  const tokens = input({ shape: [null], dtype: 'int32', name: 'tokens' });
  const embedded = tokenAndPositionEmbedding({
    name: 'embedding',
    vocabularySize: args.vocabularySize,
    sequenceLength: args.sequenceLength,
    embeddingDim: args.hiddenDim,
    ...(args.positionEncoding === undefined ? {} : { positionEncoding: args.positionEncoding }),
  }).apply(tokens) as SymbolicTensor;
  const decoded = transformerDecoderStack({
    name: 'decoder',
    numLayers: args.numLayers,
    normalizeFirst: args.normalizeFirst ?? true,
    ...blockOptions(args),
  }).apply(embedded) as SymbolicTensor;
  const logits = dense({ name: 'logits', units: args.vocabularySize }).apply(decoded) as SymbolicTensor;
  return model({
    inputs: tokens,
    outputs: logits,
    backend: args.backend,
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    name: args.name ?? 'transformer_language_model',
  });
}
