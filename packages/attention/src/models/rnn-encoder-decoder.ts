/**
 * A recurrent encoder-decoder with attention (Bahdanau et al. 2015; Luong et al. 2015): source ids → embeddings → a
 * recurrent encoder (its outputs at every step and its final states); previous target ids → embeddings → an
 * `attentionDecoder` started from the encoder's states, attending over its outputs at every step → logits. Id 0 is
 * padding on both sides. Returns an `EncoderDecoderModel` (its `attention` model gives the decoder's attention
 * weights `[batch, Tt, Ts]` for a source and a target prefix).
 */
import type { Backend, CellRef } from '@seqmodel/core';
import { dense, embedding, input, model, rnn, type SymbolicTensor } from '@seqmodel/layers';
import { attentionDecoder } from '../blocks/attention-decoder.js';
import { EncoderDecoderModel } from './encoder-decoder-model.js';

export interface RnnEncoderDecoderArgs<T> {
  readonly backend: Backend<T>;
  readonly seed?: number | string;
  readonly name?: string;
  readonly sourceVocabularySize: number;
  readonly targetVocabularySize: number;
  /** Size of the token embeddings. */
  readonly embeddingDim: number;
  /** Units of the encoder and the decoder cell. */
  readonly units: number;
  /** The recurrent cell of both (default `lstm`). */
  readonly cell?: CellRef;
  /** `luong` (default, with input feeding) or `bahdanau`. */
  readonly attention?: 'luong' | 'bahdanau';
  /** Luong's score: `dot`, `general` (default here) or `concat`. */
  readonly scoreMode?: 'dot' | 'general' | 'concat';
  /** Hidden size of additive scores (default `units`). */
  readonly attentionUnits?: number;
}

/**
 * Builds a recurrent encoder-decoder with attention on `args.backend`.
 *
 * @example
 * const s2s = rnnEncoderDecoder({ backend, seed: 1, sourceVocabularySize: 40, targetVocabularySize: 14,
 *   embeddingDim: 32, units: 64 });
 * await s2s.model.fit([source, previous], next, { epochs: 10 });
 * const { tokens } = generate(s2s, { source, prompt: source.map(() => [GO]), maxNewTokens: 11, endToken: EOS });
 */
export function rnnEncoderDecoder<T>(args: RnnEncoderDecoderArgs<T>): EncoderDecoderModel<T> {
  const cell = args.cell ?? 'lstm';
  const attention = args.attention ?? 'luong';
  const source = input({ shape: [null], dtype: 'int32', name: 'source' });
  const [encoded, ...states] = rnn({
    name: 'encoder',
    cell,
    units: args.units,
    returnSequences: true,
    returnState: true,
  }).apply(
    embedding({
      name: 'source_embedding',
      inputDim: args.sourceVocabularySize,
      outputDim: args.embeddingDim,
      maskZero: true,
    }).apply(source) as SymbolicTensor,
  ) as SymbolicTensor[];
  const targetEmbedding = embedding({
    name: 'target_embedding',
    inputDim: args.targetVocabularySize,
    outputDim: args.embeddingDim,
    maskZero: true,
  });
  const decoderLayer = attentionDecoder({
    name: 'decoder',
    cell,
    units: args.units,
    attention,
    ...(attention === 'luong' ? { scoreMode: args.scoreMode ?? 'general' } : {}),
    ...(args.attentionUnits === undefined ? {} : { attentionUnits: args.attentionUnits }),
    returnAttentionScores: true,
  });
  const head = dense({ name: 'logits', units: args.targetVocabularySize });
  const decode = (previous: SymbolicTensor, context: SymbolicTensor, initial: SymbolicTensor[]) => {
    const [decoded, weights] = decoderLayer.apply(
      [targetEmbedding.apply(previous) as SymbolicTensor, context],
      {
        initialState: initial,
      },
    ) as SymbolicTensor[];
    return { logits: head.apply(decoded!) as SymbolicTensor, weights: weights! };
  };
  const previous = input({ shape: [null], dtype: 'int32', name: 'previous' });
  const trained = decode(previous, encoded!, states);
  const seed = args.seed === undefined ? {} : { seed: args.seed };
  const training = model({
    inputs: [source, previous],
    outputs: trained.logits,
    backend: args.backend,
    ...seed,
    name: args.name ?? 'rnn_encoder_decoder',
  });
  const encoder = model({
    inputs: source,
    outputs: [encoded!, ...states],
    backend: args.backend,
    name: 'encoder_model',
  });
  const step = input({ shape: [null], dtype: 'int32', name: 'previous' });
  const context = input({ shape: [null, args.units], name: 'encoded' });
  const stateInputs = states.map((s, i) => input({ shape: [s.shape[1]!], name: `state_${i}` }));
  const decoder = model({
    inputs: [step, context, ...stateInputs],
    outputs: decode(step, context, stateInputs).logits,
    backend: args.backend,
    name: 'decoder_model',
  });
  const weights = model({
    inputs: [source, previous],
    outputs: trained.weights,
    backend: args.backend,
    name: 'attention_model',
  });
  return new EncoderDecoderModel({ model: training, encoder, decoder, attention: weights });
}
