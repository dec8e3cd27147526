/**
 * Layers built as PyTorch's attention modules compute, with PyTorch's argument names (camelCase), so that the
 * module's state dict loads into them (`loadTorchWeights` from `@seqmodel/layers`):
 * `torchMultiheadAttention` (`nn.MultiheadAttention`, `batch_first=True`), `torchLayerNorm` (`nn.LayerNorm`, eps
 * 1e-5), `torchTransformerEncoderLayer` / `torchTransformerDecoderLayer` (`nn.TransformerEncoderLayer` /
 * `DecoderLayer`, `batch_first=True`), `torchTransformerEncoder` / `torchTransformerDecoder` (`nn.TransformerEncoder`
 * / `Decoder`, optionally with the final `norm`). Model sizes come from the inputs.
 *
 * Differences to know: the decoder block always masks its self-attention causally (PyTorch's decoder layer does when
 * called with `tgt_mask` = the causal mask, as a language model does); dropout defaults to 0 here (PyTorch's 0.1), and
 * PyTorch's dropout after the feed-forward activation has no counterpart; `activation` is one of PyTorch's two
 * names, `relu` or `gelu` (the exact, erf-based GELU, as `F.gelu`).
 */
import {
  checkBoolean,
  checkOneOf,
  checkOptions,
  checkPositiveInteger,
  invalidArgument,
  SeqmodelError,
} from '@seqmodel/core';
import type { LayerArgs } from '@seqmodel/layers';
import type { TransformerBlockArgs } from '../blocks/transformer-block.js';
import {
  type TransformerDecoderBlock,
  transformerDecoderBlock,
} from '../blocks/transformer-decoder-block.js';
import {
  type TransformerDecoderStack,
  transformerDecoderStack,
} from '../blocks/transformer-decoder-stack.js';
import {
  type TransformerEncoderBlock,
  transformerEncoderBlock,
} from '../blocks/transformer-encoder-block.js';
import {
  type TransformerEncoderStack,
  transformerEncoderStack,
} from '../blocks/transformer-encoder-stack.js';
import { type LayerNormalization, layerNormalization } from '../layers/layer-normalization.js';
import { type MultiHeadAttention, multiHeadAttention } from '../layers/multi-head-attention.js';

const LAYER_KEYS = ['name', 'trainable', 'inputShape', 'batchSize', 'batchInputShape'];

/** Checks that `args` is an object of known options (`known` and every layer's). */
function checkLayerOptions(what: string, args: unknown, known: readonly string[]): void {
  if (typeof args !== 'object' || args === null) invalidArgument(`${what}(options)`, args, 'an object');
  checkOptions(`${what} options`, args, [...LAYER_KEYS, ...known]);
}

export interface TorchMultiheadAttentionArgs extends LayerArgs {
  readonly embedDim: number;
  readonly numHeads: number;
  /** Default true. */
  readonly bias?: boolean;
  /** Dropout on the attention weights in training (default 0). */
  readonly dropout?: number;
}

/**
 * `nn.MultiheadAttention(embedDim, numHeads, dropout, bias, batch_first=True)`: call it on `[query, value]` (or
 * `[query, value, key]`) as every seqmodel attention layer; PyTorch's `(query, key, value)` with key = value is
 * `[query, value]`.
 */
export function torchMultiheadAttention(args: TorchMultiheadAttentionArgs): MultiHeadAttention {
  checkLayerOptions('torchMultiheadAttention', args, ['embedDim', 'numHeads', 'bias', 'dropout']);
  const { embedDim, numHeads, bias, dropout, ...rest } = args;
  checkPositiveInteger('torchMultiheadAttention embedDim', embedDim);
  checkPositiveInteger('torchMultiheadAttention numHeads', numHeads);
  if (embedDim % numHeads !== 0) {
    throw new SeqmodelError(
      `torchMultiheadAttention embedDim: expected a multiple of numHeads (${numHeads}), received ${embedDim}`,
    );
  }
  return multiHeadAttention({
    ...rest,
    numHeads,
    keyDim: embedDim / numHeads,
    useBias: checkBoolean('torchMultiheadAttention bias', bias ?? true),
    dropout: dropout ?? 0,
  });
}

export interface TorchLayerNormArgs extends LayerArgs {
  /** The size of the last axis (PyTorch's `normalized_shape` of one axis). */
  readonly normalizedShape: number | readonly [number];
  /** Default 1e-5. */
  readonly eps?: number;
  /** Learned `weight` and `bias` (default true). */
  readonly elementwiseAffine?: boolean;
}

