/**
 * Every built-in layer through the layer conformance kit (`@seqmodel/layers/testing`) on `@seqmodel/backend-cpu`
 * (tfjs' CPU backend: autodiff for the gradient checks, fused recurrent kernels where they apply) and
 * `@seqmodel/backend-wasm`, compared with the float64 reference. The cases are data: each says what its layer does
 * with masks, and every opt-out carries its reason.
 */
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { type Backend, createReferenceBackend, type Rng } from '@seqmodel/core';
import { describe, it } from 'vitest';
// The kit rebuilds layers through the registry, which holds the built-ins once they load (as the package index does).
import './builtins.js';
import type { HostTensor, LayerConformanceCase, LayerTestInput } from '../testing/layer-case.js';
import { layerConformanceChecks } from '../testing/layer-conformance.js';
import { cpuBackend } from '../training/test-helpers.js';
import { activation } from './activation.js';
import { add } from './add.js';
import { alphaDropout } from './alpha-dropout.js';
import { average } from './average.js';
import { averagePooling1d } from './average-pooling-1d.js';
import { batchNormalization } from './batch-normalization.js';
import { bidirectional } from './bidirectional.js';
import { categoryEncoding } from './category-encoding.js';
import { concatenate } from './concatenate.js';
import { conv1d } from './conv1d.js';
import { conv1dTranspose } from './conv1d-transpose.js';
import { cropping1d } from './cropping-1d.js';
import { dense } from './dense.js';
import { depthwiseConv1d } from './depthwise-conv1d.js';
import { dot } from './dot.js';
import { dropout } from './dropout.js';
import { elu } from './elu.js';
import { embedding } from './embedding.js';
import { flatten } from './flatten.js';
import { gaussianDropout } from './gaussian-dropout.js';
import { gaussianNoise } from './gaussian-noise.js';
import { globalAveragePooling1d } from './global-average-pooling-1d.js';
import { globalMaxPooling1d } from './global-max-pooling-1d.js';
import { identity } from './identity.js';
import { leakyReLU } from './leaky-relu.js';
import { masking } from './masking.js';
import { maxPooling1d } from './max-pooling-1d.js';
import { maximum } from './maximum.js';
import { minimum } from './minimum.js';
import { multiply } from './multiply.js';
import { normalization } from './normalization.js';
import { permute } from './permute.js';
import { prelu } from './prelu.js';
import { reLU } from './relu.js';
import { repeatVector } from './repeat-vector.js';
import { rescaling } from './rescaling.js';
import { reshape } from './reshape.js';
import { gru, lstm, rnn, simpleRNN } from './rnn.js';
import { separableConv1d } from './separable-conv1d.js';
import { softmax } from './softmax.js';
import { spatialDropout1d } from './spatial-dropout-1d.js';
import { stacked } from './stacked.js';
import { subtract } from './subtract.js';
import { timeDistributed } from './time-distributed.js';
import { unitNormalization } from './unit-normalization.js';
import { upSampling1d } from './up-sampling-1d.js';
import { zeroPadding1d } from './zero-padding-1d.js';

const backend = cpuBackend();
const wasm = await createWasmBackend();

/** `[batch 3, time 4, features 2]`, masked: the size every sequence case uses (small enough for finite differences). */
const sequence: LayerTestInput = { shape: [3, 4, 2], buildShape: [null, null, 2], mask: true };
const unmaskedSequence: LayerTestInput = { shape: [3, 4, 2], buildShape: [null, null, 2] };

/** Token ids in [0, vocab), about a quarter of them 0 (padding). */
const ids =
  (vocab: number) =>
  (size: number, rng: Rng): number[] =>
    Array.from({ length: size }, () => (rng.next() < 0.25 ? 0 : 1 + rng.int(vocab - 1)));

/** Normals with about a third of the steps (`features` values each) set entirely to `maskValue`. */
const paddedSteps =
  (features: number, maskValue: number) =>
  (size: number, rng: Rng): number[] => {
    const out: number[] = [];
    for (let step = 0; step < size / features; step++) {
      const masked = rng.next() < 0.35;
      for (let f = 0; f < features; f++) out.push(masked ? maskValue : rng.normal());
    }
    return out;
  };

