/** Model builders: a decoder-only transformer language model and encoder-decoders (transformer and recurrent). */
export { EncoderDecoderModel, type EncoderDecoderParts } from './encoder-decoder-model.js';
export { type RnnEncoderDecoderArgs, rnnEncoderDecoder } from './rnn-encoder-decoder.js';
export {
  type TransformerEncoderDecoderArgs,
  transformerEncoderDecoder,
} from './transformer-encoder-decoder.js';
export {
  type TransformerLanguageModelArgs,
  type TransformerModelArgs,
  transformerLanguageModel,
} from './transformer-language-model.js';
