/**
 * PyTorch state-dict names of this package's layers, registered with `@seqmodel/layers`' `registerTorchLayer`:
 * - `nn.MultiheadAttention` ↔ `MultiHeadAttention`: the query, key and value kernels `[E, heads, headDim]` are the
 *   row blocks of `in_proj_weight` `[3E, E]`, transposed; their biases the blocks of `in_proj_bias`; the output
 *   kernel `[heads, headDim, E]` is `out_proj.weight` transposed. PyTorch packs them only when query, key and value
 *   have the model size `E = heads · headDim`, which is what this mapping takes.
 * - `nn.LayerNorm` ↔ `LayerNormalization`: `weight` is `gamma`, `bias` is `beta`.
 * - `nn.TransformerEncoderLayer` / `DecoderLayer` ↔ the `TransformerEncoder` / `TransformerDecoder` blocks, and
 *   `nn.TransformerEncoder` / `Decoder` (with `norm`) ↔ the stacks: names from `pytorchStateDictName`.
 */
import { SeqmodelError } from '@seqmodel/core';
import type { Layer, LayerWeight, TorchLayerMapping, TorchPiece, TorchWeightBinding } from '@seqmodel/layers';
import { type PytorchTensorRef, pytorchStateDictName } from '../blocks/pytorch-names.js';
import type { TransformerBlock } from '../blocks/transformer-block.js';
import type { TransformerDecoderStack } from '../blocks/transformer-decoder-stack.js';
import type { TransformerEncoderStack } from '../blocks/transformer-encoder-stack.js';
import type { MultiHeadAttention } from '../layers/multi-head-attention.js';

/** The piece of a weight that `ref` locates, with the whole PyTorch tensor's shape (`E` is the model size). */
function pieceOf(weight: LayerWeight, ref: PytorchTensorRef, prefix: string, hidden: number): TorchPiece {
  const key = `${prefix}${ref.key}`;
  if (ref.rows !== undefined) {
    return {
      key,
      shape: ref.transpose ? [3 * hidden, hidden] : [3 * hidden],
      rows: ref.rows,
      transpose: ref.transpose,
    };
  }
  if (!ref.transpose) return { key, shape: [weight.size] };
  // A kernel `[in..., out...]` is `nn.Linear`'s `[out, in]` transposed; the output projection has two input axes.
  const inputs = weight.name.endsWith('attention_output/kernel')
    ? weight.shape[0]! * weight.shape[1]!
    : weight.shape[0]!;
  return { key, shape: [weight.size / inputs, inputs], transpose: true };
}

/** PyTorch packs the projections only for `E = heads · headDim` (its `embed_dim % num_heads == 0`). */
function checkPacked(layer: Layer, hidden: number, heads: number, headDim: number): void {
  if (heads * headDim !== hidden) {
    throw new SeqmodelError(
      `${layer.describe()}: PyTorch weights need a model size equal to numHeads × head size (embed_dim divisible by num_heads), received model size ${hidden} with ${heads} heads of ${headDim}`,
    );
  }
}

function multiHeadAttentionBindings(layer: MultiHeadAttention, prefix: string): TorchWeightBinding[] {
  const weights = layer.weights;
  const byName = (short: string) => weights.find((w) => w.shortName === short);
  const [hidden, heads, headDim] = byName('query/kernel')!.shape as [number, number, number];
  checkPacked(layer, hidden, heads, headDim);
  const mismatched = ['key/kernel', 'value/kernel', 'attention_output/kernel'].filter((name) => {
    const shape = byName(name)!.shape;
    return name === 'attention_output/kernel'
      ? shape[0] !== heads || shape[1] !== headDim || shape[2] !== hidden
      : shape[0] !== hidden || shape[1] !== heads || shape[2] !== headDim;
  });
  if (mismatched.length > 0 || layer.numKeyValueHeads !== layer.numHeads) {
    throw new SeqmodelError(
      `${layer.describe()}: PyTorch's packed in_proj_weight needs query, key, value and output of size ${hidden} and as many key/value heads as heads (nn.MultiheadAttention without kdim/vdim); ${mismatched.length > 0 ? `${mismatched.join(', ')} differ` : `numKeyValueHeads is ${layer.numKeyValueHeads}`}`,
    );
  }
  return weights.map((weight) => {
    // The path a block gives its self-attention, so that the block's naming serves the bare layer too.
    const ref = pytorchStateDictName(
      'TransformerEncoder',
      `self_attention_layer/${weight.shortName}`,
      hidden,
    );
    const key = ref.key.slice('self_attn.'.length);
    return { weight, pieces: [pieceOf(weight, { ...ref, key }, prefix, hidden)] };
  });
}

function blockBindings(
  layer: TransformerBlock | TransformerEncoderStack | TransformerDecoderStack,
  prefix: string,
) {
  const kind = layer.className.startsWith('TransformerDecoder') ? 'TransformerDecoder' : 'TransformerEncoder';
  const weights = layer.weights;
  const query = weights.find((w) => w.name.endsWith('/query/kernel'))!;
  const [hidden, heads, headDim] = query.shape as [number, number, number];
  checkPacked(layer, hidden, heads, headDim);
  return weights.map((weight) => ({
    weight,
    pieces: [
      pieceOf(
        weight,
        pytorchStateDictName(kind, weight.name.slice(layer.path.length + 1), hidden),
        prefix,
        hidden,
      ),
    ],
  }));
}

const layerNormalizationMapping: TorchLayerMapping = {
  className: 'LayerNormalization',
  torchWeights: (layer, prefix) =>
    layer.weights.map((weight) => {
      if (weight.shortName !== 'gamma' && weight.shortName !== 'beta') {
        throw new SeqmodelError(`${layer.describe()}: no PyTorch name for the weight ${weight.shortName}`);
      }
      const key = `${prefix}${weight.shortName === 'gamma' ? 'weight' : 'bias'}`;
      return { weight, pieces: [{ key, shape: weight.shape }] };
    }),
};

/** This package's PyTorch mappings (registered in `register.ts`). */
export const attentionTorchLayers: readonly TorchLayerMapping[] = [
  {
    className: 'MultiHeadAttention',
    torchWeights: multiHeadAttentionBindings,
  } as unknown as TorchLayerMapping,
  layerNormalizationMapping,
  ...['TransformerEncoder', 'TransformerDecoder', 'TransformerEncoderStack', 'TransformerDecoderStack'].map(
    (className) => ({ className, torchWeights: blockBindings }) as unknown as TorchLayerMapping,
  ),
];