/** The mask Embedding's `maskZero` makes: 1 where the id is not 0. */
const nonZeroIds = ([x]: readonly HostTensor[]): HostTensor => ({
  values: x!.values.map((v) => (v === 0 ? 0 : 1)),
  shape: x!.shape,
  dtype: 'float32',
});

/** The mask Masking makes: 1 where any feature of the step differs from `maskValue`. */
const stepsNotAll =
  (maskValue: number) =>
  ([x]: readonly HostTensor[]): HostTensor => {
    const features = x!.shape[x!.shape.length - 1]!;
    const values = new Float64Array(x!.values.length / features);
    values.forEach((_, s) => {
      values[s] = x!.values.subarray(s * features, (s + 1) * features).some((v) => v !== maskValue) ? 1 : 0;
    });
    return { values, shape: x!.shape.slice(0, -1), dtype: 'float32' };
  };

/** One case, its options checked against its factory, in the list of cases of every option type. */
const layerCase = <O>(testCase: LayerConformanceCase<O>): LayerConformanceCase => testCase;

const none = 'none' as const;
const passed = { input: 0 } as const;

/** The recurrent variants every cell runs through. */
function recurrentCases(
  name: string,
  factory: (options: Record<string, unknown>) => import('../engine/layer.js').Layer,
  base: Record<string, unknown>,
  states: number,
): LayerConformanceCase[] {
  const stateInputs = Array.from({ length: states }, () => ({ shape: [3, 3] }));
  const stateMasks = Array.from({ length: states }, () => none);
  return [
    {
      label: `${name} returnSequences, returnState, mask`,
      factory,
      options: { ...base, units: 3, returnSequences: true, returnState: true },
      inputs: [sequence],
      masks: { outputs: [passed, ...stateMasks] },
    },
    {
      label: `${name} last step, returnState, no mask`,
      factory,
      options: { ...base, units: 3, returnState: true },
      inputs: [unmaskedSequence],
      masks: { outputs: [none, ...stateMasks] },
    },
    {
      label: `${name} last step, returnState, generic loop`,
      factory,
      options: { ...base, units: 3, returnState: true, fused: 'never' },
      inputs: [unmaskedSequence],
      masks: { outputs: [none, ...stateMasks] },
    },
    {
      label: `${name} goBackwards, zeroOutputForMask, initial state, generic loop`,
      factory,
      options: {
        ...base,
        units: 3,
        returnSequences: true,
        goBackwards: true,
        zeroOutputForMask: true,
        fused: 'never',
      },
      inputs: [sequence],
      initialState: stateInputs,
      masks: { outputs: [passed] },
    },
    {
      label: `${name} dropout and recurrent dropout, last step`,
      factory,
      options: { ...base, units: 3, dropout: 0.3, recurrentDropout: 0.3 },
      inputs: [sequence],
      masks: { outputs: [none] },
    },
    {
      label: `${name} stateful`,
      factory,
      options: { ...base, units: 3, stateful: true, returnSequences: true },
      inputs: [{ ...sequence, buildShape: [3, 4, 2] }],
      masks: { outputs: [passed] },
    },
  ];
}

