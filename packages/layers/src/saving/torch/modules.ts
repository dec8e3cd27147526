/**
 * Layers built as PyTorch's modules compute, with PyTorch's argument names (camelCase), so that their weights load
 * from the module's state dict: `torchLinear` (`nn.Linear`), `torchEmbedding` (`nn.Embedding`), `torchRNN`,
 * `torchLSTM`, `torchGRU` (`nn.RNN` / `nn.LSTM` / `nn.GRU` with `batch_first=True`: inputs are
 * `[batch, time, features]`, the output is the whole output sequence, PyTorch's `output`). Sizes of inputs come
 * from the data, as for every seqmodel layer; `inputSize` only sets the layer's `inputShape`.
 */
import {
  checkBoolean,
  checkNumberInRange,
  checkOneOf,
  checkPositiveInteger,
  invalidArgument,
  SeqmodelError,
} from '@seqmodel/core';
import { type BuildEnv, checkLayerOptions, type Layer, type LayerArgs } from '../../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../../engine/shape-spec.js';
import { BatchNormalization, type BatchNormalizationArgs } from '../../layers/batch-normalization.js';
import { bidirectional } from '../../layers/bidirectional.js';
import { type Dense, dense } from '../../layers/dense.js';
import { type Embedding, embedding } from '../../layers/embedding.js';
import { gru, lstm, type RNN, simpleRNN } from '../../layers/rnn.js';
import { stacked } from '../../layers/stacked.js';

const LAYER_KEYS = ['name', 'trainable', 'inputShape', 'batchSize', 'batchInputShape'];

export interface TorchLinearArgs extends LayerArgs {
  readonly outFeatures: number;
  /** Default true. */
  readonly bias?: boolean;
}

/** A `Dense` layer as `nn.Linear(in, outFeatures, bias)` (its weight `[out, in]` loads transposed). */
export function torchLinear(args: TorchLinearArgs): Dense {
  checkLayerOptions('torchLinear', args, [...LAYER_KEYS, 'outFeatures', 'bias']);
  const { outFeatures, bias, ...rest } = args;
  return dense({ ...rest, units: outFeatures, useBias: checkBoolean('torchLinear bias', bias ?? true) });
}

export interface TorchEmbeddingArgs extends LayerArgs {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
}

/** An `Embedding` layer as `nn.Embedding(numEmbeddings, embeddingDim)`. */
export function torchEmbedding(args: TorchEmbeddingArgs): Embedding {
  checkLayerOptions('torchEmbedding', args, [...LAYER_KEYS, 'numEmbeddings', 'embeddingDim']);
  const { numEmbeddings, embeddingDim, ...rest } = args;
  return embedding({ ...rest, inputDim: numEmbeddings, outputDim: embeddingDim });
}

/** A BatchNormalization that checks, when built, that the input's last axis has PyTorch's `num_features`. */
class TorchBatchNorm1d extends BatchNormalization {
  constructor(
    readonly numFeatures: number,
    args: BatchNormalizationArgs,
  ) {
    super(args);
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const last = shape[shape.length - 1];
    if (last !== null && last !== undefined && last !== this.numFeatures) {
      throw new SeqmodelError(
        `${this.describe()}: built for an input of shape ${formatShapeSpec(shape)}, whose last axis has ${last} features; torchBatchNorm1d numFeatures is ${this.numFeatures}`,
      );
    }
    super.onBuild(env, inputShapes);
  }
}

export interface TorchBatchNorm1dArgs extends LayerArgs {
  /** Features (channels): the size of the input's last axis, and of the state dict's tensors. */
  readonly numFeatures: number;
  /** Default 1e-5. */
  readonly eps?: number;
  /** Weight of the batch in the running averages, PyTorch's way round (default 0.1; Keras' momentum is 1 − this). */
  readonly momentum?: number;
  /** Learn `weight` and `bias` (default true). */
  readonly affine?: boolean;
}

/**
 * A `BatchNormalization` layer as `nn.BatchNorm1d(numFeatures, eps, momentum, affine)`, normalizing the last axis of
 * `[batch, time, features]` (PyTorch's module takes `[batch, features, time]`: transpose there, not here) or of
 * `[batch, features]`; as the first layer of a model, give `inputShape` (`[null, numFeatures]` or `[numFeatures]`)
 * or let the model learn it from data. Outputs match PyTorch's in training and in eval mode; the running variance
 * moves by the batch's population variance, where PyTorch's moves by the unbiased one (n / (n − 1) times it, n the
 * entries per feature).
 */
