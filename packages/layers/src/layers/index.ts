/** Every built-in layer: the classes and their factory functions. */
export { Activation, type ActivationArgs, activation } from './activation.js';
export { Add, type AddArgs, add } from './add.js';
export { AlphaDropout, type AlphaDropoutArgs, alphaDropout } from './alpha-dropout.js';
export { Average, type AverageArgs, average } from './average.js';
export { AveragePooling1D, type AveragePooling1DArgs, averagePooling1d } from './average-pooling-1d.js';
export {
  BatchNormalization,
  type BatchNormalizationArgs,
  batchNormalization,
} from './batch-normalization.js';
export { Bidirectional, type BidirectionalArgs, bidirectional, type MergeMode } from './bidirectional.js';
export { builtInLayers } from './builtins.js';
export { TrainingNoise } from './call-randomness.js';
export {
  CategoryEncoding,
  type CategoryEncodingArgs,
  type CategoryOutputMode,
  categoryEncoding,
} from './category-encoding.js';
export { Concatenate, type ConcatenateArgs, concatenate } from './concatenate.js';
export { Conv1D, type Conv1DArgs, type Conv1DPadding, conv1d } from './conv1d.js';
export {
  Conv1DBase,
  type Conv1DBaseArgs,
  WindowConvolution,
  type WindowConvolutionArgs,
} from './conv1d-base.js';
export { Conv1DTranspose, type Conv1DTransposeArgs, conv1dTranspose } from './conv1d-transpose.js';
export { Cropping1D, type Cropping1DArgs, cropping1d } from './cropping-1d.js';
export { Dense, type DenseArgs, dense } from './dense.js';
export {
  type DepthwiseArgs,
  DepthwiseConv1D,
  type DepthwiseConv1DArgs,
  DepthwiseConvolution,
  depthwiseConv1d,
} from './depthwise-conv1d.js';
export { Dot, type DotArgs, dot } from './dot.js';
export { Dropout, type DropoutArgs, dropout } from './dropout.js';
export { ELU, type ELUArgs, elu } from './elu.js';
export { Embedding, type EmbeddingArgs, embedding } from './embedding.js';
export { Flatten, type FlattenArgs, flatten } from './flatten.js';
export { GaussianDropout, type GaussianDropoutArgs, gaussianDropout } from './gaussian-dropout.js';
export { GaussianNoise, type GaussianNoiseArgs, gaussianNoise } from './gaussian-noise.js';
export {
  GlobalAveragePooling1D,
  type GlobalAveragePooling1DArgs,
  globalAveragePooling1d,
} from './global-average-pooling-1d.js';
export {
  GlobalMaxPooling1D,
  type GlobalMaxPooling1DArgs,
  globalMaxPooling1d,
} from './global-max-pooling-1d.js';
export { GlobalPooling1D, type GlobalPooling1DArgs } from './global-pooling.js';
export { Identity, type IdentityArgs, identity } from './identity.js';
export { LeakyReLU, type LeakyReLUArgs, leakyReLU } from './leaky-relu.js';
export { Masking, type MaskingArgs, masking } from './masking.js';
export { MaxPooling1D, type MaxPooling1DArgs, maxPooling1d } from './max-pooling-1d.js';
export { Maximum, type MaximumArgs, maximum } from './maximum.js';
export { Merge } from './merge.js';
export { Minimum, type MinimumArgs, minimum } from './minimum.js';
export { Multiply, type MultiplyArgs, multiply } from './multiply.js';
export { type AdaptData, Normalization, type NormalizationArgs, normalization } from './normalization.js';
export { Permute, type PermuteArgs, permute } from './permute.js';
export { Pooling1D, type Pooling1DArgs } from './pooling-1d.js';
export { PReLU, type PReLUArgs, prelu } from './prelu.js';
export { ReLU, type ReLUArgs, reLU } from './relu.js';
export { RepeatVector, type RepeatVectorArgs, repeatVector } from './repeat-vector.js';
export { Rescaling, type RescalingArgs, rescaling } from './rescaling.js';
export { Reshape, type ReshapeArgs, reshape } from './reshape.js';
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
export { SeparableConv1D, type SeparableConv1DArgs, separableConv1d } from './separable-conv1d.js';
export { Softmax, type SoftmaxArgs, softmax } from './softmax.js';
export {
  SpatialDropout1D,
  type SpatialDropout1DArgs,
  spatialDropout1d,
} from './spatial-dropout-1d.js';
export { Stacked, type StackedArgs, type StackedSpec, stacked } from './stacked.js';
export { Subtract, type SubtractArgs, subtract } from './subtract.js';
export { TimeDistributed, timeDistributed } from './time-distributed.js';
export { conv1dGeometry, type WindowPadding } from './time-windows.js';
export { UnitNormalization, type UnitNormalizationArgs, unitNormalization } from './unit-normalization.js';
export { UpSampling1D, type UpSampling1DArgs, upSampling1d } from './up-sampling-1d.js';
export { ZeroPadding1D, type ZeroPadding1DArgs, zeroPadding1d } from './zero-padding-1d.js';