const cases: LayerConformanceCase[] = [
  ...recurrentCases('SimpleRNN', (o) => simpleRNN(o as never), {}, 1),
  ...recurrentCases('LSTM', (o) => lstm(o as never), {}, 2),
  ...recurrentCases('GRU', (o) => gru(o as never), {}, 1),
  ...recurrentCases('GRU resetAfter false', (o) => gru(o as never), { resetAfter: false }, 1),
  ...recurrentCases(
    'RNN lstm cell, hardSigmoid',
    (o) => rnn(o as never),
    { cell: 'lstm', recurrentActivation: 'hardSigmoid' },
    2,
  ),
  layerCase({
    label: 'SimpleRNN relu, no bias, other initializers, named, frozen, with inputShape',
    factory: simpleRNN,
    options: {
      units: 3,
      activation: 'relu',
      useBias: false,
      kernelInitializer: 'heNormal',
      recurrentInitializer: { name: 'orthogonal', gain: 0.5 },
      name: 'encoder',
      trainable: false,
      inputShape: [null, 2],
      returnSequences: true,
    },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'LSTM without unit forget bias, biases drawn',
    factory: lstm,
    options: {
      units: 3,
      unitForgetBias: false,
      biasInitializer: { name: 'uniform', minval: -0.5, maxval: 0.5 },
    },
    inputs: [sequence],
    masks: { outputs: [none] },
  }),
  layerCase({
    label: 'Bidirectional LSTM concat, returnSequences, mask',
    factory: (o: { mergeMode: 'concat' }) => bidirectional(lstm({ units: 3, returnSequences: true }), o),
    options: { mergeMode: 'concat' },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  ...(['sum', 'mul', 'ave'] as const).map((mergeMode) =>
    layerCase({
      label: `Bidirectional GRU ${mergeMode}, last step, returnState, initial state`,
      factory: (o: { mergeMode: typeof mergeMode }) => bidirectional(gru({ units: 3, returnState: true }), o),
      options: { mergeMode },
      inputs: [sequence],
      initialState: [{ shape: [3, 3] }, { shape: [3, 3] }],
      masks: { outputs: [none, none, none] },
    }),
  ),
  layerCase({
    label: 'Bidirectional SimpleRNN mergeMode null (two outputs, both masked)',
    factory: (o: { mergeMode: null }) => bidirectional(simpleRNN({ units: 3, returnSequences: true }), o),
    options: { mergeMode: null },
    inputs: [sequence],
    masks: { outputs: [passed, passed] },
  }),
  layerCase({
    label: 'Bidirectional LSTM mergeMode null, last step, returnState, no mask, generic loop',
    factory: (o: { mergeMode: null }) =>
      bidirectional(lstm({ units: 2, returnState: true, fused: 'never' }), o),
    options: { mergeMode: null },
    inputs: [unmaskedSequence],
    masks: { outputs: [none, none, none, none, none, none] },
  }),
  layerCase({
    label: 'Bidirectional with its own backward layer',
    factory: (o: { mergeMode: 'concat' }) =>
      bidirectional(lstm({ units: 3, returnSequences: true }), {
        ...o,
        backwardLayer: gru({ units: 2, returnSequences: true, goBackwards: true }),
      }),
    options: { mergeMode: 'concat' },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Stacked GRU x2 from a spec, dropout between layers, returnState',
    factory: (o: Record<string, unknown>) => stacked({ cell: 'gru', units: 3, numLayers: 2, ...o }),
    options: { dropout: 0.3, returnState: true },
    inputs: [sequence],
    masks: { outputs: [none, none, none] },
  }),
  layerCase({
    label: 'Stacked SimpleRNN x2, last step, returnState, no mask, generic loop',
    factory: (o: Record<string, unknown>) => stacked({ cell: 'simpleRNN', units: 3, numLayers: 2, ...o }),
    options: { returnState: true, fused: 'never' },
    inputs: [unmaskedSequence],
    masks: { outputs: [none, none, none] },
  }),
  layerCase({
    label: 'Stacked LSTM + bidirectional SimpleRNN, residual, returnSequences',
    factory: (o: { residual: boolean }) =>
      stacked([lstm({ units: 4 }), bidirectional(simpleRNN({ units: 2 }))], { ...o, returnSequences: true }),
    options: { residual: true },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Stacked residual, last step',
    factory: (o: { residual: boolean }) => stacked([gru({ units: 2 }), gru({ units: 2 })], o),
    options: { residual: true },
    inputs: [sequence],
    masks: { outputs: [none] },
  }),
  layerCase({
    factory: dense,
    options: { units: 3, activation: 'tanh' },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Dense named, frozen, with batchInputShape',
    factory: dense,
    options: { units: 2, name: 'head', trainable: false, batchInputShape: [null, 4, 2] },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Dense rank 2, no bias, relu',
    factory: dense,
    options: { units: 3, activation: 'relu', useBias: false, kernelInitializer: 'heNormal' },
    inputs: [{ shape: [3, 2] }],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Embedding maskZero, int32 ids',
    factory: embedding,
    options: { inputDim: 5, outputDim: 3, maskZero: true },
    inputs: [{ shape: [3, 4], dtype: 'int32', values: ids(5) }],
    masks: { outputs: [nonZeroIds] },
  }),
  layerCase({
    label: 'Embedding, float ids',
    factory: embedding,
    options: { inputDim: 5, outputDim: 2 },
    inputs: [{ shape: [3, 4], values: ids(5) }],
    masks: { outputs: [none] },
    skip: {
      gradients: 'ids are indices: the output is a step function of them, with no gradient to compare',
    },
  }),
  ...(['multiHot', 'count', 'oneHot'] as const).map((outputMode) =>
    layerCase({
      label: `CategoryEncoding ${outputMode}, int32 ids`,
      factory: categoryEncoding,
      options: { numTokens: 5, outputMode },
      inputs: [{ shape: outputMode === 'oneHot' ? [3, 1] : [3, 4], dtype: 'int32', values: ids(5) }],
      masks: { outputs: [none] },
      skip: { gradients: 'token ids in and no weights: nothing to differentiate' },
    }),
  ),
  layerCase({
    factory: dropout,
    options: { rate: 0.4 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Dropout noiseShape [null, 1, null]',
    factory: dropout,
    options: { rate: 0.5, noiseShape: [null, 1, null] },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: spatialDropout1d,
    options: { rate: 0.5 },
    // Six features, not two: 18 draws a call, so that two call seeds cannot draw the same channels by chance (with
    // [3, 4, 2]'s six draws, seeds 1234 and 1235 did, a 1-in-64 event).
    inputs: [{ shape: [3, 4, 6], buildShape: [null, null, 6], mask: true }],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: gaussianNoise,
    options: { stddev: 0.3 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: gaussianDropout,
    options: { rate: 0.3 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: alphaDropout,
    options: { rate: 0.3 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'AlphaDropout noiseShape [null, 1, null]',
    factory: alphaDropout,
    options: { rate: 0.5, noiseShape: [null, 1, null] },
    inputs: [{ shape: [3, 4, 6], buildShape: [null, null, 6], mask: true }],
    masks: { outputs: [passed] },
  }),
  // Normals: no entry is exactly 0, where the slope changes.
  layerCase({
    factory: leakyReLU,
    options: { negativeSlope: 0.2 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'ReLU with a cap, a threshold and a slope below it',
    factory: reLU,
    options: { maxValue: 1.2, threshold: 0.2, negativeSlope: 0.1 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: elu,
    options: { alpha: 0.7 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'PReLU, one slope per feature for every step',
    factory: prelu,
    options: { sharedAxes: [1], alphaInitializer: { name: 'uniform', minval: 0.1, maxval: 0.4 } },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: softmax,
    options: {},
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Softmax over the time axis',
    factory: softmax,
    options: { axis: 1 },
    inputs: [unmaskedSequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'Dropout with its own seed',
    factory: dropout,
    options: { rate: 0.5, seed: 5 },
    inputs: [sequence],
    masks: { outputs: [passed] },
    skip: {
      seeding:
        "its own seed fixes the masks whatever the call's seed (Keras' seeded Dropout); the layer has no weights",
      gradients:
        'its own stream advances on every training call, so each finite-difference evaluation draws a new mask',
    },
  }),
  layerCase({
    factory: flatten,
    options: {},
    inputs: [{ shape: [3, 4, 2] }],
    masks: {
      ignored: 'Flatten merges the time axis into the features: no mask can follow (Keras drops it too)',
    },
  }),
  layerCase({
    label: 'Conv1D same, tanh',
    factory: conv1d,
    options: { filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask: masked steps are convolved like the others' },
  }),
  layerCase({
    label: 'Conv1D causal, dilated, no bias',
    factory: conv1d,
    options: { filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2, useBias: false },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'Conv1D valid, strided',
    factory: conv1d,
    options: { filters: 2, kernelSize: 2, strides: 2 },
    inputs: [{ shape: [3, 5, 2], buildShape: [null, 5, 2] }],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'Conv1DTranspose same, strided, output padding',
    factory: conv1dTranspose,
    options: { filters: 2, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1, activation: 'tanh' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'Conv1DTranspose valid, dilated, no bias',
    factory: conv1dTranspose,
    options: { filters: 3, kernelSize: 2, dilationRate: 2, useBias: false },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'DepthwiseConv1D same, depth multiplier 2',
    factory: depthwiseConv1d,
    options: { kernelSize: 3, padding: 'same', depthMultiplier: 2, activation: 'tanh' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'SeparableConv1D valid, strided, no bias',
    factory: separableConv1d,
    options: { filters: 3, kernelSize: 2, strides: 2, useBias: false },
    inputs: [{ shape: [3, 5, 2], buildShape: [null, 5, 2] }],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'SeparableConv1D dilated, depth multiplier 2',
    factory: separableConv1d,
    options: { filters: 2, kernelSize: 2, dilationRate: 2, depthMultiplier: 2, activation: 'relu' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'MaxPooling1D same, strided',
    factory: maxPooling1d,
    options: { poolSize: 3, strides: 2, padding: 'same' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask: masked steps are pooled like the others' },
  }),
  layerCase({
    label: 'MaxPooling1D same, pool 5: −∞ padding on both sides, two padded positions in a window',
    factory: maxPooling1d,
    options: { poolSize: 5, strides: 1, padding: 'same' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'Conv1D same, kernel 4, strides 2 (padded 1 left, 1 right on 4 steps)',
    factory: conv1d,
    options: { filters: 2, kernelSize: 4, strides: 2, padding: 'same' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'GlobalAveragePooling1D keepdims over the unmasked steps',
    factory: globalAveragePooling1d,
    options: { keepdims: true },
    inputs: [sequence],
    masks: { outputs: [none] },
  }),
  layerCase({
    label: 'AveragePooling1D same, stride 1',
    factory: averagePooling1d,
    options: { poolSize: 3, strides: 1, padding: 'same' },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    label: 'GlobalAveragePooling1D over the unmasked steps',
    factory: globalAveragePooling1d,
    options: {},
    inputs: [sequence],
    masks: { outputs: [none] },
  }),
  layerCase({
    label: 'GlobalAveragePooling1D keepdims, no mask',
    factory: globalAveragePooling1d,
    options: { keepdims: true },
    inputs: [unmaskedSequence],
    masks: { outputs: [none] },
  }),
  layerCase({
    factory: globalMaxPooling1d,
    options: {},
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras 3 and tfjs-layers, it takes no mask: masked steps count like the others' },
  }),
  layerCase({
    factory: masking,
    options: { maskValue: 0.5 },
    inputs: [{ shape: [3, 4, 2], buildShape: [null, null, 2], values: paddedSteps(2, 0.5) }],
    masks: { outputs: [stepsNotAll(0.5)] },
    skip: {
      gradients:
        'the output jumps where a step stops equalling maskValue, so finite differences there are not a derivative',
    },
  }),
  ...(['linear', 'tanh', 'relu', 'sigmoid', 'softmax', 'hardSigmoid', 'gelu', 'geluNew'] as const).map(
    (name) =>
      layerCase({
        factory: activation,
        options: { activation: name },
        inputs: [sequence],
        masks: { outputs: [passed] },
      }),
  ),
  // Masks of merges reach the kit from one input here; the AND of several is checked in merge.test.ts.
  layerCase({
    factory: add,
    options: {},
    inputs: [sequence, unmaskedSequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: multiply,
    options: {},
    inputs: [unmaskedSequence, sequence, unmaskedSequence],
    masks: { outputs: [{ input: 1 }] },
  }),
  layerCase({
    factory: subtract,
    options: {},
    inputs: [unmaskedSequence, sequence],
    masks: { outputs: [{ input: 1 }] },
  }),
  layerCase({
    factory: average,
    options: {},
    inputs: [sequence, unmaskedSequence, unmaskedSequence],
    masks: { outputs: [passed] },
  }),
  // Maximum and minimum of normals: ties (where the gradient is split by convention) do not occur.
  layerCase({
    factory: maximum,
    options: {},
    inputs: [unmaskedSequence, sequence],
    masks: { outputs: [{ input: 1 }] },
  }),
  layerCase({
    factory: minimum,
    options: {},
    inputs: [sequence, unmaskedSequence, unmaskedSequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: concatenate,
    options: {},
    inputs: [unmaskedSequence, { shape: [3, 4, 3], buildShape: [null, null, 3], mask: true }],
    masks: { outputs: [{ input: 1 }] },
  }),
  layerCase({
    factory: concatenate,
    options: { axis: 1 },
    inputs: [unmaskedSequence, { shape: [3, 2, 2] }],
    masks: { outputs: [none] },
  }),
  layerCase({
    factory: repeatVector,
    options: { n: 3 },
    inputs: [{ shape: [3, 2] }],
    masks: { ignored: 'its input has no time axis, so there is no mask to use or pass on (as Keras)' },
  }),
  layerCase({
    label: 'Reshape [4, 2] to [2, 4]',
    factory: reshape,
    options: { targetShape: [2, 4] },
    inputs: [{ shape: [3, 4, 2] }],
    masks: { ignored: 'Reshape regroups the steps: no mask can follow (Keras drops it too)' },
  }),
  layerCase({
    label: 'Reshape with -1 to [batch, 8]',
    factory: reshape,
    options: { targetShape: [-1] },
    inputs: [{ shape: [3, 4, 2] }],
    masks: { ignored: 'Reshape regroups the steps: no mask can follow (Keras drops it too)' },
  }),
  layerCase({
    label: 'Dot along the features: scores between the steps of two sequences',
    factory: dot,
    options: { axes: 2 },
    inputs: [unmaskedSequence, { shape: [3, 5, 2], buildShape: [null, null, 2] }],
    masks: {
      ignored: 'as in Keras 3, it takes no mask: masked steps count in the products, and the output has none',
    },
  }),
  layerCase({
    label: 'Dot along the steps, normalized, of a rank-2 and a rank-3 input',
    factory: dot,
    options: { axes: [1, 2], normalize: true },
    inputs: [{ shape: [3, 2] }, { shape: [3, 4, 2], buildShape: [null, 4, 2] }],
    masks: { ignored: 'as in Keras 3, it takes no mask' },
  }),
  layerCase({
    factory: unitNormalization,
    options: {},
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'UnitNormalization over steps and features',
    factory: unitNormalization,
    options: { axis: [1, 2] },
    inputs: [sequence],
    masks: { outputs: [passed] },
    skip: { masks: 'it passes the mask on but, as Keras, counts masked steps in a norm over the time axis' },
  }),
  layerCase({
    label: 'Rescaling per feature',
    factory: rescaling,
    options: { scale: [0.5, -2], offset: 1 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    factory: identity,
    options: {},
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'ZeroPadding1D [2, 1]',
    factory: zeroPadding1d,
    options: { padding: [2, 1] },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras, it takes no mask: the mask stops here' },
  }),
  layerCase({
    label: 'Cropping1D [1, 2]',
    factory: cropping1d,
    options: { cropping: [1, 2] },
    inputs: [{ shape: [3, 5, 2], buildShape: [null, 5, 2] }],
    masks: { ignored: 'as in Keras, it takes no mask: the mask stops here' },
  }),
  layerCase({
    label: 'UpSampling1D size 3',
    factory: upSampling1d,
    options: { size: 3 },
    inputs: [unmaskedSequence],
    masks: { ignored: 'as in Keras, it takes no mask: the mask stops here' },
  }),
  layerCase({
    label: 'Permute steps and features',
    factory: permute,
    options: { dims: [2, 1] },
    inputs: [unmaskedSequence],
    masks: { ignored: 'Permute moves the steps axis: no mask can follow (Keras drops it too)' },
  }),
  layerCase({
    label: 'Normalization with given statistics per feature',
    factory: normalization,
    options: { mean: [0.5, -0.5], variance: [2, 0.5] },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label:
      'Normalization to adapt (its weights at their start: mean 0, variance 1), one pair per step and feature',
    factory: normalization,
    options: { axis: [1, 2] },
    inputs: [{ shape: [3, 4, 2], buildShape: [null, 4, 2], mask: true }],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'BatchNormalization on a masked sequence (batch statistics of the unmasked steps in training)',
    factory: batchNormalization,
    options: {},
    inputs: [sequence],
    masks: { outputs: [passed] },
    deterministicTraining: 'training normalizes with the batch statistics, inference with the moving ones',
  }),
  layerCase({
    label:
      'BatchNormalization of [batch, features], no beta, momentum 0.9, epsilon 1e-5, moving statistics drawn',
    factory: batchNormalization,
    options: {
      center: false,
      momentum: 0.9,
      epsilon: 1e-5,
      gammaInitializer: { name: 'uniform', minval: 0.5, maxval: 1.5 },
      movingMeanInitializer: { name: 'uniform', minval: -0.5, maxval: 0.5 },
      movingVarianceInitializer: { name: 'uniform', minval: 0.5, maxval: 2 },
    },
    inputs: [{ shape: [5, 3] }],
    masks: { outputs: [passed] },
    deterministicTraining: 'training normalizes with the batch statistics, inference with the moving ones',
  }),
  layerCase({
    label: 'BatchNormalization frozen (the moving statistics in training too), no gamma',
    factory: batchNormalization,
    options: {
      scale: false,
      trainable: false,
      betaInitializer: { name: 'uniform', minval: -0.5, maxval: 0.5 },
      movingMeanInitializer: { name: 'uniform', minval: -0.5, maxval: 0.5 },
      movingVarianceInitializer: { name: 'uniform', minval: 0.5, maxval: 2 },
    },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: 'TimeDistributed Dense',
    factory: (o: { units: number }) => timeDistributed(dense({ ...o, activation: 'sigmoid' })),
    options: { units: 3 },
    inputs: [sequence],
    masks: { outputs: [passed] },
  }),
  layerCase({
    label: "TimeDistributed BatchNormalization (step by step, with each step's mask, in training)",
    factory: () => timeDistributed(batchNormalization()),
    options: {},
    inputs: [sequence],
    masks: { outputs: [passed] },
    deterministicTraining: 'training normalizes with the batch statistics, inference with the moving ones',
  }),
  layerCase({
    label: 'TimeDistributed Flatten on [batch, time, 2, 2]',
    factory: () => timeDistributed(flatten()),
    options: {},
    inputs: [{ shape: [3, 4, 2, 2], mask: true }],
    masks: { outputs: [passed] },
  }),
];

describe('every built-in layer passes the layer conformance kit', () => {
  // backend-cpu for gradients and fused kernels; backend-wasm, the other backend every machine runs, for its own
  // kernels (XNNPACK's products, its fused recurrent kernels, gathers differentiated on the host); the float64
  // reference for the generic paths (it has no fused kernels).
  const backends: Backend<unknown>[] = [
    backend as Backend<unknown>,
    wasm as Backend<unknown>,
    createReferenceBackend() as Backend<unknown>,
  ];
  for (const on of backends) {
    for (const testCase of cases) {
      for (const check of layerConformanceChecks(testCase, on)) {
        it.skipIf(check.skip !== undefined)(check.name, check.run);
      }
    }
  }
});