export function torchBatchNorm1d(args: TorchBatchNorm1dArgs): BatchNormalization {
  checkLayerOptions('torchBatchNorm1d', args, [...LAYER_KEYS, 'numFeatures', 'eps', 'momentum', 'affine']);
  const { numFeatures, eps, momentum, affine, ...rest } = args;
  if (momentum === null) {
    invalidArgument(
      'torchBatchNorm1d momentum',
      momentum,
      'a number in [0, 1] (the cumulative average of momentum=None is not supported)',
    );
  }
  const learned = checkBoolean('torchBatchNorm1d affine', affine ?? true);
  // numFeatures is checked against the input, given (`inputShape`) or learned, when the layer is built.
  const features = checkPositiveInteger('torchBatchNorm1d numFeatures', numFeatures);
  return new TorchBatchNorm1d(features, {
    ...rest,
    epsilon: eps ?? 1e-5,
    momentum: 1 - checkNumberInRange('torchBatchNorm1d momentum', momentum ?? 0.1, 0, 1),
    center: learned,
    scale: learned,
  });
}

export interface TorchRecurrentArgs extends Omit<LayerArgs, 'inputShape'> {
  /** Features per step; sets `inputShape: [null, inputSize]` (optional, as for any layer). */
  readonly inputSize?: number;
  readonly hiddenSize: number;
  /** Stacked layers (default 1): a `Stacked` layer when more than one. */
  readonly numLayers?: number;
  /** Default true. */
  readonly bias?: boolean;
  /** Run both ways and concatenate (default false): `Bidirectional` layers. */
  readonly bidirectional?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0; PyTorch's semantics). */
  readonly dropout?: number;
}

export interface TorchRNNArgs extends TorchRecurrentArgs {
  /** Default `tanh`. */
  readonly nonlinearity?: 'tanh' | 'relu';
}

type Kind = 'RNN' | 'LSTM' | 'GRU';

function torchRecurrent(kind: Kind, args: TorchRNNArgs): Layer {
  const what = `torch${kind}`;
  if (typeof args !== 'object' || args === null)
    invalidArgument(`${what}(options)`, args, 'an object with hiddenSize');
  const keys = [
    'name',
    'trainable',
    'batchSize',
    'inputSize',
    'hiddenSize',
    'numLayers',
    'bias',
    'bidirectional',
    'dropout',
  ];
  checkLayerOptions(what, args, kind === 'RNN' ? [...keys, 'nonlinearity'] : keys);
  const units = checkPositiveInteger(`${what} hiddenSize`, args.hiddenSize);
  const numLayers = checkPositiveInteger(`${what} numLayers`, args.numLayers ?? 1);
  const useBias = checkBoolean(`${what} bias`, args.bias ?? true);
  const both = checkBoolean(`${what} bidirectional`, args.bidirectional ?? false);
  const inputShape =
    args.inputSize === undefined
      ? {}
      : { inputShape: [null, checkPositiveInteger(`${what} inputSize`, args.inputSize)] };
  const outer = {
    ...(args.name === undefined ? {} : { name: args.name }),
    ...(args.trainable === undefined ? {} : { trainable: args.trainable }),
    ...(args.batchSize === undefined ? {} : { batchSize: args.batchSize }),
    ...inputShape,
  };
  const one = (layerArgs: Record<string, unknown>): RNN => {
    const common = { units, useBias, returnSequences: true, ...layerArgs };
    if (kind === 'LSTM') return lstm({ ...common, recurrentActivation: 'sigmoid' });
    if (kind === 'GRU') return gru({ ...common, recurrentActivation: 'sigmoid', resetAfter: true });
    const activation = checkOneOf(`${what} nonlinearity`, args.nonlinearity ?? 'tanh', ['tanh', 'relu']);
    return simpleRNN({ ...common, activation });
  };
  const direction = (layerArgs: Record<string, unknown>): Layer =>
    both ? bidirectional(one({}), { mergeMode: 'concat', ...layerArgs }) : one(layerArgs);
  if (numLayers === 1) return direction(outer);
  return stacked(
    Array.from({ length: numLayers }, () => direction({})),
    { ...outer, dropout: args.dropout ?? 0, returnSequences: true },
  );
}

/**
 * `nn.RNN(inputSize, hiddenSize, numLayers, nonlinearity, bias, batch_first=True, dropout, bidirectional)`.
 *
 * @example
 * const rnn = torchRNN({ inputSize: 3, hiddenSize: 4, numLayers: 2 }); // keys weight_ih_l0, ..., bias_hh_l1
 */
export function torchRNN(args: TorchRNNArgs): Layer {
  return torchRecurrent('RNN', args);
}

/** `nn.LSTM(inputSize, hiddenSize, numLayers, bias, batch_first=True, dropout, bidirectional)`. */
export function torchLSTM(args: TorchRecurrentArgs): Layer {
  return torchRecurrent('LSTM', args);
}

/** `nn.GRU(inputSize, hiddenSize, numLayers, bias, batch_first=True, dropout, bidirectional)` (`resetAfter: true`). */
export function torchGRU(args: TorchRecurrentArgs): Layer {
  return torchRecurrent('GRU', args);
}
