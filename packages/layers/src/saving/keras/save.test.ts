import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RefTensor, simpleRNN as simpleRnnCell } from '@seqmodel/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CallContext } from '../../engine/context.js';
import { type CallArgs, Layer, type LayerArgs } from '../../engine/layer.js';
import type { ShapeSpec } from '../../engine/shape-spec.js';
import { input, type SymbolicTensor } from '../../engine/symbolic.js';
import { activation } from '../../layers/activation.js';
import { add } from '../../layers/add.js';
import { average } from '../../layers/average.js';
import { averagePooling1d } from '../../layers/average-pooling-1d.js';
import { batchNormalization } from '../../layers/batch-normalization.js';
import { bidirectional, type MergeMode } from '../../layers/bidirectional.js';
import { concatenate } from '../../layers/concatenate.js';
import { conv1d } from '../../layers/conv1d.js';
import { dense } from '../../layers/dense.js';
import { dropout } from '../../layers/dropout.js';
import { elu } from '../../layers/elu.js';
import { embedding } from '../../layers/embedding.js';
import { flatten } from '../../layers/flatten.js';
import { gaussianNoise } from '../../layers/gaussian-noise.js';
import { globalAveragePooling1d } from '../../layers/global-average-pooling-1d.js';
import { globalMaxPooling1d } from '../../layers/global-max-pooling-1d.js';
import { leakyReLU } from '../../layers/leaky-relu.js';
import { masking } from '../../layers/masking.js';
import { maxPooling1d } from '../../layers/max-pooling-1d.js';
import { maximum } from '../../layers/maximum.js';
import { minimum } from '../../layers/minimum.js';
import { multiply } from '../../layers/multiply.js';
import { permute } from '../../layers/permute.js';
import { prelu } from '../../layers/prelu.js';
import { reLU } from '../../layers/relu.js';
import { repeatVector } from '../../layers/repeat-vector.js';
import { reshape } from '../../layers/reshape.js';
import { gru, lstm, type RNN, rnn, simpleRNN } from '../../layers/rnn.js';
import { softmax } from '../../layers/softmax.js';
import { spatialDropout1d } from '../../layers/spatial-dropout-1d.js';
import { stacked } from '../../layers/stacked.js';
import { subtract } from '../../layers/subtract.js';
import { timeDistributed } from '../../layers/time-distributed.js';
import { model as functionalModel } from '../../models/functional.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import {
  expectClose,
  expectOutputsClose,
  newBackend,
  tf,
  tfl,
  useTfjsCpu,
  values,
} from '../../test-helpers.js';
import type { KerasArtifacts } from './artifacts.js';
import {
  batch,
  denseActivations,
  features,
  ids,
  ourOutputs,
  removeTempDirectories,
  sequences,
  serveDirectory,
  tempDirectory,
  tfjsOutputs,
} from './keras-test-helpers.js';
import { loadKerasModel } from './load.js';
import { saveKerasModel } from './save.js';

beforeAll(useTfjsCpu);
afterAll(removeTempDirectories);

type Inputs = number[][] | number[][][] | (number[][] | number[][][])[];

/**
 * Saves `ours` with saveKerasModel, loads it into tfjs-layers (and back into seqmodel) and compares predictions:
 * tfjs within 1e-5 (float32 against the float64 reference), seqmodel exactly.
 */
async function expectTfjsAgrees(label: string, ours: Model<RefTensor>, x: Inputs, several = false) {
  const ref = ours.backend;
  const artifacts = await saveKerasModel(ours);
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  const list = several ? (x as number[][][][]) : [x as number[][][]];
  const expected = ourOutputs(
    ours,
    list.map((v) => ref.tensor(v)),
  );
  const got = tfjsOutputs(
    theirs,
    list.map((v) => tf.tensor(v)),
  );
  expectOutputsClose(label, got, expected);
  theirs.dispose();
  const back = await loadKerasModel<RefTensor>(artifacts, { backend: ref });
  expect(
    ourOutputs(
      back,
      list.map((v) => ref.tensor(v)),
    ),
  ).toEqual(expected);
  expect(back.getWeightData().map((w) => [w.shape, w.values])).toEqual(
    ours.getWeightData().map((w) => [w.shape, w.values]),
  );
  return artifacts;
}

