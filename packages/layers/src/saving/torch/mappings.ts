/**
 * PyTorch state-dict names of the built-in layers:
 * - `nn.Linear` ↔ `Dense`: `weight` `[out, in]` is the kernel `[in, out]` transposed; `bias`.
 * - `nn.Embedding` ↔ `Embedding`: `weight` `[num, dim]` is `embeddings`.
 * - `nn.RNN` / `nn.LSTM` / `nn.GRU` ↔ `SimpleRNN` / `LSTM` / `GRU` (or `rnn()` with those cells), `Bidirectional`
 *   and `Stacked`: layer `k` of `num_layers` has `weight_ih_l{k}` `[gates·units, in]`, `weight_hh_l{k}`,
 *   `bias_ih_l{k}`, `bias_hh_l{k}`, and the backward direction of a bidirectional one the same with `_reverse`.
 *   LSTM gates are i, f, g, o in both; GRU gates are r, z, n in PyTorch and z, r, h in Keras, and PyTorch's GRU is
 *   Keras' `resetAfter: true` (its two biases are the rows of the `[2, 3·units]` bias). LSTM and RNN have one bias
 *   here: loading adds `bias_ih` and `bias_hh`.
 * - `nn.BatchNorm1d` ↔ `BatchNormalization`: `weight` is `gamma`, `bias` is `beta`, `running_mean` and `running_var`
 *   the moving statistics; its `num_batches_tracked` counter has no weight here (see `load-save.ts`).
 */

import { SeqmodelError } from '@seqmodel/core';
import type { Layer } from '../../engine/layer.js';
import type { LayerWeight } from '../../engine/weight.js';
import { Bidirectional } from '../../layers/bidirectional.js';
import type { Dense } from '../../layers/dense.js';
import type { Embedding } from '../../layers/embedding.js';
import { RNN } from '../../layers/rnn.js';
import type { Stacked } from '../../layers/stacked.js';
import type { TorchLayerMapping, TorchWeightBinding } from './mapping.js';

/** The weight of `layer` whose short name is `shortName` (mappings are written against built layers). */
export function weightNamed(layer: Layer, shortName: string): LayerWeight {
  const weight = layer.weights.find((w) => w.shortName === shortName);
  if (weight === undefined) {
    throw new SeqmodelError(
      `${layer.describe()}: expected a weight ${shortName} (is the layer built?), it has ${layer.weights.map((w) => w.shortName).join(', ') || 'no weights'}`,
    );
  }
  return weight;
}

/** `weight` `[out, in]` and `bias` of a PyTorch `nn.Linear` for a kernel `[in, out]` and an optional bias. */
export function linearBindings(
  kernel: LayerWeight,
  bias: LayerWeight | undefined,
  prefix: string,
): TorchWeightBinding[] {
  const [inputs, outputs] = kernel.shape as [number, number];
  const bindings: TorchWeightBinding[] = [
    { weight: kernel, pieces: [{ key: `${prefix}weight`, shape: [outputs, inputs], transpose: true }] },
  ];
  if (bias !== undefined)
    bindings.push({ weight: bias, pieces: [{ key: `${prefix}bias`, shape: [outputs] }] });
  return bindings;
}

const denseMapping: TorchLayerMapping<Dense> = {
  className: 'Dense',
  torchWeights: (layer, prefix) =>
    linearBindings(
      weightNamed(layer, 'kernel'),
      layer.weights.find((w) => w.shortName === 'bias'),
      prefix,
    ),
};

const embeddingMapping: TorchLayerMapping<Embedding> = {
  className: 'Embedding',
  torchWeights: (layer, prefix) => {
    const weight = weightNamed(layer, 'embeddings');
    return [{ weight, pieces: [{ key: `${prefix}weight`, shape: weight.shape }] }];
  },
};

const GATES: Readonly<Record<string, number>> = { simpleRNN: 1, lstm: 4, gru: 3 };

/** The activations PyTorch's cells use; another one would load and silently compute something else. */
function checkTorchActivations(layer: RNN): void {
  const options = layer.cellOptions as {
    activation?: unknown;
    recurrentActivation?: unknown;
    resetAfter?: unknown;
  };
  const fail = (what: string): never => {
    throw new SeqmodelError(`${layer.describe()}: PyTorch weights need ${what}`);
  };
  if (layer.cell.name === 'simpleRNN') {
    if (options.activation !== 'tanh' && options.activation !== 'relu') {
      fail(
        `activation "tanh" or "relu" (nn.RNN's nonlinearity), received ${JSON.stringify(options.activation)}`,
      );
    }
    return;
  }
  if (options.activation !== 'tanh')
    fail(`activation "tanh", received ${JSON.stringify(options.activation)}`);
  if (options.recurrentActivation !== 'sigmoid') {
    fail(`recurrentActivation "sigmoid", received ${JSON.stringify(options.recurrentActivation)}`);
  }
  if (layer.cell.name === 'gru' && options.resetAfter !== true) {
    fail(
      'resetAfter: true (PyTorch applies the reset gate after the recurrent product), received resetAfter: false',
    );
  }
}

