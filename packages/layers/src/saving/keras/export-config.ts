/**
 * seqmodel models to Keras model configs that tfjs-layers 4.x loads and runs identically: Keras 2 field names in
 * snake case, `{ class_name, config }` initializers, `batch_input_shape`, `dtype: "float32"`, and weight names as
 * tfjs-layers scopes them (it loads weights by name). What tfjs-layers cannot reproduce is refused with an error that
 * names the layer and the option, rather than written as a file that loads into a different model there:
 * GRU `resetAfter: true`, the Keras 3 hard sigmoid, the `exponential` activation, `zeroOutputForMask`, cells other
 * than the built-in three, Stacked layers, a Bidirectional with its own backward layer, and custom layers.
 *
 * Sequential models whose layers all have one output are written as `Sequential`; others (and functional models) as
 * functional `Model` configs with `inbound_nodes`, where a recurrent layer's initial states follow its input, as
 * tfjs-layers and Keras 2 write them.
 */
import { type ActivationName, type InitializerSpec, resolveInitializer, SeqmodelError } from '@seqmodel/core';
import { Functional } from '../../engine/functional.js';
import { Graph } from '../../engine/graph.js';
import type { Layer } from '../../engine/layer.js';
import type { Model } from '../../engine/model.js';
import type { ShapeSpec } from '../../engine/shape-spec.js';
import type { InputNode, SymbolicTensor } from '../../engine/symbolic.js';
import { Activation } from '../../layers/activation.js';
import { Bidirectional } from '../../layers/bidirectional.js';
import { Dense } from '../../layers/dense.js';
import { Dropout } from '../../layers/dropout.js';
import { Embedding } from '../../layers/embedding.js';
import { Flatten } from '../../layers/flatten.js';
import { Masking } from '../../layers/masking.js';
import { RepeatVector } from '../../layers/repeat-vector.js';
import { RNN } from '../../layers/rnn.js';
import { TimeDistributed } from '../../layers/time-distributed.js';
import { SEQMODEL_KERAS_VERSION_PREFIX } from './import-config.js';

const PREFIX = 'saveKerasModel';

/** The `keras_version` seqmodel writes; `loadKerasModel` reads such files with tfjs-layers conventions. */
export const SEQMODEL_KERAS_VERSION = `${SEQMODEL_KERAS_VERSION_PREFIX} (tfjs-layers 4 compatible)`;

type Json = Record<string, unknown>;

function refuse(layer: Layer, option: string, detail: string): never {
  throw new SeqmodelError(`${PREFIX}: layer ${layer.describe()} ${option}: ${detail}`);
}

const ACTIVATIONS: Partial<Record<ActivationName, string>> = {
  linear: 'linear',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  hardSigmoid: 'hard_sigmoid',
  softmax: 'softmax',
  softplus: 'softplus',
  softsign: 'softsign',
  elu: 'elu',
  selu: 'selu',
};

function activationJson(layer: Layer, option: string, name: ActivationName): string {
  const keras = ACTIVATIONS[name];
  if (keras === undefined) {
    const why =
      name === 'hardSigmoidKeras3'
        ? "tfjs-layers' hard_sigmoid is clip(0.2x + 0.5), not Keras 3's clip(x/6 + 0.5)"
        : 'tfjs-layers has no such activation';
    refuse(layer, option, `${JSON.stringify(name)} cannot be exported (${why}); save with saveModel instead`);
  }
  return keras;
}

const FAN_MODES = { fanIn: 'fan_in', fanOut: 'fan_out', fanAvg: 'fan_avg' } as const;

function varianceScaling(scale: number, mode: keyof typeof FAN_MODES, distribution: string): Json {
  // tfjs-layers knows "normal" (truncated) and "uniform"; an untruncated normal is written as its truncated kin.
  // Initializers only matter when weights are drawn again: the file's weights are what a loader uses.
  const dist = distribution === 'uniform' ? 'uniform' : 'normal';
  return {
    class_name: 'VarianceScaling',
    config: { scale, mode: FAN_MODES[mode], distribution: dist, seed: null },
  };
}

