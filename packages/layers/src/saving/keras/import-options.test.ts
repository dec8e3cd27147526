import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, type RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormalization } from '../../layers/batch-normalization.js';
import { type Bidirectional, bidirectional } from '../../layers/bidirectional.js';
import { dense } from '../../layers/dense.js';
import { dropout } from '../../layers/dropout.js';
import { embedding } from '../../layers/embedding.js';
import { type GRU, gru, type LSTM, lstm } from '../../layers/rnn.js';
import { sequential } from '../../models/sequential.js';
import { newBackend, tf, tfl, useTfjsCpu, values } from '../../test-helpers.js';
import type { KerasArtifacts, KerasModelJson } from './artifacts.js';
import { layerFromKeras } from './import-layer.js';
import { detectDialect } from './import-model.js';
import { loadKerasModel } from './load.js';
import { saveKerasModel } from './save.js';

beforeAll(useTfjsCpu);

// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary Keras JSON in place
type Json = Record<string, any>;

/** Artifacts of a small model to edit: Embedding → LSTM → Dense, in the dialect seqmodel exports (tfjs-layers'). */
async function baseArtifacts() {
  const ref = newBackend();
  const model = sequential<RefTensor>(
    [
      embedding({ inputDim: 8, outputDim: 3, maskZero: true }),
      lstm({ units: 4, recurrentActivation: 'hardSigmoid' }),
      dense({ units: 2 }),
    ],
    { backend: ref, seed: 5, inputShape: [null] },
  );
  const artifacts = await saveKerasModel(model);
  return { ref, model, artifacts };
}

/** A deep copy of the artifacts with `edit` applied to the topology. */
function edited(artifacts: KerasArtifacts, edit: (topology: Json) => void): KerasArtifacts {
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology)) as Json;
  edit(topology);
  return { ...artifacts, modelTopology: topology };
}

const layerConfig = (topology: Json, index: number): Json => topology.config.layers[index].config;