/** One direction of one layer of a PyTorch `nn.RNN` / `LSTM` / `GRU`; `suffix` is `_l{k}` or `_l{k}_reverse`. */
export function recurrentBindings(layer: Layer, prefix: string, suffix: string): TorchWeightBinding[] {
  const gates = layer instanceof RNN ? GATES[layer.cell.name] : undefined;
  if (!(layer instanceof RNN) || gates === undefined) {
    throw new SeqmodelError(
      `${layer.describe()}: PyTorch's recurrent modules hold simpleRNN, lstm or gru cells, received ${layer instanceof RNN ? `the cell ${layer.cell.name}` : `a ${layer.className}`}`,
    );
  }
  checkTorchActivations(layer);
  const units = layer.units;
  const order = layer.cell.name === 'gru' ? [1, 0, 2] : undefined;
  const kernel = weightNamed(layer, 'kernel');
  const piece = (name: string, shape: readonly number[], transpose: boolean) => ({
    key: `${prefix}${name}${suffix}`,
    shape,
    transpose,
    ...(order === undefined ? {} : { order }),
  });
  const bindings: TorchWeightBinding[] = [
    { weight: kernel, pieces: [piece('weight_ih', [gates * units, kernel.shape[0]!], true)] },
    {
      weight: weightNamed(layer, 'recurrent_kernel'),
      pieces: [piece('weight_hh', [gates * units, units], true)],
    },
  ];
  const bias = layer.weights.find((w) => w.shortName === 'bias');
  if (bias !== undefined) {
    bindings.push({
      weight: bias,
      pieces: [piece('bias_ih', [gates * units], false), piece('bias_hh', [gates * units], false)],
      combine: layer.cell.name === 'gru' ? 'stack' : 'sum',
    });
  }
  return bindings;
}

/** Layer `k` of a PyTorch recurrent module: one direction, or both of a `Bidirectional`. */
function recurrentLayerBindings(layer: Layer, prefix: string, k: number): TorchWeightBinding[] {
  if (layer instanceof Bidirectional) {
    return [
      ...recurrentBindings(layer.forwardLayer, prefix, `_l${k}`),
      ...recurrentBindings(layer.backwardLayer, prefix, `_l${k}_reverse`),
    ];
  }
  return recurrentBindings(layer, prefix, `_l${k}`);
}

const recurrentMapping = (className: string): TorchLayerMapping =>
  ({
    className,
    torchWeights: (layer, prefix) => recurrentLayerBindings(layer, prefix, 0),
  }) as TorchLayerMapping;

const stackedMapping: TorchLayerMapping<Stacked> = {
  className: 'Stacked',
  torchWeights: (layer, prefix) =>
    layer.layers.flatMap((inner, k) => recurrentLayerBindings(inner, prefix, k)),
};

const BATCH_NORM_KEYS: Readonly<Record<string, string>> = {
  gamma: 'weight',
  beta: 'bias',
  moving_mean: 'running_mean',
  moving_variance: 'running_var',
};

const batchNormalizationMapping: TorchLayerMapping = {
  className: 'BatchNormalization',
  torchWeights: (layer, prefix) =>
    layer.weights.map((weight) => ({
      weight,
      pieces: [{ key: `${prefix}${BATCH_NORM_KEYS[weight.shortName]}`, shape: weight.shape }],
    })),
};

/** The built-in layers' PyTorch mappings, registered by `registry.ts`. */
export const builtInTorchLayers: readonly TorchLayerMapping[] = [
  denseMapping as unknown as TorchLayerMapping,
  embeddingMapping as unknown as TorchLayerMapping,
  recurrentMapping('RNN'),
  recurrentMapping('SimpleRNN'),
  recurrentMapping('LSTM'),
  recurrentMapping('GRU'),
  recurrentMapping('Bidirectional'),
  stackedMapping as unknown as TorchLayerMapping,
  batchNormalizationMapping,
];