/** A seqmodel initializer as a Keras `{ class_name, config }`. */
function initializerJson(layer: Layer, option: string, spec: InitializerSpec): Json {
  const config = resolveInitializer(spec);
  switch (config.name) {
    case 'zeros':
      return { class_name: 'Zeros', config: {} };
    case 'ones':
      return { class_name: 'Ones', config: {} };
    case 'constant':
      return { class_name: 'Constant', config: { value: config.value } };
    case 'uniform':
      return {
        class_name: 'RandomUniform',
        config: { minval: config.minval ?? -0.05, maxval: config.maxval ?? 0.05, seed: null },
      };
    case 'normal':
      return {
        class_name: 'RandomNormal',
        config: { mean: config.mean ?? 0, stddev: config.stddev ?? 0.05, seed: null },
      };
    case 'truncatedNormal':
      return {
        class_name: 'TruncatedNormal',
        config: { mean: config.mean ?? 0, stddev: config.stddev ?? 0.05, seed: null },
      };
    case 'glorotUniform':
      return varianceScaling(1, 'fanAvg', 'uniform');
    case 'glorotNormal':
      return varianceScaling(1, 'fanAvg', 'truncatedNormal');
    case 'heUniform':
      return varianceScaling(2, 'fanIn', 'uniform');
    case 'heNormal':
      return varianceScaling(2, 'fanIn', 'truncatedNormal');
    case 'lecunUniform':
      return varianceScaling(1, 'fanIn', 'uniform');
    case 'lecunNormal':
      return varianceScaling(1, 'fanIn', 'truncatedNormal');
    case 'varianceScaling':
      return varianceScaling(
        config.scale ?? 1,
        config.mode ?? 'fanIn',
        config.distribution ?? 'truncatedNormal',
      );
    case 'orthogonal':
      return { class_name: 'Orthogonal', config: { gain: config.gain ?? 1, seed: null } };
    case 'identity':
      return { class_name: 'Identity', config: { gain: config.gain ?? 1 } };
    case 'concat':
      return refuse(layer, option, 'a "concat" initializer has no Keras equivalent');
  }
}

const KERAS_RNN_CLASS: Readonly<Record<string, string>> = {
  simpleRNN: 'SimpleRNN',
  lstm: 'LSTM',
  gru: 'GRU',
};

function recurrentJson(layer: RNN, name: string): Json {
  const className = KERAS_RNN_CLASS[layer.cell.name];
  if (className === undefined) {
    refuse(
      layer,
      'cell',
      `the cell ${JSON.stringify(layer.cell.name)} has no Keras layer; save with saveModel instead`,
    );
  }
  if (layer.zeroOutputForMask) {
    refuse(layer, 'zeroOutputForMask', 'tfjs-layers always repeats the previous output at masked steps');
  }
  const o = layer.cellOptions as Record<string, unknown>;
  const config: Json = {
    name,
    trainable: layer.trainable,
    dtype: 'float32',
    units: layer.units,
    activation: activationJson(layer, 'activation', o.activation as ActivationName),
    ...(className === 'SimpleRNN'
      ? {}
      : {
          recurrent_activation: activationJson(
            layer,
            'recurrentActivation',
            o.recurrentActivation as ActivationName,
          ),
        }),
    use_bias: o.useBias,
    kernel_initializer: initializerJson(layer, 'kernelInitializer', o.kernelInitializer as InitializerSpec),
    recurrent_initializer: initializerJson(
      layer,
      'recurrentInitializer',
      o.recurrentInitializer as InitializerSpec,
    ),
    bias_initializer: initializerJson(layer, 'biasInitializer', o.biasInitializer as InitializerSpec),
    ...(className === 'LSTM' ? { unit_forget_bias: o.unitForgetBias } : {}),
    kernel_regularizer: null,
    recurrent_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    recurrent_constraint: null,
    bias_constraint: null,
    dropout: layer.dropout,
    recurrent_dropout: layer.recurrentDropout,
    ...(className === 'SimpleRNN' ? {} : { implementation: 1 }),
    return_sequences: layer.returnSequences,
    return_state: layer.returnState,
    go_backwards: layer.goBackwards,
    stateful: layer.stateful,
    unroll: false,
  };
  if (className === 'GRU') {
    if (o.resetAfter === true) {
      refuse(
        layer,
        'resetAfter',
        'true cannot be loaded by tfjs-layers (it supports only reset_after false); build the GRU with resetAfter: false, or save with saveModel',
      );
    }
    config.reset_after = false;
  }
  return { class_name: className, config };
}

function stripPrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** A layer's Keras JSON, named `name` (wrappers name their inner layers as tfjs-layers expects). */
function layerJson(layer: Layer, name: string = layer.name): Json {
  const base = { name, trainable: layer.trainable, dtype: 'float32' };
  if (layer instanceof RNN) return recurrentJson(layer, name);
  if (layer instanceof Dense) {
    return {
      class_name: 'Dense',
      config: {
        ...base,
        units: layer.units,
        activation: activationJson(layer, 'activation', layer.activation),
        use_bias: layer.useBias,
        kernel_initializer: initializerJson(layer, 'kernelInitializer', layer.kernelInitializer),
        bias_initializer: initializerJson(layer, 'biasInitializer', layer.biasInitializer),
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
    };
  }
  if (layer instanceof Embedding) {
    return {
      class_name: 'Embedding',
      config: {
        ...base,
        input_dim: layer.inputDim,
        output_dim: layer.outputDim,
        embeddings_initializer: initializerJson(layer, 'embeddingsInitializer', layer.embeddingsInitializer),
        embeddings_regularizer: null,
        activity_regularizer: null,
        embeddings_constraint: null,
        mask_zero: layer.maskZero,
        input_length: null,
      },
    };
  }
  if (layer instanceof Masking)
    return { class_name: 'Masking', config: { ...base, mask_value: layer.maskValue } };
  if (layer instanceof Dropout) {
    return {
      class_name: 'Dropout',
      config: {
        ...base,
        rate: layer.rate,
        noise_shape: layer.noiseShape === undefined ? null : [...layer.noiseShape],
        seed: layer.seed ?? null,
      },
    };
  }
  if (layer instanceof Activation) {
    return {
      class_name: 'Activation',
      config: { ...base, activation: activationJson(layer, 'activation', layer.activation) },
    };
  }
  if (layer instanceof RepeatVector) return { class_name: 'RepeatVector', config: { ...base, n: layer.n } };
  if (layer instanceof Flatten) return { class_name: 'Flatten', config: base };
  if (layer instanceof TimeDistributed) {
    return { class_name: 'TimeDistributed', config: { ...base, layer: layerJson(layer.layer) } };
  }
  if (layer instanceof Bidirectional) {
    if (layer.getConfig().backwardLayer !== undefined) {
      refuse(
        layer,
        'backwardLayer',
        'tfjs-layers derives the backward layer from the forward one and cannot load a separate one',
      );
    }
    return {
      class_name: 'Bidirectional',
      config: {
        ...base,
        // tfjs-layers prefixes the inner layer's name with forward_ / backward_ itself.
        layer: layerJson(layer.forwardLayer, stripPrefix(layer.forwardLayer.name, 'forward_')),
        merge_mode: layer.mergeMode,
      },
    };
  }
  const hint =
    layer.className === 'Stacked'
      ? ': write its layers as separate recurrent layers with returnSequences, or save with saveModel'
      : '; save with saveModel instead';
  throw new SeqmodelError(
    `${PREFIX}: layer ${layer.describe()}: ${layer.className} layers have no tfjs-layers equivalent${hint}`,
  );
}

/**
 * Weight names as tfjs-layers scopes them, in the layer's weight order: `dense/kernel`,
 * `bidirectional/forward_lstm/recurrent_kernel`, `time_distributed/kernel` (a TimeDistributed adds no scope of its
 * inner layer).
 */
export function kerasWeightNames(layer: Layer, scope: string = layer.name): string[] {
  if (layer instanceof TimeDistributed) return kerasWeightNames(layer.layer, scope);
  if (layer instanceof Bidirectional) {
    const base = stripPrefix(layer.forwardLayer.name, 'forward_');
    return [
      ...kerasWeightNames(layer.forwardLayer, `${scope}/forward_${base}`),
      ...kerasWeightNames(layer.backwardLayer, `${scope}/backward_${base}`),
    ];
  }
  return layer.weights.map((w) => `${scope}/${w.shortName}`);
}

function inputLayerJson(name: string, batchShape: ShapeSpec, dtype: 'float32' | 'int32'): Json {
  return {
    name,
    class_name: 'InputLayer',
    config: { batch_input_shape: [...batchShape], dtype, sparse: false, name },
    inbound_nodes: [],
  };
}

function checkStatefulBatch(model: Model<unknown>, inputs: readonly SymbolicTensor[]): void {
  const stateful = model.layers.find((l) => (l as { stateful?: unknown }).stateful === true);
  if (stateful !== undefined && inputs.some((x) => x.shape[0] === null)) {
    refuse(
      stateful,
      'stateful',
      'tfjs-layers needs a fixed batch size for stateful layers; give the model a batchSize (or batchInputShape)',
    );
  }
}

/** The Keras model config of a built model (`modelTopology` without the version fields). */
export function modelJson<T>(model: Model<T>): Json {
  const inputs = model.inputs;
  checkStatefulBatch(model as Model<unknown>, inputs);
  const layers = model.layers;
  const singleOutputs = model.outputs.length === 1 && inputs.length === 1;
  if (!(model instanceof Functional) && singleOutputs) {
    return {
      class_name: 'Sequential',
      config: {
        name: model.name,
        layers: layers.map((layer, i) => {
          const json = layerJson(layer);
          if (i === 0) (json.config as Json).batch_input_shape = [...inputs[0]!.shape];
          return json;
        }),
      },
    };
  }
  return functionalJson(model);
}

function functionalJson<T>(model: Model<T>): Json {
  // A Sequential model is a chain: the same description as a one-input functional model.
  const inputs = model.inputs;
  const refs = new Map<SymbolicTensor, [string, number, number]>();
  const applications = new Map<Layer, number>();
  const taken = new Set(model.layers.map((l) => l.name));
  const inputJson = inputs.map((x, i) => {
    let name = (x.source as InputNode).name ?? `input_${i + 1}`;
    if (taken.has(name)) name = `${name}_input`;
    taken.add(name);
    refs.set(x, [name, 0, 0]);
    return inputLayerJson(name, x.shape, (x.source as InputNode).dtype);
  });
  const nodes = Graph.create(inputs, model.outputs, model.describe()).nodes;
  const inbound = new Map<Layer, unknown[]>();
  for (const node of nodes) {
    const index = applications.get(node.layer) ?? 0;
    applications.set(node.layer, index + 1);
    const args = [...node.inputs, ...node.initialState].map((x) => {
      const ref = refs.get(x);
      if (ref === undefined)
        throw new SeqmodelError(`${PREFIX}: ${model.describe()}: the graph refers to an unknown tensor`);
      return [...ref, {}];
    });
    const list = inbound.get(node.layer) ?? [];
    list.push(args);
    inbound.set(node.layer, list);
    node.outputs.forEach((y, k) => {
      refs.set(y, [node.layer.name, index, k]);
    });
  }
  const outputRef = (y: SymbolicTensor) => {
    const ref = refs.get(y);
    if (ref === undefined)
      throw new SeqmodelError(`${PREFIX}: ${model.describe()}: an output is not produced by the graph`);
    return ref;
  };
  return {
    class_name: 'Model',
    config: {
      name: model.name,
      layers: [
        ...inputJson,
        ...model.layers.map((layer) => ({
          name: layer.name,
          ...layerJson(layer),
          inbound_nodes: inbound.get(layer) ?? [],
        })),
      ],
      input_layers: inputs.map((x) => refs.get(x)!),
      output_layers: model.outputs.map(outputRef),
    },
  };
}