describe('loadKerasModel: options of supported layers', () => {
  const cases: [string, (t: Json) => void, string][] = [
    [
      'an unknown layer class',
      (t) => {
        t.config.layers.splice(2, 0, {
          class_name: 'Lambda',
          config: { name: 'lambda' },
        });
      },
      'loadKerasModel: layer lambda (Lambda): layer class Lambda is not supported; supported: Activation, Add, AlphaDropout, Average, AveragePooling1D, BatchNormalization, Bidirectional, CategoryEncoding, Concatenate, Conv1D, Conv1DTranspose, Cropping1D, Dense, DepthwiseConv1D, Dot, Dropout, ELU, Embedding, Flatten, GRU, GaussianDropout, GaussianNoise, GlobalAveragePooling1D, GlobalMaxPooling1D, Identity, LSTM, LeakyReLU, Masking, MaxPooling1D, Maximum, Minimum, Multiply, Normalization, PReLU, Permute, RNN, ReLU, RepeatVector, Rescaling, Reshape, SeparableConv1D, SimpleRNN, Softmax, SpatialDropout1D, Subtract, TimeDistributed, UnitNormalization, UpSampling1D, ZeroPadding1D (and InputLayer)',
    ],
    [
      'a nested model',
      (t) => {
        t.config.layers.push({ class_name: 'Sequential', config: { name: 'inner', layers: [] } });
      },
      'loadKerasModel: layer inner (Sequential): nested models are not supported',
    ],
    [
      'a custom layer from another module',
      (t) => {
        t.config.layers.push({
          module: 'my_layers',
          class_name: 'Dense',
          config: { name: 'mine' },
          registered_name: 'MyLayers>Dense',
        });
      },
      'loadKerasModel: layer mine (Dense): custom layer class from module "my_layers" (registered as "MyLayers>Dense") is not supported',
    ],
    [
      'an activation seqmodel lacks',
      (t) => {
        layerConfig(t, 1).recurrent_activation = 'leaky_relu';
      },
      'loadKerasModel: layer lstm (LSTM) option recurrent_activation: expected one of the supported activations: linear, tanh, sigmoid, relu, softmax, softplus, softsign, elu, selu, exponential, gelu, gelu_new, silu, swish, mish, relu6, hard_sigmoid, received "leaky_relu"',
    ],
    [
      'time_major',
      (t) => {
        layerConfig(t, 1).time_major = true;
      },
      'loadKerasModel: layer lstm (LSTM) option time_major: expected false (seqmodel reads [batch, time, features]), received true',
    ],
    [
      'a float16 dtype policy',
      (t) => {
        layerConfig(t, 2).dtype = {
          module: 'keras',
          class_name: 'DTypePolicy',
          config: { name: 'mixed_float16' },
        };
      },
      'loadKerasModel: layer dense (Dense) option dtype: expected "float32" (seqmodel computes in float32; a model run in another precision would give different numbers), received "mixed_float16"',
    ],
    [
      'an unknown option',
      (t) => {
        layerConfig(t, 1).peephole_connections = true;
      },
      "loadKerasModel: layer lstm (LSTM) option peephole_connections: not known to this loader, so the model might compute something else (pass { unknownConfigKeys: 'ignore' } to load anyway)",
    ],
    [
      'LoRA',
      (t) => {
        layerConfig(t, 2).lora_rank = 4;
      },
      'loadKerasModel: layer dense (Dense) option lora_rank: expected null (LoRA layers are not supported), received 4',
    ],
    [
      'an unknown initializer',
      (t) => {
        layerConfig(t, 2).kernel_initializer = { class_name: 'MyInit', config: {} };
      },
      'loadKerasModel: layer dense (Dense) option kernel_initializer: expected a built-in Keras initializer',
    ],
    [
      'a bad size',
      (t) => {
        layerConfig(t, 1).units = 0;
      },
      'loadKerasModel: layer lstm (LSTM) option units: expected a positive integer, received 0',
    ],
    [
      'a dropout rate of 1',
      (t) => {
        layerConfig(t, 1).dropout = 1;
      },
      'loadKerasModel: layer lstm (LSTM) option dropout: expected a rate in [0, 1), received 1',
    ],
    [
      'a missing input shape',
      (t) => {
        delete layerConfig(t, 0).batch_input_shape;
        t.config.layers.shift();
      },
      'loadKerasModel: the Sequential model does not declare its input shape (no InputLayer, batch_input_shape, batch_shape or build_input_shape)',
    ],
    [
      'a ragged input',
      (t) => {
        t.config.layers.unshift({
          class_name: 'InputLayer',
          config: { batch_input_shape: [null, null], ragged: true, name: 'ids' },
        });
      },
      'loadKerasModel: layer ids (InputLayer) option ragged: expected false (ragged inputs are not supported; pad and mask instead), received true',
    ],
    [
      'an unknown model class',
      (t) => {
        t.class_name = 'Subclassed';
      },
      'loadKerasModel: model class "Subclassed" is not supported; expected "Sequential" or a functional model ("Model" / "Functional")',
    ],
  ];
  for (const [label, edit, message] of cases) {
    it(`rejects ${label}, naming the layer and the option, and frees what it made`, async () => {
      const { ref, artifacts } = await baseArtifacts();
      const before = ref.memory().numTensors;
      await expect(loadKerasModel(edited(artifacts, edit), { backend: ref })).rejects.toThrow(message);
      expect(ref.memory().numTensors).toBe(before);
    });
  }

  it('ignores unknown options only when asked', async () => {
    const { ref, model, artifacts } = await baseArtifacts();
    const lenient = edited(artifacts, (t) => {
      layerConfig(t, 1).peephole_connections = false;
    });
    const loaded = await loadKerasModel<RefTensor>(lenient, { backend: ref, unknownConfigKeys: 'ignore' });
    const ids = [[1, 2, 0]];
    expect(values(ref, loaded.predict(ids) as RefTensor)).toEqual(
      values(ref, model.predict(ids) as RefTensor),
    );
    await expect(
      loadKerasModel(artifacts, { backend: ref, unknownConfigKeys: 'maybe' as never }),
    ).rejects.toThrow(
      'loadKerasModel options.unknownConfigKeys: expected "error" or "ignore", received "maybe"',
    );
  });

  it('accepts options that cannot change a prediction: regularizers, constraints, unroll, implementation, seeds', async () => {
    const { ref, model, artifacts } = await baseArtifacts();
    const decorated = edited(artifacts, (t) => {
      Object.assign(layerConfig(t, 1), {
        kernel_regularizer: { class_name: 'L1L2', config: { l1: 0.1, l2: 0.2 } },
        recurrent_constraint: { class_name: 'MaxNorm', config: { max_value: 2 } },
        activity_regularizer: { class_name: 'L2', config: { l2: 0.1 } },
        unroll: true,
        implementation: 2,
        use_cudnn: 'auto',
        seed: 7,
      });
      Object.assign(layerConfig(t, 2), { bias_constraint: { class_name: 'NonNeg', config: {} } });
    });
    const loaded = await loadKerasModel<RefTensor>(decorated, { backend: ref });
    const ids = [[3, 1, 0]];
    expect(values(ref, loaded.predict(ids) as RefTensor)).toEqual(
      values(ref, model.predict(ids) as RefTensor),
    );
  });

  it('reads BatchNormalization as Keras 2 writes it (axis as a list, fused, renorm off) and refuses renorm', async () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        dense({ units: 3 }),
        batchNormalization({ movingMeanInitializer: { name: 'uniform', minval: -1, maxval: 1 } }),
      ],
      { backend: ref, seed: 2, inputShape: [null, 2] },
    );
    const artifacts = await saveKerasModel(model);
    const keras2 = edited(artifacts, (t) => {
      Object.assign(layerConfig(t, 1), {
        axis: [2],
        fused: true,
        renorm: false,
        renorm_clipping: null,
        renorm_momentum: 0.99,
        virtual_batch_size: null,
        adjustment: null,
        synchronized: false,
      });
    });
    const loaded = await loadKerasModel<RefTensor>(keras2, { backend: ref });
    const x = [
      [
        [0.5, -1],
        [2, 0.25],
      ],
    ];
    expect(values(ref, loaded.predict(x) as RefTensor)).toEqual(values(ref, model.predict(x) as RefTensor));
    expect(loaded.layers[1]!.getConfig()).toMatchObject({ axis: 2, momentum: 0.99, epsilon: 1e-3 });
    const renorm = edited(artifacts, (t) => {
      layerConfig(t, 1).renorm = true;
    });
    await expect(loadKerasModel(renorm, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer batch_normalization (BatchNormalization) option renorm: expected false (batch renormalization is not supported), received true',
    );
  });

  it('reads Normalization with given statistics (Keras writes the axis as a list)', async () => {
    const { ref, model, artifacts } = await baseArtifacts();
    const normalized = edited(artifacts, (t) => {
      t.config.layers.push({
        class_name: 'Normalization',
        config: { name: 'norm', axis: [-1], mean: [0.5, -1], variance: [4, 0.25], invert: false },
      });
    });
    const loaded = await loadKerasModel<RefTensor>(normalized, { backend: ref });
    const ids = [[3, 1, 0]];
    const raw = Array.from(values(ref, model.predict(ids) as RefTensor));
    expect(Array.from(values(ref, loaded.predict(ids) as RefTensor))).toEqual([
      (raw[0]! - 0.5) / 2,
      (raw[1]! + 1) / 0.5,
    ]);
    expect(loaded.layers.at(-1)!.getConfig()).toMatchObject({
      axis: -1,
      mean: [0.5, -1],
      variance: [4, 0.25],
    });
    // An absent axis is Keras' default, -1 (per feature); [] (Keras' None) one pair for everything.
    for (const [axis, expected] of [
      [undefined, -1],
      [[], []],
    ] as const) {
      const config: Json = { name: 'norm', mean: axis === undefined ? [0.5, -1] : 2, variance: 4 };
      if (axis !== undefined) config.axis = axis;
      const variant = await loadKerasModel<RefTensor>(
        edited(artifacts, (t) => {
          t.config.layers.push({ class_name: 'Normalization', config });
        }),
        { backend: ref },
      );
      expect(variant.layers.at(-1)!.getConfig()).toMatchObject({ axis: expected });
    }
    const softmaxList = await loadKerasModel<RefTensor>(
      edited(artifacts, (t) => {
        t.config.layers.push({ class_name: 'Softmax', config: { name: 'probabilities', axis: [-1] } });
      }),
      { backend: ref },
    );
    expect(softmaxList.layers.at(-1)!.getConfig()).toMatchObject({ axis: -1 });
  });

  it("reads LeakyReLU's slope as Keras 3 (negative_slope) and Keras 2 (alpha) write it", async () => {
    const { ref, artifacts } = await baseArtifacts();
    const withLeaky = (config: Json) =>
      edited(artifacts, (t) => {
        t.config.layers.push({ class_name: 'LeakyReLU', config: { name: 'leaky', ...config } });
      });
    for (const [config, slope] of [
      [{ negative_slope: 0.2 }, 0.2],
      [{ alpha: 0.05 }, 0.05],
      [{}, 0.3],
    ] as const) {
      const loaded = await loadKerasModel<RefTensor>(withLeaky(config), { backend: ref });
      expect(loaded.layers.at(-1)!.getConfig()).toMatchObject({ negativeSlope: slope });
    }
  });

  it('maps initializers, so the loaded config is faithful', async () => {
    const { ref, artifacts } = await baseArtifacts();
    const withInits = edited(artifacts, (t) => {
      Object.assign(layerConfig(t, 1), {
        kernel_initializer: {
          class_name: 'VarianceScaling',
          config: { scale: 2, mode: 'fan_out', distribution: 'uniform' },
        },
        recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 0.5 } },
        bias_initializer: { class_name: 'Constant', config: { value: 0.25 } },
      });
      layerConfig(t, 0).embeddings_initializer = {
        class_name: 'RandomNormal',
        config: { mean: 0, stddev: 0.1 },
      };
      layerConfig(t, 2).kernel_initializer = 'he_uniform';
    });
    const model = await loadKerasModel<RefTensor>(withInits, { backend: ref });
    const [emb, rnn, out] = model.layers.map((l) => l.getConfig());
    expect(emb!.embeddingsInitializer).toEqual({ name: 'normal', mean: 0, stddev: 0.1 });
    expect(rnn!.kernelInitializer).toEqual({
      name: 'varianceScaling',
      scale: 2,
      mode: 'fanOut',
      distribution: 'uniform',
    });
    expect(rnn!.recurrentInitializer).toEqual({ name: 'orthogonal', gain: 0.5 });
    expect(rnn!.biasInitializer).toEqual({ name: 'constant', value: 0.25 });
    expect(out!.kernelInitializer).toBe('heUniform');
  });

  it('rejects what a Bidirectional cannot wrap or merge', async () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([bidirectional(gru({ units: 2, resetAfter: false }))], {
      backend: ref,
      seed: 1,
      inputShape: [null, 3],
    });
    const artifacts = await saveKerasModel(model);
    await expect(
      loadKerasModel(
        edited(artifacts, (t) => {
          layerConfig(t, 0).merge_mode = 'max';
        }),
        { backend: ref },
      ),
    ).rejects.toThrow(
      'loadKerasModel: layer bidirectional (Bidirectional) option merge_mode: expected "concat", "sum", "mul", "ave" or null, received "max"',
    );
    await expect(
      loadKerasModel(
        edited(artifacts, (t) => {
          layerConfig(t, 0).layer = { class_name: 'Dense', config: { name: 'd', units: 2 } };
        }),
        { backend: ref },
      ),
    ).rejects.toThrow(
      'loadKerasModel: layer bidirectional (Bidirectional) option layer: expected a SimpleRNN, LSTM or GRU layer, received "Dense"',
    );
  });
});

