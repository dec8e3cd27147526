/**
 * Keras 3 files (and GRU `reset_after: true`, which tfjs-layers cannot load) against independent float64
 * computations: a plain-JS forward pass of the fixture's model and a two-step GRU worked out by hand.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, gru as gruCell, type RefTensor, scanCell } from '@seqmodel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { input, type SymbolicTensor } from '../../engine/symbolic.js';
import { Bidirectional } from '../../layers/bidirectional.js';
import { dense } from '../../layers/dense.js';
import { type GRU, gru, type LSTM } from '../../layers/rnn.js';
import { model as functional } from '../../models/functional.js';
import { expectClose, newBackend, tf, tfl, useTfjsCpu, values } from '../../test-helpers.js';
import type { KerasModelJson } from './artifacts.js';
import { removeTempDirectories, tempDirectory } from './keras-test-helpers.js';
import { loadKerasModel } from './load.js';

beforeAll(useTfjsCpu);
afterAll(removeTempDirectories);

const FIXTURE = join(import.meta.dirname, 'fixtures', 'keras3-gru-bidirectional.json');

/** float64 agreement: the reference backend computes in float64 from the same float32 weights. */
const EXACT = { atol: 1e-12, rtol: 1e-12 } as const;

async function fixture(): Promise<KerasModelJson> {
  return JSON.parse(await readFile(FIXTURE, 'utf8')) as KerasModelJson;
}

/** Seeded float32 weights for every manifest entry, and the weights file holding them. */
function weightsFor(json: KerasModelJson): { values: Float32Array[]; data: ArrayBuffer } {
  const rng = createRng('keras3-fixture');
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const list = specs.map((s) =>
    Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)),
  );
  const data = new Uint8Array(list.reduce((n, v) => n + v.byteLength, 0));
  let offset = 0;
  for (const v of list) {
    data.set(new Uint8Array(v.buffer), offset);
    offset += v.byteLength;
  }
  return { values: list, data: data.buffer };
}

// --- An independent forward pass of the fixture's model, in plain float64 JavaScript. ---

type Matrix = { values: Float32Array; rows: number; cols: number };
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const hardSigmoidKeras3 = (v: number) => Math.min(1, Math.max(0, v / 6 + 0.5));
const hardSigmoidKeras2 = (v: number) => Math.min(1, Math.max(0, 0.2 * v + 0.5));

/** row · M (+ bias row `biasRow` of a [k, cols] bias). */
function affine(row: number[], m: Matrix, bias?: Float32Array, biasOffset = 0): number[] {
  return Array.from({ length: m.cols }, (_, j) => {
    let s = bias === undefined ? 0 : bias[biasOffset + j]!;
    for (let i = 0; i < m.rows; i++) s += row[i]! * m.values[i * m.cols + j]!;
    return s;
  });
}

/** Keras GRU with reset_after: bias rows are the input and the recurrent bias. */
function gruReference(
  xs: number[][],
  mask: boolean[],
  w: Float32Array[],
  units: number,
  inputs: number,
): number[][] {
  const kernel = { values: w[0]!, rows: inputs, cols: 3 * units };
  const recurrent = { values: w[1]!, rows: units, cols: 3 * units };
  let h = new Array<number>(units).fill(0);
  let out = new Array<number>(units).fill(0);
  return xs.map((x, t) => {
    if (!mask[t]) return out; // masked: state kept, previous output repeated
    const a = affine(x, kernel, w[2], 0);
    const b = affine(h, recurrent, w[2], 3 * units);
    h = h.map((hp, j) => {
      const z = sigmoid(a[j]! + b[j]!);
      const r = sigmoid(a[units + j]! + b[units + j]!);
      const candidate = Math.tanh(a[2 * units + j]! + r * b[2 * units + j]!);
      return z * hp + (1 - z) * candidate;
    });
    out = h;
    return h;
  });
}

