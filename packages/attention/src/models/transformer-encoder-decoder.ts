/**
 * An encoder-decoder transformer (Vaswani et al. 2017): source ids → embeddings → encoder blocks; previous target ids
 * → embeddings → decoder blocks with cross-attention over the encoder's outputs → logits. Id 0 is padding on both
 * sides (its keys get no attention and its targets no loss). Returns an `EncoderDecoderModel`: train its `model` with
 * teacher forcing (`[source, previous] → next`); generate with the decoding module, which encodes once and decodes
 * one token at a time with key/value caches (the encoder's keys and values projected once per block).
 */
import { dense, input, model, type SymbolicTensor } from '@seqmodel/layers';
import { tokenAndPositionEmbedding } from '../blocks/token-and-position-embedding.js';
import { transformerDecoderStack } from '../blocks/transformer-decoder-stack.js';
import { transformerEncoderStack } from '../blocks/transformer-encoder-stack.js';
import { EncoderDecoderModel } from './encoder-decoder-model.js';
import { blockOptions, type TransformerModelArgs } from './transformer-language-model.js';

export interface TransformerEncoderDecoderArgs<T> extends TransformerModelArgs<T> {
  readonly sourceVocabularySize: number;
  readonly targetVocabularySize: number;
  /** The longest source sequence. */
  readonly sourceSequenceLength: number;
  /** The longest target sequence (the start token and the generated tokens). */
  readonly targetSequenceLength: number;
  /** Encoder blocks. */
  readonly numEncoderLayers: number;
  /** Decoder blocks. */
  readonly numDecoderLayers: number;
  /** Pre-norm blocks with final layer normalizations (default false: post-norm, as the original transformer). */
  readonly normalizeFirst?: boolean;
}

/**
 * Builds an encoder-decoder transformer on `args.backend`.
 *
 * @example
 * const t = transformerEncoderDecoder({ backend, seed: 1, sourceVocabularySize: 40, targetVocabularySize: 14,
 *   sourceSequenceLength: 32, targetSequenceLength: 12, hiddenDim: 64, numHeads: 4, intermediateDim: 128,
 *   numEncoderLayers: 2, numDecoderLayers: 2 });
 * await t.model.fit([source, previous], next, { epochs: 10 });
 * const { tokens } = generate(t, { source, prompt: source.map(() => [GO]), maxNewTokens: 11, endToken: EOS });
 */
export function transformerEncoderDecoder<T>(args: TransformerEncoderDecoderArgs<T>): EncoderDecoderModel<T> {
  const positions = args.positionEncoding === undefined ? {} : { positionEncoding: args.positionEncoding };
  const normalizeFirst = args.normalizeFirst ?? false;
  const source = input({ shape: [null], dtype: 'int32', name: 'source' });
  const encoded = transformerEncoderStack({
    name: 'encoder',
    numLayers: args.numEncoderLayers,
    normalizeFirst,
    ...blockOptions(args),
  }).apply(
    tokenAndPositionEmbedding({
      name: 'source_embedding',
      vocabularySize: args.sourceVocabularySize,
      sequenceLength: args.sourceSequenceLength,
      embeddingDim: args.hiddenDim,
      maskZero: true,
      ...positions,
    }).apply(source) as SymbolicTensor,
  ) as SymbolicTensor;
  const targetEmbedding = tokenAndPositionEmbedding({
    name: 'target_embedding',
    vocabularySize: args.targetVocabularySize,
    sequenceLength: args.targetSequenceLength,
    embeddingDim: args.hiddenDim,
    maskZero: true,
    ...positions,
  });
  const decoderStack = transformerDecoderStack({
    name: 'decoder',
    numLayers: args.numDecoderLayers,
    normalizeFirst,
    ...blockOptions(args),
  });
  const head = dense({ name: 'logits', units: args.targetVocabularySize });
  const decode = (previous: SymbolicTensor, context: SymbolicTensor) =>
    head.apply(
      decoderStack.apply([targetEmbedding.apply(previous) as SymbolicTensor, context]) as SymbolicTensor,
    ) as SymbolicTensor;
  const previous = input({ shape: [null], dtype: 'int32', name: 'previous' });
  const seed = args.seed === undefined ? {} : { seed: args.seed };
  const training = model({
    inputs: [source, previous],
    outputs: decode(previous, encoded),
    backend: args.backend,
    ...seed,
    name: args.name ?? 'transformer_encoder_decoder',
  });
  const encoder = model({ inputs: source, outputs: encoded, backend: args.backend, name: 'encoder_model' });
  const step = input({ shape: [null], dtype: 'int32', name: 'previous' });
  const context = input({ shape: [null, args.hiddenDim], name: 'encoded' });
  const decoder = model({
    inputs: [step, context],
    outputs: decode(step, context),
    backend: args.backend,
    name: 'decoder_model',
  });
  return new EncoderDecoderModel({ model: training, encoder, decoder });
}