describe("loadKerasModel: Keras' RNN wrapper around cells", () => {
  /** A recurrent layer's Keras config split as Keras' RNN(cell) writes it: the wrapper's options and the cell's. */
  const wrapperKeys = ['return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll'];
  function asCell(className: string, config: Json): { cell: Json; wrapper: Json } {
    const cellConfig: Json = {};
    const wrapper: Json = {};
    for (const [key, value] of Object.entries(config))
      (wrapperKeys.includes(key) ? wrapper : cellConfig)[key] = value;
    cellConfig.name = `${config.name}_cell`;
    return {
      cell: { module: 'keras.layers', class_name: className, config: cellConfig, registered_name: null },
      wrapper,
    };
  }

  it('loads RNN(LSTMCell) as the LSTM it computes, in a Bidirectional too, predicting exactly as the LSTM', async () => {
    const { ref, model, artifacts } = await baseArtifacts();
    const wrapped = edited(artifacts, (t) => {
      const layer = t.config.layers[1];
      const { cell, wrapper } = asCell('LSTMCell', layer.config);
      t.config.layers[1] = {
        class_name: 'RNN',
        config: { ...wrapper, name: layer.config.name, trainable: true, cell },
      };
    });
    const loaded = await loadKerasModel<RefTensor>(wrapped, { backend: ref });
    const plain = await loadKerasModel<RefTensor>(artifacts, { backend: ref });
    expect(loaded.layers[1]!.className).toBe('LSTM');
    expect(loaded.layers[1]!.getConfig()).toEqual(plain.layers[1]!.getConfig());
    const ids = [
      [3, 1, 0],
      [2, 5, 7],
    ];
    expect(values(ref, loaded.predict(ids) as RefTensor)).toEqual(
      values(ref, model.predict(ids) as RefTensor),
    );
    const gruModel = sequential<RefTensor>([bidirectional(gru({ units: 2, resetAfter: false }))], {
      backend: ref,
      seed: 4,
      inputShape: [null, 3],
    });
    const bi = edited(await saveKerasModel(gruModel), (t) => {
      const inner = layerConfig(t, 0).layer;
      const { cell, wrapper } = asCell('GRUCell', inner.config);
      layerConfig(t, 0).layer = { class_name: 'RNN', config: { ...wrapper, name: inner.config.name, cell } };
    });
    const loadedBi = await loadKerasModel<RefTensor>(bi, { backend: ref });
    const x = ref.tensor([
      [
        [0.5, -1, 2],
        [1, 0.25, -0.5],
      ],
    ]);
    expect(values(ref, loadedBi.predict(x) as RefTensor)).toEqual(
      values(ref, gruModel.predict(x) as RefTensor),
    );
  });

  it('loads RNN(StackedRNNCells) and RNN([cells]) as a Stacked layer, predicting exactly as the separate layers', async () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [lstm({ units: 3, returnSequences: true }), gru({ units: 2, resetAfter: false }), dense({ units: 2 })],
      { backend: ref, seed: 7, inputShape: [null, 2] },
    );
    const artifacts = await saveKerasModel(model);
    const stackedAs = (cells: (c: Json[]) => Json, wrapper: Json = {}) =>
      edited(artifacts, (t) => {
        const [first, second] = t.config.layers as Json[];
        const made = [asCell('LSTMCell', first!.config).cell, asCell('GRUCell', second!.config).cell];
        t.config.layers.splice(0, 2, {
          class_name: 'RNN',
          config: { name: 'stack', return_sequences: false, cell: cells(made), ...wrapper },
        });
        t.config.layers[0].config.batch_input_shape = first!.config.batch_input_shape;
        for (const c of made) delete c.config.batch_input_shape;
      });
    const x = ref.tensor([
      [
        [0.5, -1],
        [1, 0.25],
        [-0.5, 2],
      ],
    ]);
    const expected = values(ref, model.predict(x) as RefTensor);
    for (const cells of [
      (c: Json[]) => ({ class_name: 'StackedRNNCells', config: { name: 'stacked_rnn_cells', cells: c } }),
      (c: Json[]) => c,
    ]) {
      const loaded = await loadKerasModel<RefTensor>(stackedAs(cells), { backend: ref });
      expect(loaded.layers[0]!.className).toBe('Stacked');
      expect(values(ref, loaded.predict(x) as RefTensor)).toEqual(expected);
    }
    // Returning states: the output, then the LSTM cell's h and c, then the GRU cell's h (Keras' flattened order).
    const stackJson = (
      stackedAs((c) => c, { return_state: true, return_sequences: true }).modelTopology as Json
    ).config.layers[0];
    const layer = layerFromKeras(stackJson, { dialect: 'keras3', unknownKeys: 'error' });
    layer.build(ref, [null, null, 2]);
    layer.setWeights(model.getWeights().slice(0, 6));
    const outputs = layer.apply(x) as RefTensor[];
    expect(outputs.map((o) => ref.shape(o))).toEqual([
      [1, 3, 2],
      [1, 3],
      [1, 3],
      [1, 2],
    ]);
    // The last step of the sequence output is the GRU's final state.
    expect(Array.from(values(ref, outputs[3]!))).toEqual(Array.from(values(ref, outputs[0]!)).slice(4));
    await expect(
      loadKerasModel(
        stackedAs((c) => c, { go_backwards: true }),
        { backend: ref },
      ),
    ).rejects.toThrow(
      'loadKerasModel: layer stack (RNN) option go_backwards: expected false for stacked cells (run the stack on the reversed sequence instead), received true',
    );
    await expect(
      loadKerasModel(
        stackedAs((c) => [c[0], { class_name: 'PeepholeLSTMCell', config: {} }]),
        { backend: ref },
      ),
    ).rejects.toThrow(
      'loadKerasModel: layer stack (RNN) option cell[1]: expected a SimpleRNNCell, LSTMCell or GRUCell (or StackedRNNCells of them), received "PeepholeLSTMCell"',
    );
    await expect(
      loadKerasModel(
        stackedAs((c) => {
          c[1]!.config.units_typo = 3;
          return c;
        }),
        { backend: ref },
      ),
    ).rejects.toThrow('units_typo');
  });
});