type Kind = 'simpleRNN' | 'lstm' | 'gru';

function recurrent(
  kind: Kind,
  options: Record<string, unknown>,
  gate: 'sigmoid' | 'hardSigmoid' = 'sigmoid',
): RNN {
  if (kind === 'lstm') return lstm({ units: 4, recurrentActivation: gate, ...options });
  if (kind === 'gru') return gru({ units: 4, resetAfter: false, recurrentActivation: gate, ...options });
  return simpleRNN({ units: 4, ...options });
}

describe('saveKerasModel: tfjs-layers 4.22 loads the artifacts and predicts the same (atol 1e-5)', () => {
  for (const kind of ['simpleRNN', 'lstm', 'gru'] as Kind[]) {
    for (const returnSequences of [true, false]) {
      for (const goBackwards of [false, true]) {
        for (const masked of [false, true]) {
          const label = `${kind} returnSequences ${returnSequences} goBackwards ${goBackwards}${masked ? ' masked' : ''}`;
          it(label, async () => {
            const ref = newBackend();
            const gate = goBackwards ? 'hardSigmoid' : 'sigmoid';
            const ours = sequential<RefTensor>(
              [...(masked ? [masking()] : []), recurrent(kind, { returnSequences, goBackwards }, gate)],
              { backend: ref, seed: 7, inputShape: [null, features] },
            );
            await expectTfjsAgrees(label, ours, sequences(1, masked));
          });
        }
      }
    }
  }

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave', null] as MergeMode[]) {
    for (const masked of [false, true]) {
      const label = `Bidirectional mergeMode ${mergeMode}${masked ? ' masked' : ''}`;
      it(label, async () => {
        const ref = newBackend();
        const kind: Kind = mergeMode === 'sum' ? 'gru' : mergeMode === 'mul' ? 'simpleRNN' : 'lstm';
        const ours = sequential<RefTensor>(
          [
            ...(masked ? [masking()] : []),
            bidirectional(recurrent(kind, { returnSequences: true, name: 'inner' }), { mergeMode }),
          ],
          {
            backend: ref,
            seed: 8,
            inputShape: [null, features],
            outputs: mergeMode === null ? 'several' : 'one',
          },
        );
        const artifacts = await expectTfjsAgrees(label, ours, sequences(2, masked));
        // Two outputs: written as a functional model, since a Sequential one may not end in two outputs.
        expect(artifacts.modelTopology.class_name).toBe(mergeMode === null ? 'Model' : 'Sequential');
        expect(artifacts.weightSpecs.map((w) => w.name).filter((n) => n.endsWith('/kernel'))).toEqual([
          'bidirectional/forward_inner/kernel',
          'bidirectional/backward_inner/kernel',
        ]);
      });
    }
  }

  it('Embedding with maskZero into stacked recurrent layers, TimeDistributed(Dense), the dropouts, GaussianNoise, LeakyReLU, Activation', async () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        embedding({ inputDim: 10, outputDim: 3, maskZero: true }),
        lstm({ units: 4, returnSequences: true }),
        dropout({ rate: 0.3, noiseShape: [null, 1, null], seed: 3 }),
        gru({ units: 3, returnSequences: true, resetAfter: false, recurrentActivation: 'hardSigmoid' }),
        spatialDropout1d({ rate: 0.2 }),
        gaussianNoise({ stddev: 0.1 }),
        leakyReLU({ negativeSlope: 0.1 }),
        simpleRNN({ units: 3, returnSequences: true, activation: 'relu' }),
        timeDistributed(dense({ units: 4, activation: 'softmax' })),
        activation({ activation: 'softsign' }),
      ],
      { backend: ref, seed: 9, inputShape: [null] },
    );
    const artifacts = await expectTfjsAgrees('embedding stack', ours, ids);
    expect(artifacts.weightSpecs.map((w) => w.name)).toContain('time_distributed/kernel');
    const configs = (
      artifacts.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }
    ).layers;
    expect(configs.find((l) => l.class_name === 'LeakyReLU')?.config).toMatchObject({ alpha: 0.1 });
    expect(configs.find((l) => l.class_name === 'SpatialDropout1D')?.config).toMatchObject({
      rate: 0.2,
      seed: null,
    });
  });

  it('Dense with every exportable activation on masked sequences, RepeatVector and Flatten', async () => {
    const ref = newBackend();
    const masked = sequential<RefTensor>(
      [
        masking(),
        ...denseActivations.filter((a) => a !== 'geluNew').map((a) => dense({ units: 3, activation: a })),
        lstm({ units: 3 }),
        dense({ units: 2, useBias: false }),
      ],
      { backend: ref, seed: 10, inputShape: [null, features] },
    );
    await expectTfjsAgrees('dense activations', masked, sequences(3, true));
    const repeat = sequential<RefTensor>(
      [
        lstm({ units: 3 }),
        repeatVector({ n: 2 }),
        simpleRNN({ units: 2, returnSequences: true }),
        flatten(),
        dense({ units: 2 }),
      ],
      { backend: ref, seed: 11, inputShape: [null, features] },
    );
    await expectTfjsAgrees('repeat and flatten', repeat, sequences(4, false));
  });

  it('Conv1D (valid, same, strided, dilated), MaxPooling1D and AveragePooling1D before an LSTM; causal refused', async () => {
    const ref = newBackend();
    const convs = sequential<RefTensor>(
      [
        conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        maxPooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
        averagePooling1d({ poolSize: 2, strides: 1 }),
        conv1d({ filters: 3, kernelSize: 2, dilationRate: 2, kernelInitializer: 'heNormal' }),
        conv1d({ filters: 3, kernelSize: 2, strides: 2, useBias: false }),
        lstm({ units: 2, returnSequences: true }),
        globalAveragePooling1d(),
        dense({ units: 2 }),
      ],
      { backend: ref, seed: 13, inputShape: [null, features] },
    );
    const artifacts = await expectTfjsAgrees('conv1d', convs, sequences(4, false));
    const configs = (
      artifacts.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }
    ).layers;
    expect(configs.find((l) => l.class_name === 'Conv1D')?.config).toMatchObject({
      kernel_size: [3],
      strides: [1],
      padding: 'same',
      dilation_rate: [1],
    });
    const causal = sequential<RefTensor>([conv1d({ filters: 2, kernelSize: 2, padding: 'causal' })], {
      backend: ref,
      seed: 1,
      inputShape: [null, features],
    });
    await expect(saveKerasModel(causal)).rejects.toThrow(
      "saveKerasModel: layer conv1d (Conv1D) padding: 'causal' cannot be run by tfjs-layers",
    );
  });

  it('GlobalAveragePooling1D and GlobalMaxPooling1D over sequences; keepdims refused', async () => {
    const ref = newBackend();
    const pooled = sequential<RefTensor>(
      [
        lstm({ units: 3, returnSequences: true }),
        globalAveragePooling1d(),
        repeatVector({ n: 2 }),
        gru({ units: 2, returnSequences: true, resetAfter: false }),
        globalMaxPooling1d(),
        dense({ units: 2 }),
      ],
      { backend: ref, seed: 12, inputShape: [null, features] },
    );
    const artifacts = await expectTfjsAgrees('global pooling', pooled, sequences(4, false));
    const configs = (
      artifacts.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }
    ).layers;
    expect(configs.find((l) => l.class_name === 'GlobalMaxPooling1D')?.config).toMatchObject({
      data_format: 'channels_last',
      keepdims: false,
    });
    const kept = sequential<RefTensor>(
      [lstm({ units: 2, returnSequences: true }), globalMaxPooling1d({ keepdims: true })],
      {
        backend: ref,
        seed: 1,
        inputShape: [null, features],
      },
    );
    await expect(saveKerasModel(kept)).rejects.toThrow(
      'saveKerasModel: layer global_max_pooling1d (GlobalMaxPooling1D) keepdims: true cannot be loaded by tfjs-layers',
    );
  });

  it('ReLU, ELU, PReLU and Softmax; what tfjs-layers cannot run refused', async () => {
    const ref = newBackend();
    const activated = sequential<RefTensor>(
      [
        dense({ units: 4 }),
        reLU({ maxValue: 0.9 }),
        dense({ units: 4 }),
        elu(),
        lstm({ units: 4, returnSequences: true }),
        prelu({ sharedAxes: [1], alphaInitializer: { name: 'uniform', minval: 0, maxval: 0.5 } }),
        softmax(),
      ],
      { backend: ref, seed: 7, inputShape: [null, features] },
    );
    const artifacts = await expectTfjsAgrees('advanced activations', activated, sequences(8, false));
    const configs = (
      artifacts.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }
    ).layers;
    expect(configs.find((l) => l.class_name === 'PReLU')?.config).toMatchObject({ shared_axes: [1] });
    const refused = async (layer: Layer, message: string) => {
      const m = sequential<RefTensor>([layer], { backend: ref, inputShape: [null, features] });
      await expect(saveKerasModel(m)).rejects.toThrow(message);
    };
    await refused(
      reLU({ threshold: 0.5 }),
      'saveKerasModel: layer re_lu (ReLU) threshold: 0.5 cannot be run by tfjs-layers (its ReLU has only maxValue)',
    );
    await refused(
      reLU({ negativeSlope: 0.1 }),
      'saveKerasModel: layer re_lu (ReLU) negativeSlope: 0.1 cannot be run by tfjs-layers',
    );
    await refused(
      elu({ alpha: 0.5 }),
      "saveKerasModel: layer elu (ELU) alpha: 0.5 cannot be run by tfjs-layers (4.22's ELU takes only alpha 1)",
    );
    await refused(
      softmax({ axis: 1 }),
      "saveKerasModel: layer softmax (Softmax) axis: 1 cannot be run by tfjs-layers (4.22's softmax takes only the last axis, -1)",
    );
  });

  it('Permute and Reshape around recurrent layers', async () => {
    const ref = newBackend();
    const laidOut = sequential<RefTensor>(
      [
        permute({ dims: [2, 1] }),
        simpleRNN({ units: 4, returnSequences: true }),
        reshape({ targetShape: [-1, 2] }),
        gru({ units: 2, resetAfter: false }),
      ],
      { backend: ref, seed: 6, inputShape: [5, features] },
    );
    const artifacts = await expectTfjsAgrees('permute and reshape', laidOut, sequences(5, false));
    const configs = (
      artifacts.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }
    ).layers;
    expect(configs.find((l) => l.class_name === 'Permute')?.config).toMatchObject({ dims: [2, 1] });
    expect(configs.find((l) => l.class_name === 'Reshape')?.config).toMatchObject({ target_shape: [-1, 2] });
  });

  it('BatchNormalization after Conv1D and after an LSTM, moving statistics of its own', async () => {
    const ref = newBackend();
    const drawn = (minval: number, maxval: number) => ({ name: 'uniform' as const, minval, maxval });
    const normalized = sequential<RefTensor>(
      [
        conv1d({ filters: 3, kernelSize: 2 }),
        batchNormalization({
          momentum: 0.9,
          gammaInitializer: drawn(0.5, 1.5),
          betaInitializer: drawn(-0.5, 0.5),
          movingMeanInitializer: drawn(-0.5, 0.5),
          movingVarianceInitializer: drawn(0.5, 2),
        }),
        lstm({ units: 3 }),
        batchNormalization({ center: false, epsilon: 1e-5, movingVarianceInitializer: drawn(0.5, 2) }),
      ],
      { backend: ref, seed: 4, inputShape: [null, features] },
    );
    const artifacts = await expectTfjsAgrees('batch normalization', normalized, sequences(4, false));
    const configs = (
      artifacts.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }
    ).layers;
    expect(configs.filter((l) => l.class_name === 'BatchNormalization').map((l) => l.config)).toMatchObject([
      { axis: -1, momentum: 0.9, epsilon: 1e-3, center: true, scale: true },
      { axis: -1, momentum: 0.99, epsilon: 1e-5, center: false, scale: true, gamma_regularizer: null },
    ]);
    expect(artifacts.weightSpecs.map((w) => w.name).filter((n) => n.startsWith('batch'))).toEqual([
      'batch_normalization/gamma',
      'batch_normalization/beta',
      'batch_normalization/moving_mean',
      'batch_normalization/moving_variance',
      'batch_normalization_1/gamma',
      'batch_normalization_1/moving_mean',
      'batch_normalization_1/moving_variance',
    ]);
  });

  it('a functional encoder-decoder with initial states and several outputs', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ref = newBackend();
    const source = input({ shape: [null, features], name: 'source' });
    const [, h, c] = lstm({ units: 4, returnState: true, name: 'encoder' }).apply(source) as SymbolicTensor[];
    const target = input({ shape: [null, 2], name: 'target' });
    const decoded = lstm({ units: 4, returnSequences: true, name: 'decoder' }).apply(target, {
      initialState: [h!, c!],
    }) as SymbolicTensor;
    const probs = timeDistributed(dense({ units: 2, activation: 'softmax' })).apply(
      decoded,
    ) as SymbolicTensor;
    const ours = functionalModel<RefTensor>({
      inputs: [source, target],
      outputs: [probs, h!],
      backend: ref,
      seed: 12,
    });
    const targets = sequences(5, false).map((s) => s.slice(0, 4).map((step) => step.slice(0, 2)));
    const artifacts = await expectTfjsAgrees('encoder-decoder', ours, [sequences(6, false), targets], true);
    const layers = (artifacts.modelTopology.config as { layers: { name: string; inbound_nodes: unknown }[] })
      .layers;
    expect(layers.find((l) => l.name === 'decoder')!.inbound_nodes).toEqual([
      [
        ['target', 0, 0, {}],
        ['encoder', 0, 1, {}],
        ['encoder', 0, 2, {}],
      ],
    ]);
    warn.mockRestore();
  });

  it('Add, Multiply, and Concatenate along the features and the time axis on masked branches', async () => {
    // Masks only through Concatenate: tfjs-layers 4.22's Add and Multiply hand on a mask of the wrong shape.
    const ref = newBackend();
    const x = input({ shape: [null, features], name: 'x' });
    const masked = masking().apply(x) as SymbolicTensor;
    const a = dense({ units: 3, name: 'a' }).apply(masked) as SymbolicTensor;
    const b = dense({ units: 3, name: 'b' }).apply(masked) as SymbolicTensor;
    const joined = concatenate({ name: 'features' }).apply([a, b]) as SymbolicTensor;
    const steps = concatenate({ axis: 1, name: 'steps' }).apply([joined, joined]) as SymbolicTensor;
    const last = lstm({ units: 2 }).apply(steps) as SymbolicTensor;
    const y = input({ shape: [null, features], name: 'y' });
    const c = dense({ units: 3, name: 'c' }).apply(y) as SymbolicTensor;
    const d = dense({ units: 3, name: 'd' }).apply(y) as SymbolicTensor;
    const sum = add({ name: 'sum' }).apply([c, d, c]) as SymbolicTensor;
    const product = multiply({ name: 'product' }).apply([sum, d]) as SymbolicTensor;
    const ours = functionalModel<RefTensor>({
      inputs: [x, y],
      outputs: [last, product],
      backend: ref,
      seed: 14,
    });
    const artifacts = await expectTfjsAgrees(
      'merge layers',
      ours,
      [sequences(12, true), sequences(13, false)],
      true,
    );
    const layers = (artifacts.modelTopology.config as { layers: { name: string; inbound_nodes: unknown }[] })
      .layers;
    expect(layers.find((l) => l.name === 'sum')!.inbound_nodes).toEqual([
      [
        ['c', 0, 0, {}],
        ['d', 0, 0, {}],
        ['c', 0, 0, {}],
      ],
    ]);
  });

  it('Average, Maximum and Minimum; Subtract refused (tfjs-layers 4.22 has none) but loaded', async () => {
    const ref = newBackend();
    const x = input({ shape: [null, features], name: 'x' });
    const a = dense({ units: 3, name: 'a' }).apply(x) as SymbolicTensor;
    const b = dense({ units: 3, name: 'b' }).apply(x) as SymbolicTensor;
    const c = dense({ units: 3, name: 'c' }).apply(x) as SymbolicTensor;
    const mean = average({ name: 'mean' }).apply([a, b, c]) as SymbolicTensor;
    const high = maximum({ name: 'high' }).apply([mean, b]) as SymbolicTensor;
    const low = minimum({ name: 'low' }).apply([high, c, a]) as SymbolicTensor;
    const ours = functionalModel<RefTensor>({ inputs: x, outputs: low, backend: ref, seed: 15 });
    await expectTfjsAgrees('average, maximum, minimum', ours, sequences(16, false));
    const difference = subtract({ name: 'difference' }).apply([a, b]) as SymbolicTensor;
    const withSubtract = functionalModel<RefTensor>({
      inputs: x,
      outputs: difference,
      backend: ref,
      seed: 15,
    });
    await expect(saveKerasModel(withSubtract)).rejects.toThrow(
      'saveKerasModel: layer difference (Subtract): tfjs-layers 4.22 has no Subtract layer; save with saveModel',
    );
    // The same model as Keras writes it, Add renamed Subtract: it loads and subtracts.
    const summed = functionalModel<RefTensor>({
      inputs: x,
      outputs: add({ name: 'difference' }).apply([a, b]) as SymbolicTensor,
      backend: ref,
      seed: 15,
    });
    const artifacts = await saveKerasModel(summed);
    const config = artifacts.modelTopology.config as { layers: { class_name: string; name: string }[] };
    config.layers.find((l) => l.name === 'difference')!.class_name = 'Subtract';
    const loaded = await loadKerasModel<RefTensor>(artifacts, { backend: ref });
    const xs = ref.tensor(sequences(17, false));
    expect(values(ref, loaded.predict(xs) as RefTensor)).toEqual(
      values(ref, withSubtract.predict(xs) as RefTensor),
    );
  });

  it('a layer shared by two inputs', async () => {
    const ref = newBackend();
    const a = input({ shape: [null, features], name: 'a' });
    const b = input({ shape: [null, features], name: 'b' });
    const shared = gru({ units: 3, resetAfter: false, name: 'shared' });
    const ya = dense({ units: 2, name: 'head' }).apply(shared.apply(a) as SymbolicTensor) as SymbolicTensor;
    const yb = shared.apply(b) as SymbolicTensor;
    const ours = functionalModel<RefTensor>({ inputs: [a, b], outputs: [ya, yb], backend: ref, seed: 15 });
    const artifacts = await expectTfjsAgrees(
      'shared layer',
      ours,
      [sequences(10, false), sequences(11, false)],
      true,
    );
    const config = artifacts.modelTopology.config as { output_layers: unknown };
    expect(config.output_layers).toEqual([
      ['head', 0, 0],
      ['shared', 1, 0],
    ]);
  });

  it('stateful layers with a fixed batch size', async () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>([lstm({ units: 3, stateful: true, returnSequences: true })], {
      backend: ref,
      seed: 13,
      batchInputShape: [batch, 2, features],
    });
    const artifacts = await saveKerasModel(ours);
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    const x = sequences(7, false);
    for (const part of [x.map((s) => s.slice(0, 2)), x.map((s) => s.slice(2, 4))]) {
      expectClose(
        'stateful',
        tfjsOutputs(theirs, tf.tensor(part))[0]!,
        ourOutputs(ours, ref.tensor(part))[0]!,
      );
    }
    theirs.dispose();
    const unbatched = sequential<RefTensor>([lstm({ units: 3, stateful: true })], {
      backend: ref,
      seed: 13,
      inputShape: [null, features],
    });
    await expect(saveKerasModel(unbatched)).rejects.toThrow(
      'saveKerasModel: layer lstm (LSTM) stateful: tfjs-layers needs a fixed batch size for stateful layers; give the model a batchSize (or batchInputShape)',
    );
  });
});