/** Keras LSTM over `order` of the steps, output zeros at masked steps (Bidirectional's inner layers in Keras). */
function lstmReference(
  xs: number[][],
  mask: boolean[],
  w: Float32Array[],
  units: number,
  inputs: number,
  gate: (v: number) => number,
  backwards: boolean,
): number[][] {
  const kernel = { values: w[0]!, rows: inputs, cols: 4 * units };
  const recurrent = { values: w[1]!, rows: units, cols: 4 * units };
  let h = new Array<number>(units).fill(0);
  let c = new Array<number>(units).fill(0);
  const outputs: number[][] = xs.map(() => new Array<number>(units).fill(0));
  const order = xs.map((_, t) => (backwards ? xs.length - 1 - t : t));
  for (const t of order) {
    if (!mask[t]) continue;
    const a = affine(xs[t]!, kernel, w[2]);
    const b = affine(h, recurrent);
    const z = a.map((v, j) => v + b[j]!);
    c = c.map((cp, j) => gate(z[units + j]!) * cp + gate(z[j]!) * Math.tanh(z[2 * units + j]!));
    h = c.map((cj, j) => gate(z[3 * units + j]!) * Math.tanh(cj));
    outputs[t] = h;
  }
  return outputs;
}

function fixtureReference(x: number[][][], w: Float32Array[], gate: (v: number) => number): number[] {
  const out: number[] = [];
  for (const sequence of x) {
    const mask = sequence.map((step) => step.some((v) => v !== 0));
    const g = gruReference(sequence, mask, w.slice(0, 3), 4, 3);
    const f = lstmReference(g, mask, w.slice(3, 6), 3, 4, gate, false);
    const b = lstmReference(g, mask, w.slice(6, 9), 3, 4, gate, true);
    const dense = { values: w[9]!, rows: 6, cols: 2 };
    sequence.forEach((_, t) => {
      const logits = affine([...f[t]!, ...b[t]!], dense, w[10]);
      const m = Math.max(...logits);
      const e = logits.map((v) => Math.exp(v - m));
      const total = e.reduce((s, v) => s + v, 0);
      out.push(...e.map((v) => v / total));
    });
  }
  return out;
}

const inputs = [
  [
    [0.5, -0.25, 1],
    [0.75, 0.5, -0.5],
    [-1, 0.25, 0.125],
    [0.3, 0.9, -0.7],
  ],
  [
    [-0.5, 0.5, 0.25],
    [0.1, -0.2, 0.3],
    [0, 0, 0],
    [0, 0, 0],
  ],
];