describe('loadKerasModel: weights', () => {
  it('names the layer whose weight count is wrong', async () => {
    const { ref, artifacts } = await baseArtifacts();
    const specs = artifacts.weightSpecs;
    const data = artifacts.weightData as ArrayBuffer;
    // Drop the LSTM's recurrent kernel (spec 2, 4 x 16 floats after the 8 x 3 embeddings and the 3 x 16 kernel).
    const start = (8 * 3 + 3 * 16) * 4;
    const end = start + 4 * 16 * 4;
    const missing = {
      ...artifacts,
      weightSpecs: [...specs.slice(0, 2), ...specs.slice(3)],
      weightData: new Uint8Array([
        ...new Uint8Array(data.slice(0, start)),
        ...new Uint8Array(data.slice(end)),
      ]).buffer,
    };
    const before = ref.memory().numTensors;
    await expect(loadKerasModel(missing, { backend: ref })).rejects.toThrow(
      'loadKerasModel layer lstm (LSTM): expected 3 weights (kernel, recurrent_kernel, bias), the file has 2 (lstm/kernel, lstm/bias)',
    );
    // Without names to go by, the count and each layer's share are reported.
    const anonymous = {
      ...missing,
      weightSpecs: missing.weightSpecs.map((s, i) => ({ ...s, name: `w${i}` })),
    };
    await expect(loadKerasModel(anonymous, { backend: ref })).rejects.toThrow(
      'loadKerasModel: the file has 5 weights, the model expects 6 (embedding: 1, lstm: 3, dense: 2)',
    );
    expect(ref.memory().numTensors).toBe(before);
  });

  it('names the layer, the weight and both shapes on a shape mismatch', async () => {
    const { ref, artifacts } = await baseArtifacts();
    const wrong = edited(artifacts, (t) => {
      layerConfig(t, 1).units = 5;
    });
    await expect(loadKerasModel(wrong, { backend: ref })).rejects.toThrow(
      'loadKerasModel layer lstm (LSTM) weight kernel: received shape [3, 16] (lstm/kernel in the file), expected [3, 20]',
    );
  });

  it('reads the Keras 2 converter layout: model_config, InputLayer, cell-scoped names, GRU reset_after true', async () => {
    const json = JSON.parse(
      await readFile(join(import.meta.dirname, 'fixtures', 'keras2-converter-embedding-bigru.json'), 'utf8'),
    ) as KerasModelJson;
    const specs = json.weightsManifest[0]!.weights;
    const rng = createRng('keras2-fixture');
    const weightValues = specs.map((s) =>
      Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
    );
    const data = new Float32Array(weightValues.flatMap((v) => [...v])).buffer;
    const ref = newBackend();
    const loaded = await loadKerasModel<RefTensor>({ modelJson: json, weights: data }, { backend: ref });
    expect(loaded.layers.map((l) => l.className)).toEqual([
      'Embedding',
      'Bidirectional',
      'LSTM',
      'Dropout',
      'Dense',
    ]);
    const bidi = loaded.layers[1] as Bidirectional;
    expect(bidi.mergeMode).toBe('sum');
    expect((bidi.forwardLayer as GRU).cellOptions.resetAfter).toBe(true);
    // Keras 2 (like Keras 3) zeroes a Bidirectional's outputs at masked steps when it returns sequences.
    expect(bidi.forwardLayer.zeroOutputForMask).toBe(true);
    expect((loaded.layers[2] as LSTM).cellOptions.recurrentActivation).toBe('sigmoid');
    // The same model built in seqmodel, with the same weights, predicts the same.
    const built = sequential<RefTensor>(
      [
        embedding({ inputDim: 12, outputDim: 3, maskZero: true }),
        bidirectional(gru({ units: 4, returnSequences: true, zeroOutputForMask: true }), {
          mergeMode: 'sum',
        }),
        lstm({ units: 3 }),
        dropout({ rate: 0.5 }),
        dense({ units: 1, activation: 'sigmoid' }),
      ],
      { backend: ref, seed: 1, inputShape: [null] },
    );
    built.setWeights(weightValues);
    const ids = [
      [4, 9, 11, 2],
      [7, 3, 0, 0],
    ];
    expect(values(ref, loaded.predict(ids) as RefTensor)).toEqual(
      values(ref, built.predict(ids) as RefTensor),
    );
    // tfjs-layers stops at the GRU.
    const artifacts = {
      modelTopology: json.modelTopology,
      weightSpecs: specs as tf.io.WeightsManifestEntry[],
      weightData: data,
    };
    await expect(tfl.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(
      'GRUCell does not support reset_after parameter set to true.',
    );
  });
});

describe('detectDialect', () => {
  it('reads keras_version, then the config style, then generatedBy', () => {
    const sequentialConfig = { class_name: 'Sequential', config: { layers: [] } };
    expect(detectDialect({ ...sequentialConfig, keras_version: 'tfjs-layers 4.22.0' })).toBe('tfjs');
    expect(
      detectDialect({ ...sequentialConfig, keras_version: 'seqmodel-layers (tfjs-layers 4 compatible)' }),
    ).toBe('tfjs');
    expect(detectDialect({ keras_version: '2.15.0', model_config: sequentialConfig })).toBe('keras2');
    expect(detectDialect({ keras_version: '2.2.4-tf', model_config: sequentialConfig })).toBe('keras2');
    expect(detectDialect({ keras_version: '3.4.1', model_config: sequentialConfig })).toBe('keras3');
    expect(
      detectDialect({
        class_name: 'Sequential',
        config: {
          layers: [{ module: 'keras.layers', class_name: 'Dense', config: {}, registered_name: null }],
        },
      }),
    ).toBe('keras3');
    expect(detectDialect(sequentialConfig, 'TensorFlow.js tfjs-layers v4.22.0')).toBe('tfjs');
    expect(detectDialect(sequentialConfig)).toBe('keras2');
  });

  it('can be set by the caller for files that do not say', async () => {
    const { ref, artifacts } = await baseArtifacts();
    const unversioned = edited(artifacts, (t) => {
      delete t.keras_version;
      layerConfig(t, 1).recurrent_activation = 'hard_sigmoid';
    });
    const asKeras3 = await loadKerasModel<RefTensor>(unversioned, { backend: ref, dialect: 'keras3' });
    expect((asKeras3.layers[1] as LSTM).cellOptions.recurrentActivation).toBe('hardSigmoidKeras3');
    const asKeras2 = await loadKerasModel<RefTensor>(unversioned, { backend: ref });
    expect((asKeras2.layers[1] as LSTM).cellOptions.recurrentActivation).toBe('hardSigmoid');
    await expect(loadKerasModel(unversioned, { backend: ref, dialect: 'keras4' as never })).rejects.toThrow(
      'loadKerasModel options.dialect: expected "tfjs", "keras2" or "keras3", received "keras4"',
    );
  });
});
