/**
 * The built-in layer classes, registered with the layer registry when this module loads (the package index loads
 * it, as tfjs' backends load their kernel registrations), so that saved models naming them can be rebuilt. The
 * registry itself knows no layer: a layer class outside this list is added the same way, with `registerLayer`.
 */
import { type LayerClass, registerLayer } from '../engine/registry.js';
import { Activation } from './activation.js';
import { Add } from './add.js';
import { AlphaDropout } from './alpha-dropout.js';
import { Average } from './average.js';
import { AveragePooling1D } from './average-pooling-1d.js';
import { BatchNormalization } from './batch-normalization.js';
import { Bidirectional } from './bidirectional.js';
import { CategoryEncoding } from './category-encoding.js';
import { Concatenate } from './concatenate.js';
import { Conv1D } from './conv1d.js';
import { Conv1DTranspose } from './conv1d-transpose.js';
import { Cropping1D } from './cropping-1d.js';
import { Dense } from './dense.js';
import { DepthwiseConv1D } from './depthwise-conv1d.js';
import { Dot } from './dot.js';
import { Dropout } from './dropout.js';
import { ELU } from './elu.js';
import { Embedding } from './embedding.js';
import { Flatten } from './flatten.js';
import { GaussianDropout } from './gaussian-dropout.js';
import { GaussianNoise } from './gaussian-noise.js';
import { GlobalAveragePooling1D } from './global-average-pooling-1d.js';
import { GlobalMaxPooling1D } from './global-max-pooling-1d.js';
import { Identity } from './identity.js';
import { LeakyReLU } from './leaky-relu.js';
import { Masking } from './masking.js';
import { MaxPooling1D } from './max-pooling-1d.js';
import { Maximum } from './maximum.js';
import { Minimum } from './minimum.js';
import { Multiply } from './multiply.js';
import { Normalization } from './normalization.js';
import { Permute } from './permute.js';
import { PReLU } from './prelu.js';
import { ReLU } from './relu.js';
import { RepeatVector } from './repeat-vector.js';
import { Rescaling } from './rescaling.js';
import { Reshape } from './reshape.js';
import { GRU, LSTM, RNN, SimpleRNN } from './rnn.js';
import { SeparableConv1D } from './separable-conv1d.js';
import { Softmax } from './softmax.js';
import { SpatialDropout1D } from './spatial-dropout-1d.js';
import { Stacked } from './stacked.js';
import { Subtract } from './subtract.js';
import { TimeDistributed } from './time-distributed.js';
import { UnitNormalization } from './unit-normalization.js';
import { UpSampling1D } from './up-sampling-1d.js';
import { ZeroPadding1D } from './zero-padding-1d.js';