describe('Keras 3 files', () => {
  it('load with GRU reset_after true, Keras 3 hard_sigmoid and Bidirectional zeros at masked steps, matching an independent float64 pass', async () => {
    const json = await fixture();
    const { values: weights, data } = weightsFor(json);
    const ref = newBackend();
    const model = await loadKerasModel<RefTensor>({ modelJson: json, weights: data }, { backend: ref });
    const [, gruLayer, bidi, dense] = model.layers as [unknown, GRU, Bidirectional, unknown];
    expect(model.layers.map((l) => l.className)).toEqual(['Masking', 'GRU', 'Bidirectional', 'Dense']);
    expect(gruLayer.cellOptions.resetAfter).toBe(true);
    expect(gruLayer.cellOptions.recurrentActivation).toBe('sigmoid');
    expect(bidi).toBeInstanceOf(Bidirectional);
    expect(bidi.forwardLayer.cellOptions.recurrentActivation).toBe('hardSigmoidKeras3');
    expect(bidi.forwardLayer.zeroOutputForMask).toBe(true);
    expect(bidi.backwardLayer.zeroOutputForMask).toBe(true);
    // Keras 3 writes the backward layer out; it is the forward one run backwards, so it is derived again.
    expect(bidi.getConfig().backwardLayer).toBeUndefined();
    expect(dense).toBeDefined();
    const y = model.predict(inputs) as RefTensor;
    expect(ref.shape(y)).toEqual([2, 4, 2]);
    expectClose(
      'keras 3 fixture',
      values(ref, y),
      fixtureReference(inputs, weights, hardSigmoidKeras3),
      EXACT,
    );
  });

  it('reads hard_sigmoid as 0.2x + 0.5 when the same file says Keras 2, and refuses Keras 3 activations it lacks', async () => {
    const json = await fixture();
    const { values: weights, data } = weightsFor(json);
    const keras2 = { ...json, modelTopology: { ...json.modelTopology, keras_version: '2.15.0' } };
    const ref = newBackend();
    const model = await loadKerasModel<RefTensor>({ modelJson: keras2, weights: data }, { backend: ref });
    expect((model.layers[2] as Bidirectional).forwardLayer.cellOptions.recurrentActivation).toBe(
      'hardSigmoid',
    );
    const y = values(ref, model.predict(inputs) as RefTensor);
    expectClose('keras 2 hard sigmoid', y, fixtureReference(inputs, weights, hardSigmoidKeras2), EXACT);
    const keras3 = values(
      ref,
      (await loadKerasModel<RefTensor>({ modelJson: json, weights: data }, { backend: ref })).predict(
        inputs,
      ) as RefTensor,
    );
    expect(Math.max(...y.map((v, i) => Math.abs(v - keras3[i]!)))).toBeGreaterThan(1e-3);
    // Without a keras_version, Keras 3 style (module / registered_name fields) decides.
    const { keras_version: _version, ...unversioned } = json.modelTopology;
    const guessed = await loadKerasModel<RefTensor>(
      { modelJson: { ...json, modelTopology: unversioned }, weights: data },
      { backend: ref },
    );
    expect((guessed.layers[2] as Bidirectional).forwardLayer.cellOptions.recurrentActivation).toBe(
      'hardSigmoidKeras3',
    );
    const leaky = JSON.parse(JSON.stringify(json).replace('"softmax"', '"leaky_relu"'));
    await expect(loadKerasModel({ modelJson: leaky, weights: data }, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer dense (Dense) option activation: expected one of the supported activations: linear, tanh, sigmoid, relu, softmax, softplus, softsign, elu, selu, exponential, gelu, gelu_new, silu, swish, mish, relu6, hard_sigmoid, received "leaky_relu"',
    );
  });

  it('loads from a model.json file with its weights file beside it', async () => {
    const json = await fixture();
    const { values: weights, data } = weightsFor(json);
    const dir = await tempDirectory();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await writeFile(join(dir, 'group1-shard1of1.bin'), new Uint8Array(data));
    const ref = newBackend();
    const model = await loadKerasModel<RefTensor>(join(dir, 'model.json'), { backend: ref });
    expectClose(
      'from files',
      values(ref, model.predict(inputs) as RefTensor),
      fixtureReference(inputs, weights, hardSigmoidKeras3),
      EXACT,
    );
  });

  it('is a file tfjs-layers 4.22 refuses', async () => {
    const json = await fixture();
    const { data } = weightsFor(json);
    const artifacts = {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[],
      weightData: data,
    };
    // tfjs-layers 4.22 stops at Keras 3's InputLayer (batch_shape); its GRU would refuse reset_after true next.
    await expect(tfl.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(
      'An InputLayer should be passed either a `batchInputShape` or an `inputShape`',
    );
  });
});

describe('Keras 3 functional models', () => {
  const ref3 = (name: string, index: number, shape: (number | null)[]) => ({
    class_name: '__keras_tensor__',
    config: { shape, dtype: 'float32', keras_history: [name, 0, index] },
  });
  const layer = (className: string, config: Record<string, unknown>, inbound: unknown[]) => ({
    module: 'keras.layers',
    class_name: className,
    config,
    registered_name: null,
    name: config.name,
    inbound_nodes: inbound,
  });

  /**
   * An encoder-decoder as Keras 3 writes it, but with its layers listed decoder first: files need not list layers in
   * call order, and the weights follow the file's layer order.
   */
  function encoderDecoder() {
    const rnnConfig = {
      trainable: true,
      dtype: 'float32',
      units: 4,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
    };
    const decoder = layer(
      'GRU',
      { ...rnnConfig, name: 'decoder', return_sequences: true, reset_after: true },
      [
        {
          args: [ref3('target', 0, [null, null, 2])],
          kwargs: { initial_state: [ref3('encoder', 1, [null, 4])], training: false, mask: null },
        },
      ],
    );
    const encoder = layer('GRU', { ...rnnConfig, name: 'encoder', return_state: true, reset_after: true }, [
      { args: [ref3('source', 0, [null, null, 3])], kwargs: { training: false, mask: null } },
    ]);
    const head = layer('Dense', { name: 'head', units: 2, activation: 'softmax', dtype: 'float32' }, [
      { args: [ref3('decoder', 0, [null, null, 4])], kwargs: {} },
    ]);
    const inputLayer = (name: string, size: number) =>
      layer('InputLayer', { batch_shape: [null, null, size], dtype: 'float32', sparse: false, name }, []);
    const specs = [
      { name: 'decoder/gru_cell/kernel', shape: [2, 12], dtype: 'float32' },
      { name: 'decoder/gru_cell/recurrent_kernel', shape: [4, 12], dtype: 'float32' },
      { name: 'decoder/gru_cell/bias', shape: [2, 12], dtype: 'float32' },
      { name: 'head/kernel', shape: [4, 2], dtype: 'float32' },
      { name: 'head/bias', shape: [2], dtype: 'float32' },
      { name: 'encoder/gru_cell/kernel', shape: [3, 12], dtype: 'float32' },
      { name: 'encoder/gru_cell/recurrent_kernel', shape: [4, 12], dtype: 'float32' },
      { name: 'encoder/gru_cell/bias', shape: [2, 12], dtype: 'float32' },
    ];
    const rng = createRng('functional');
    const weights = specs.map((w) =>
      Float32Array.from({ length: w.shape[0]! * (w.shape[1] ?? 1) }, () => rng.uniform(-1, 1)),
    );
    return {
      artifacts: {
        modelTopology: {
          keras_version: '3.5.0',
          model_config: {
            module: 'keras',
            class_name: 'Functional',
            config: {
              name: 'seq2seq',
              layers: [decoder, inputLayer('target', 2), head, encoder, inputLayer('source', 3)],
              input_layers: [
                ['source', 0, 0],
                ['target', 0, 0],
              ],
              output_layers: ['head', 0, 0],
            },
          },
        },
        weightSpecs: specs,
        weightData: new Float32Array(weights.flatMap((w) => [...w])).buffer,
      },
      weights,
    };
  }

  it('load with initial_state keyword arguments, in any layer order, matching the same model built in seqmodel', async () => {
    const { artifacts, weights } = encoderDecoder();
    const ref = newBackend();
    const model = await loadKerasModel<RefTensor>(artifacts, { backend: ref });
    expect(model.className).toBe('Functional');
    expect(model.layers.map((l) => l.name)).toEqual(['encoder', 'decoder', 'head']);
    // Built by hand: the same graph and the same weights (by layer, as the file has them).
    const source = input({ shape: [null, 3], name: 'source' });
    const target = input({ shape: [null, 2], name: 'target' });
    const [, h] = gru({ units: 4, returnState: true }).apply(source) as SymbolicTensor[];
    const decoded = gru({ units: 4, returnSequences: true }).apply(target, {
      initialState: [h!],
    }) as SymbolicTensor;
    const out = dense({ units: 2, activation: 'softmax' }).apply(decoded) as SymbolicTensor;
    const built = functional<RefTensor>({ inputs: [source, target], outputs: out, backend: ref, seed: 1 });
    built.setWeights([...weights.slice(5), ...weights.slice(0, 3), ...weights.slice(3, 5)]);
    const x = [inputs[0]!, inputs[1]!];
    const y = x.map((s) => s.slice(0, 3).map((step) => step.slice(0, 2)));
    expectClose(
      'functional',
      values(ref, model.predict([x, y]) as RefTensor),
      values(ref, built.predict([ref.tensor(x), ref.tensor(y)]) as RefTensor),
      EXACT,
    );
  });

  it('reject explicit masks in calls and references to tensors nobody makes', async () => {
    const ref = newBackend();
    const masked = encoderDecoder().artifacts;
    const decoderNode = (
      masked.modelTopology.model_config.config.layers[0] as {
        inbound_nodes: { kwargs: Record<string, unknown> }[];
      }
    ).inbound_nodes[0]!;
    decoderNode.kwargs.mask = ref3('target', 0, [null, null]);
    await expect(loadKerasModel(masked, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer decoder (GRU) inbound node 0: call argument mask is a tensor of the model (target); explicit mask tensors are not supported (seqmodel passes masks from layer to layer)',
    );
    const dangling = encoderDecoder().artifacts;
    (dangling.modelTopology.model_config.config.layers[2] as { inbound_nodes: unknown[] }).inbound_nodes = [
      { args: [ref3('nowhere', 0, [null, 4])], kwargs: {} },
    ];
    const before = ref.memory().numTensors;
    await expect(loadKerasModel(dangling, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer head (Dense) inbound node 0: refers to tensors no layer produces',
    );
    expect(ref.memory().numTensors).toBe(before);
  });
});

describe('GRU reset_after true', () => {
  /** One GRU unit on one feature, weights exact in float32, two steps. */
  function tinyGru(resetAfter: boolean, keras3: boolean) {
    const config = {
      name: 'gru',
      units: 1,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      reset_after: resetAfter,
      return_sequences: true,
    };
    const layers = keras3
      ? [
          {
            module: 'keras.layers',
            class_name: 'InputLayer',
            config: { batch_shape: [null, null, 1], dtype: 'float32', name: 'x' },
            registered_name: null,
          },
          { module: 'keras.layers', class_name: 'GRU', config, registered_name: null },
        ]
      : [{ class_name: 'GRU', config: { ...config, batch_input_shape: [null, null, 1], dtype: 'float32' } }];
    const bias = resetAfter ? [0.125, 0.25, 0.375, 0, -0.125, 0.25] : [0.125, 0.25, 0.375];
    const weights = new Float32Array([0.5, -0.5, 1, 0.25, 0.5, -1, ...bias]);
    return {
      modelTopology: {
        keras_version: keras3 ? '3.6.0' : 'tfjs-layers 4.22.0',
        class_name: 'Sequential',
        config: { name: 'tiny', layers },
      },
      weightSpecs: [
        { name: 'gru/kernel', shape: [1, 3], dtype: 'float32' },
        { name: 'gru/recurrent_kernel', shape: [1, 3], dtype: 'float32' },
        { name: 'gru/bias', shape: resetAfter ? [2, 3] : [3], dtype: 'float32' },
      ],
      weightData: weights.buffer,
    };
  }

  it('matches a two-step computation worked out by hand', async () => {
    // Step 1 (h = 0): z = σ(0.5 + 0.125), r = σ(-0.5 + 0.25 - 0.125), ĥ = tanh(1 + 0.375 + r·0.25), h1 = (1 - z)·ĥ.
    // Step 2 (x = 2): the same with h·U + b_rec = (0.25·h1, 0.5·h1 - 0.125, -h1 + 0.25).
    const ref = newBackend();
    const h = [0.31408498975938653, 0.46829941001495823];
    for (const keras3 of [true, false]) {
      const model = await loadKerasModel<RefTensor>(tinyGru(true, keras3), { backend: ref });
      expectClose(
        `reset_after true (keras3 ${keras3})`,
        values(ref, model.predict([[[1], [2]]]) as RefTensor),
        h,
        EXACT,
      );
    }
    // reset_after false differs: the reset gate applies before the recurrent product.
    const before = await loadKerasModel<RefTensor>(tinyGru(false, false), { backend: ref });
    expectClose(
      'reset_after false',
      values(ref, before.predict([[[1], [2]]]) as RefTensor),
      [0.30674729877058515, 0.4620893154445176],
      EXACT,
    );
  });

  it("matches core's scanCell with the same weights, and tfjs-layers refuses the same file", async () => {
    const json = await fixture();
    const { values: weights, data } = weightsFor(json);
    const gruOnly = {
      ...json,
      modelTopology: {
        ...json.modelTopology,
        model_config: {
          ...(json.modelTopology.model_config as Record<string, unknown>),
          config: {
            name: 'gru_only',
            layers: (
              json.modelTopology.model_config as { config: { layers: unknown[] } }
            ).config.layers.slice(0, 3),
          },
        },
      },
      weightsManifest: [{ paths: ['w.bin'], weights: json.weightsManifest[0]!.weights.slice(0, 3) }],
    };
    const bytes = weights.slice(0, 3).reduce((n, w) => n + w.byteLength, 0);
    const ref = newBackend();
    const model = await loadKerasModel<RefTensor>(
      { modelJson: gruOnly, weights: data.slice(0, bytes) },
      { backend: ref },
    );
    const x = ref.tensor(inputs);
    const mask = ref.tensor(inputs.map((s) => s.map((step) => (step.some((v) => v !== 0) ? 1 : 0))));
    const { output } = scanCell(ref, {
      cell: gruCell,
      options: { resetAfter: true },
      units: 4,
      inputs: x,
      mask,
      params: {
        kernel: ref.tensor(weights[0]!, [3, 12]),
        recurrentKernel: ref.tensor(weights[1]!, [4, 12]),
        bias: ref.tensor(weights[2]!, [2, 12]),
      },
      returnSequences: true,
    });
    expectClose('scanCell', values(ref, model.predict(x) as RefTensor), values(ref, output), EXACT);
    // tfjs-layers cannot build such a GRU at all.
    await expect(tfl.loadLayersModel(tf.io.fromMemory(tinyGru(true, false)))).rejects.toThrow(
      'GRUCell does not support reset_after parameter set to true.',
    );
    const ours = await loadKerasModel<RefTensor>(tinyGru(true, false), { backend: ref });
    expect((ours.layers[0] as GRU).cellOptions.resetAfter).toBe(true);
    expect((ours.layers[0] as LSTM).weights[2]!.shape).toEqual([2, 3]);
  });
});
