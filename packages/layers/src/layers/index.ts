/** Every built-in layer, with the classes the registry rebuilds them from. */
import type { LayerClass } from '../engine/registry.js';
import { Activation } from './activation.js';
import { Bidirectional } from './bidirectional.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Flatten } from './flatten.js';
import { Masking } from './masking.js';
import { RepeatVector } from './repeat-vector.js';
import { GRU, LSTM, RNN, SimpleRNN } from './rnn.js';
import { Stacked } from './stacked.js';
import { TimeDistributed } from './time-distributed.js';

export { Activation, type ActivationArgs, activation } from './activation.js';
export { Bidirectional, type BidirectionalArgs, bidirectional, type MergeMode } from './bidirectional.js';
export { Dense, type DenseArgs, dense } from './dense.js';
export { Dropout, type DropoutArgs, dropout } from './dropout.js';
export { Embedding, type EmbeddingArgs, embedding } from './embedding.js';
export { Flatten, type FlattenArgs, flatten } from './flatten.js';
export { Masking, type MaskingArgs, masking } from './masking.js';
export { RepeatVector, type RepeatVectorArgs, repeatVector } from './repeat-vector.js';
export {
  GRU,
  type GruArgs,
  gru,
  isRecurrentLayer,
  LSTM,
  type LstmArgs,
  lstm,
  type RecurrentArgs,
  type RecurrentLayer,
  type RecurrentResult,
  type RecurrentRunOptions,
  RNN,
  type RnnArgs,
  rnn,
  SimpleRNN,
  type SimpleRnnArgs,
  simpleRNN,
} from './rnn.js';
export { Stacked, type StackedArgs, type StackedSpec, stacked } from './stacked.js';
export { TimeDistributed, timeDistributed } from './time-distributed.js';

/** The built-in layer classes, registered by default. */
export const builtInLayers: readonly LayerClass[] = [
  { className: 'RNN', fromConfig: (c) => RNN.fromConfig(c) },
  { className: 'SimpleRNN', fromConfig: (c) => SimpleRNN.fromConfig(c) },
  { className: 'LSTM', fromConfig: (c) => LSTM.fromConfig(c) },
  { className: 'GRU', fromConfig: (c) => GRU.fromConfig(c) },
  { className: 'Bidirectional', fromConfig: (c, ctx) => Bidirectional.fromConfig(c, ctx) },
  { className: 'Stacked', fromConfig: (c, ctx) => Stacked.fromConfig(c, ctx) },
  { className: 'Dense', fromConfig: (c) => Dense.fromConfig(c) },
  { className: 'Embedding', fromConfig: (c) => Embedding.fromConfig(c) },
  { className: 'Dropout', fromConfig: (c) => Dropout.fromConfig(c) },
  { className: 'Masking', fromConfig: (c) => Masking.fromConfig(c) },
  { className: 'TimeDistributed', fromConfig: (c, ctx) => TimeDistributed.fromConfig(c, ctx) },
  { className: 'RepeatVector', fromConfig: (c) => RepeatVector.fromConfig(c) },
  { className: 'Flatten', fromConfig: (c) => Flatten.fromConfig(c) },
  { className: 'Activation', fromConfig: (c) => Activation.fromConfig(c) },
];