/** The built-in layer classes, registered by default. */
export const builtInLayers: readonly LayerClass[] = [
  { className: 'RNN', fromConfig: (c) => RNN.fromConfig(c) },
  { className: 'SimpleRNN', fromConfig: (c) => SimpleRNN.fromConfig(c) },
  { className: 'LSTM', fromConfig: (c) => LSTM.fromConfig(c) },
  { className: 'GRU', fromConfig: (c) => GRU.fromConfig(c) },
  { className: 'Bidirectional', fromConfig: (c, ctx) => Bidirectional.fromConfig(c, ctx) },
  { className: 'Stacked', fromConfig: (c, ctx) => Stacked.fromConfig(c, ctx) },
  { className: 'Dense', fromConfig: (c) => Dense.fromConfig(c) },
  { className: 'Conv1D', fromConfig: (c) => Conv1D.fromConfig(c) },
  { className: 'Conv1DTranspose', fromConfig: (c) => Conv1DTranspose.fromConfig(c) },
  { className: 'DepthwiseConv1D', fromConfig: (c) => DepthwiseConv1D.fromConfig(c) },
  { className: 'SeparableConv1D', fromConfig: (c) => SeparableConv1D.fromConfig(c) },
  { className: 'Embedding', fromConfig: (c) => Embedding.fromConfig(c) },
  { className: 'Dropout', fromConfig: (c) => Dropout.fromConfig(c) },
  { className: 'SpatialDropout1D', fromConfig: (c) => SpatialDropout1D.fromConfig(c) },
  { className: 'GaussianNoise', fromConfig: (c) => GaussianNoise.fromConfig(c) },
  { className: 'GaussianDropout', fromConfig: (c) => GaussianDropout.fromConfig(c) },
  { className: 'AlphaDropout', fromConfig: (c) => AlphaDropout.fromConfig(c) },
  { className: 'Masking', fromConfig: (c) => Masking.fromConfig(c) },
  { className: 'TimeDistributed', fromConfig: (c, ctx) => TimeDistributed.fromConfig(c, ctx) },
  { className: 'RepeatVector', fromConfig: (c) => RepeatVector.fromConfig(c) },
  { className: 'Flatten', fromConfig: (c) => Flatten.fromConfig(c) },
  { className: 'Reshape', fromConfig: (c) => Reshape.fromConfig(c) },
  { className: 'Permute', fromConfig: (c) => Permute.fromConfig(c) },
  { className: 'ZeroPadding1D', fromConfig: (c) => ZeroPadding1D.fromConfig(c) },
  { className: 'Cropping1D', fromConfig: (c) => Cropping1D.fromConfig(c) },
  { className: 'UpSampling1D', fromConfig: (c) => UpSampling1D.fromConfig(c) },
  { className: 'GlobalAveragePooling1D', fromConfig: (c) => GlobalAveragePooling1D.fromConfig(c) },
  { className: 'GlobalMaxPooling1D', fromConfig: (c) => GlobalMaxPooling1D.fromConfig(c) },
  { className: 'MaxPooling1D', fromConfig: (c) => MaxPooling1D.fromConfig(c) },
  { className: 'AveragePooling1D', fromConfig: (c) => AveragePooling1D.fromConfig(c) },
  { className: 'BatchNormalization', fromConfig: (c) => BatchNormalization.fromConfig(c) },
  { className: 'Normalization', fromConfig: (c) => Normalization.fromConfig(c) },
  { className: 'UnitNormalization', fromConfig: (c) => UnitNormalization.fromConfig(c) },
  { className: 'Rescaling', fromConfig: (c) => Rescaling.fromConfig(c) },
  { className: 'Identity', fromConfig: (c) => Identity.fromConfig(c) },
  { className: 'CategoryEncoding', fromConfig: (c) => CategoryEncoding.fromConfig(c) },
  { className: 'Activation', fromConfig: (c) => Activation.fromConfig(c) },
  { className: 'LeakyReLU', fromConfig: (c) => LeakyReLU.fromConfig(c) },
  { className: 'ReLU', fromConfig: (c) => ReLU.fromConfig(c) },
  { className: 'ELU', fromConfig: (c) => ELU.fromConfig(c) },
  { className: 'PReLU', fromConfig: (c) => PReLU.fromConfig(c) },
  { className: 'Softmax', fromConfig: (c) => Softmax.fromConfig(c) },
  { className: 'Add', fromConfig: (c) => Add.fromConfig(c) },
  { className: 'Multiply', fromConfig: (c) => Multiply.fromConfig(c) },
  { className: 'Concatenate', fromConfig: (c) => Concatenate.fromConfig(c) },
  { className: 'Subtract', fromConfig: (c) => Subtract.fromConfig(c) },
  { className: 'Average', fromConfig: (c) => Average.fromConfig(c) },
  { className: 'Maximum', fromConfig: (c) => Maximum.fromConfig(c) },
  { className: 'Minimum', fromConfig: (c) => Minimum.fromConfig(c) },
  { className: 'Dot', fromConfig: (c) => Dot.fromConfig(c) },
];

for (const layerClass of builtInLayers) registerLayer(layerClass);