/** `nn.LayerNorm(normalizedShape, eps=1e-5)` over the last axis. */
export function torchLayerNorm(args: TorchLayerNormArgs): LayerNormalization {
  checkLayerOptions('torchLayerNorm', args, ['normalizedShape', 'eps', 'elementwiseAffine']);
  const { normalizedShape, eps, elementwiseAffine, ...rest } = args;
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length !== 1) {
    invalidArgument(
      'torchLayerNorm normalizedShape',
      normalizedShape,
      'the size of the last axis (one axis)',
    );
  }
  checkPositiveInteger('torchLayerNorm normalizedShape', shape[0]);
  const affine = checkBoolean('torchLayerNorm elementwiseAffine', elementwiseAffine ?? true);
  return layerNormalization({ ...rest, epsilon: eps ?? 1e-5, center: affine, scale: affine });
}

export interface TorchTransformerLayerArgs extends LayerArgs {
  readonly nhead: number;
  /** Default 2048, as PyTorch. */
  readonly dimFeedforward?: number;
  /** Default 0 (PyTorch's is 0.1; see the module notes). */
  readonly dropout?: number;
  /** `relu` (PyTorch's default) or `gelu` (exact, `F.gelu` with `approximate='none'`). */
  readonly activation?: 'relu' | 'gelu';
  /** Default 1e-5. */
  readonly layerNormEps?: number;
  /** Pre-norm (default false). */
  readonly normFirst?: boolean;
}

const TRANSFORMER_KEYS = ['nhead', 'dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'normFirst'];

function blockArgs(what: string, args: TorchTransformerLayerArgs): TransformerBlockArgs {
  if (typeof args !== 'object' || args === null)
    invalidArgument(`${what}(options)`, args, 'an object with nhead');
  const { nhead, dimFeedforward, dropout, activation, layerNormEps, normFirst, ...rest } =
    args as TorchTransformerLayerArgs & {
      numLayers?: unknown;
      norm?: unknown;
    };
  const { numLayers: _n, norm: _m, ...layerArgs } = rest as Record<string, unknown>;
  return {
    ...(layerArgs as LayerArgs),
    numHeads: nhead,
    intermediateDim: dimFeedforward ?? 2048,
    dropout: dropout ?? 0,
    activation: checkOneOf(`${what} activation`, activation ?? 'relu', ['relu', 'gelu'] as const),
    layerNormEpsilon: layerNormEps ?? 1e-5,
    normalizeFirst: normFirst ?? false,
  };
}

/** `nn.TransformerEncoderLayer(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batch_first=True, normFirst)`. */
export function torchTransformerEncoderLayer(args: TorchTransformerLayerArgs): TransformerEncoderBlock {
  checkLayerOptions('torchTransformerEncoderLayer', args, TRANSFORMER_KEYS);
  return transformerEncoderBlock(blockArgs('torchTransformerEncoderLayer', args));
}

/** `nn.TransformerDecoderLayer(...)` called with the causal `tgt_mask`; apply it to `[target, memory]`. */
export function torchTransformerDecoderLayer(args: TorchTransformerLayerArgs): TransformerDecoderBlock {
  checkLayerOptions('torchTransformerDecoderLayer', args, TRANSFORMER_KEYS);
  return transformerDecoderBlock(blockArgs('torchTransformerDecoderLayer', args));
}

export interface TorchTransformerStackArgs extends TorchTransformerLayerArgs {
  readonly numLayers: number;
  /** A final `nn.LayerNorm` (PyTorch's `norm=`; default false). */
  readonly norm?: boolean;
}

function stackArgs(what: string, args: TorchTransformerStackArgs) {
  checkLayerOptions(what, args, [...TRANSFORMER_KEYS, 'numLayers', 'norm']);
  return {
    ...blockArgs(what, args),
    numLayers: checkPositiveInteger(`${what} numLayers`, args.numLayers),
    finalNormalization: checkBoolean(`${what} norm`, args.norm ?? false),
  };
}

/** `nn.TransformerEncoder(encoderLayer, numLayers, norm)`: keys `layers.0.self_attn.in_proj_weight`, ..., `norm.weight`. */
export function torchTransformerEncoder(args: TorchTransformerStackArgs): TransformerEncoderStack {
  return transformerEncoderStack(stackArgs('torchTransformerEncoder', args));
}

/** `nn.TransformerDecoder(decoderLayer, numLayers, norm)` called with the causal `tgt_mask`. */
export function torchTransformerDecoder(args: TorchTransformerStackArgs): TransformerDecoderStack {
  return transformerDecoderStack(stackArgs('torchTransformerDecoder', args));
}
