import { describe, expect, it } from 'vitest';
// The registry knows no layer of its own; the built-ins register when their list loads (as the package index does).
import '../layers/builtins.js';
import { dense } from '../layers/dense.js';
import {
  deserializeLayer,
  getLayerClass,
  listLayerClasses,
  registerLayer,
  serializeLayer,
} from './registry.js';

describe('layer registry', () => {
  it('lists the built-in classes and rebuilds layers from { className, config }', () => {
    expect(listLayerClasses()).toEqual([
      'RNN',
      'SimpleRNN',
      'LSTM',
      'GRU',
      'Bidirectional',
      'Stacked',
      'Dense',
      'Conv1D',
      'Conv1DTranspose',
      'DepthwiseConv1D',
      'SeparableConv1D',
      'Embedding',
      'Dropout',
      'SpatialDropout1D',
      'GaussianNoise',
      'GaussianDropout',
      'AlphaDropout',
      'Masking',
      'TimeDistributed',
      'RepeatVector',
      'Flatten',
      'Reshape',
      'Permute',
      'ZeroPadding1D',
      'Cropping1D',
      'UpSampling1D',
      'GlobalAveragePooling1D',
      'GlobalMaxPooling1D',
      'MaxPooling1D',
      'AveragePooling1D',
      'BatchNormalization',
      'Normalization',
      'UnitNormalization',
      'Rescaling',
      'Identity',
      'CategoryEncoding',
      'Activation',
      'LeakyReLU',
      'ReLU',
      'ELU',
      'PReLU',
      'Softmax',
      'Add',
      'Multiply',
      'Concatenate',
      'Subtract',
      'Average',
      'Maximum',
      'Minimum',
      'Dot',
    ]);
    const layer = dense({ units: 3, activation: 'relu', name: 'd' });
    const again = deserializeLayer(serializeLayer(layer));
    expect(again.serialize()).toEqual(layer.serialize());
    expect(getLayerClass('Dense').className).toBe('Dense');
  });

  it('explains what it cannot do', () => {
    expect(() => getLayerClass('Lambda')).toThrow('unknown layer class "Lambda"; registered: RNN, SimpleRNN');
    expect(() => deserializeLayer(null as never)).toThrow(
      'deserializeLayer(serialized): expected an object with className and config, received null',
    );
    expect(() => registerLayer({ className: 'Dense', fromConfig: () => dense({ units: 1 }) })).toThrow(
      'registerLayer: a layer class named "Dense" is already registered',
    );
    expect(() => registerLayer({ className: '', fromConfig: () => dense({ units: 1 }) })).toThrow(
      'registerLayer(layerClass).className: expected a non-empty string',
    );
  });
});
