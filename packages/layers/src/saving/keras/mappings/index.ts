/** The built-in layers' Keras mappings, registered by default (`../registry.ts`). */
import type { KerasLayerMapping } from '../mapping.js';
import { activationMapping } from './activation.js';
import { eluMapping, preluMapping, reluMapping, softmaxMapping } from './advanced-activations.js';
import { batchNormalizationMapping } from './batch-normalization.js';
import { bidirectionalMapping } from './bidirectional.js';
import {
  conv1dMapping,
  conv1dTransposeMapping,
  depthwiseConv1dMapping,
  separableConv1dMapping,
} from './conv1d.js';
import { denseMapping } from './dense.js';
import {
  alphaDropoutMapping,
  dropoutMapping,
  gaussianDropoutMapping,
  spatialDropout1dMapping,
} from './dropout.js';
import { embeddingMapping } from './embedding.js';
import { flattenMapping } from './flatten.js';
import { globalAveragePooling1dMapping, globalMaxPooling1dMapping } from './global-pooling.js';
import { maskingMapping } from './masking.js';
import {
  addMapping,
  averageMapping,
  concatenateMapping,
  dotMapping,
  maximumMapping,
  minimumMapping,
  multiplyMapping,
  subtractMapping,
} from './merge.js';
import { gaussianNoiseMapping, leakyReluMapping } from './noise-activations.js';
import { normalizationMapping } from './normalization.js';
import { averagePooling1dMapping, maxPooling1dMapping } from './pooling.js';
import { gruMapping, lstmMapping, rnnMapping, simpleRnnMapping } from './recurrent.js';
import { repeatVectorMapping } from './repeat-vector.js';
import { permuteMapping, reshapeMapping } from './reshape-permute.js';
import {
  categoryEncodingMapping,
  identityMapping,
  rescalingMapping,
  unitNormalizationMapping,
} from './simple-layers.js';
import { stackedMapping } from './stacked.js';
import { timeDistributedMapping } from './time-distributed.js';
import { cropping1dMapping, upSampling1dMapping, zeroPadding1dMapping } from './time-resizing.js';

export const builtInKerasLayers: readonly KerasLayerMapping[] = [
  activationMapping,
  addMapping,
  alphaDropoutMapping,
  averageMapping,
  averagePooling1dMapping,
  batchNormalizationMapping,
  bidirectionalMapping,
  categoryEncodingMapping,
  concatenateMapping,
  conv1dMapping,
  conv1dTransposeMapping,
  cropping1dMapping,
  denseMapping,
  depthwiseConv1dMapping,
  dotMapping,
  dropoutMapping,
  eluMapping,
  embeddingMapping,
  flattenMapping,
  gaussianDropoutMapping,
  gaussianNoiseMapping,
  globalAveragePooling1dMapping,
  globalMaxPooling1dMapping,
  gruMapping,
  identityMapping,
  leakyReluMapping,
  lstmMapping,
  maskingMapping,
  maxPooling1dMapping,
  maximumMapping,
  minimumMapping,
  multiplyMapping,
  normalizationMapping,
  permuteMapping,
  preluMapping,
  reluMapping,
  repeatVectorMapping,
  rescalingMapping,
  reshapeMapping,
  rnnMapping,
  separableConv1dMapping,
  simpleRnnMapping,
  softmaxMapping,
  spatialDropout1dMapping,
  stackedMapping,
  subtractMapping,
  timeDistributedMapping,
  unitNormalizationMapping,
  upSampling1dMapping,
  zeroPadding1dMapping,
];