describe('saveKerasModel targets', () => {
  function small() {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        bidirectional(lstm({ units: 3, returnSequences: true, name: 'enc' })),
        timeDistributed(dense({ units: 2 })),
      ],
      { backend: ref, seed: 14, inputShape: [null, features] },
    );
    return { ref, ours };
  }

  it('writes model.json and group1-shard1of1.<content hash>.bin that tfjs-layers fetches over HTTP', async () => {
    const { ref, ours } = small();
    const dir = await tempDirectory();
    await saveKerasModel(ours, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toBe('@seqmodel/layers');
    expect(json.modelTopology.keras_version).toBe('seqmodel-layers (tfjs-layers 4 compatible)');
    const [shard] = json.weightsManifest[0].paths;
    expect(shard).toMatch(/^group1-shard1of1\.[0-9a-f]{16}\.bin$/);
    expect((await readdir(dir)).sort()).toEqual([shard, 'model.json']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'bidirectional/forward_enc/kernel',
      'bidirectional/forward_enc/recurrent_kernel',
      'bidirectional/forward_enc/bias',
      'bidirectional/backward_enc/kernel',
      'bidirectional/backward_enc/recurrent_kernel',
      'bidirectional/backward_enc/bias',
      'time_distributed/kernel',
      'time_distributed/bias',
    ]);
    const bytes = await readFile(join(dir, shard));
    expect(bytes.byteLength).toBe(4 * ours.countParams());
    const x = sequences(8, false);
    const expected = ourOutputs(ours, ref.tensor(x))[0]!;
    const server = await serveDirectory(dir);
    try {
      const theirs = await tfl.loadLayersModel(`${server.url}model.json`);
      expectClose('tfjs over HTTP', tfjsOutputs(theirs, tf.tensor(x))[0]!, expected);
      theirs.dispose();
    } finally {
      await server.close();
    }
    const back = await loadKerasModel<RefTensor>(dir, { backend: ref });
    expect(ourOutputs(back, ref.tensor(x))[0]).toEqual(expected);
    // A path ending in .json names the JSON file.
    await saveKerasModel(ours, join(dir, 'named', 'my-model.json'));
    const named = await loadKerasModel<RefTensor>(join(dir, 'named', 'my-model.json'), { backend: ref });
    expect(ourOutputs(named, ref.tensor(x))[0]).toEqual(expected);
  });

  it('hands the artifacts to a sink (a tfjs IOHandler works) and returns them', async () => {
    const { ours } = small();
    let received: tf.io.ModelArtifacts | undefined;
    const returned = await saveKerasModel(
      ours,
      tf.io.withSaveHandler(async (artifacts) => {
        received = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }) as never,
    );
    expect(received).toBe(returned);
    expect(returned.format).toBe('layers-model');
    await expect(saveKerasModel(ours, 42 as never)).rejects.toThrow(
      'saveKerasModel target: expected a directory path, a path to model.json, an object with save(artifacts), or nothing, received 42',
    );
  });
});

class Doubler extends Layer {
  readonly className = 'Doubler';
  constructor(args: LayerArgs = {}) {
    super(args);
  }
  computeOutputShape(shapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [shapes[0]!];
  }
  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [ctx.backend.mul(inputs[0]!, 2)];
  }
}

describe('saveKerasModel refuses what tfjs-layers would load differently', () => {
  const cases: [string, () => unknown[], string][] = [
    [
      'GRU resetAfter true',
      () => [gru({ units: 2 })],
      'saveKerasModel: layer gru (GRU) resetAfter: true cannot be loaded by tfjs-layers (it supports only reset_after false); build the GRU with resetAfter: false, or save with saveModel',
    ],
    [
      "Keras 3's hard sigmoid",
      () => [lstm({ units: 2, recurrentActivation: 'hardSigmoidKeras3' })],
      `saveKerasModel: layer lstm (LSTM) recurrentActivation: "hardSigmoidKeras3" cannot be exported (tfjs-layers' hard_sigmoid is clip(0.2x + 0.5), not Keras 3's clip(x/6 + 0.5)); save with saveModel instead`,
    ],
    [
      'the exponential activation',
      () => [lstm({ units: 2 }), dense({ units: 1, activation: 'exponential' })],
      'saveKerasModel: layer dense (Dense) activation: "exponential" cannot be exported (tfjs-layers has no such activation); save with saveModel instead',
    ],
    [
      "tfjs-layers' gelu_new",
      () => [lstm({ units: 2 }), dense({ units: 1, activation: 'geluNew' })],
      `saveKerasModel: layer dense (Dense) activation: "geluNew" cannot be exported (tfjs-layers 4.22 writes gelu_new but cannot read it back: its loader looks for geluNew); save with saveModel instead`,
    ],
    [
      'zeroOutputForMask',
      () => [lstm({ units: 2, zeroOutputForMask: true })],
      'saveKerasModel: layer lstm (LSTM) zeroOutputForMask: tfjs-layers always repeats the previous output at masked steps',
    ],
    [
      'a plugin cell',
      () => [rnn({ cell: { ...simpleRnnCell, name: 'myCell' }, units: 2 })],
      'saveKerasModel: layer rnn (RNN) cell: the cell "myCell" has no Keras layer; save with saveModel instead',
    ],
    [
      'a Stacked layer',
      () => [stacked([lstm({ units: 2 }), lstm({ units: 2 })])],
      'saveKerasModel: layer stacked (Stacked): Stacked layers have no tfjs-layers equivalent: write its layers as separate recurrent layers with returnSequences, or save with saveModel',
    ],
    [
      'a Bidirectional with its own backward layer',
      () => [
        bidirectional(lstm({ units: 2 }), {
          backwardLayer: lstm({ units: 2, goBackwards: true, activation: 'relu' }),
        }),
      ],
      'saveKerasModel: layer bidirectional (Bidirectional) backwardLayer: tfjs-layers derives the backward layer from the forward one and cannot load a separate one',
    ],
    [
      'a custom layer',
      () => [new Doubler(), lstm({ units: 2 })],
      'saveKerasModel: layer doubler (Doubler): Doubler layers have no tfjs-layers equivalent; save with saveModel instead',
    ],
  ];
  for (const [label, layers, message] of cases) {
    it(label, async () => {
      const ref = newBackend();
      const ours = sequential<RefTensor>(layers() as never, {
        backend: ref,
        seed: 1,
        inputShape: [null, features],
      });
      await expect(saveKerasModel(ours)).rejects.toThrow(message);
    });
  }

  it('saves built-in cells run through rnn() as their Keras layers, and initializers tfjs-layers lacks as their kin', async () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        rnn({ cell: 'lstm', units: 3, recurrentActivation: 'hardSigmoid', returnSequences: true }),
        dense({
          units: 2,
          kernelInitializer: { name: 'varianceScaling', distribution: 'untruncatedNormal' },
        }),
      ],
      { backend: ref, seed: 2, inputShape: [null, features] },
    );
    const artifacts: KerasArtifacts = await expectTfjsAgrees('rnn(lstm)', ours, sequences(9, false));
    const layers = (
      artifacts.modelTopology.config as { layers: { class_name: string; config: Record<string, unknown> }[] }
    ).layers;
    expect(layers.map((l) => l.class_name)).toEqual(['LSTM', 'Dense']);
    expect(layers[1]!.config.kernel_initializer).toEqual({
      class_name: 'VarianceScaling',
      config: { scale: 1, mode: 'fan_in', distribution: 'normal', seed: null },
    });
  });
});
