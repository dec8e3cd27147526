/**
 * Where each weight of a transformer block (or stack) sits in a PyTorch state dict, for loading and saving PyTorch
 * weights. The blocks use keras-hub's sublayer names; PyTorch's `nn.TransformerEncoderLayer` / `DecoderLayer` call
 * the same parts `self_attn`, `multihead_attn`, `norm1..3`, `linear1`, `linear2`, and its `nn.TransformerEncoder` /
 * `Decoder` number the layers (`layers.0.`) and call the final normalization `norm`. PyTorch's `nn.MultiheadAttention`
 * packs the query, key and value projections into one `in_proj_weight` `[3E, E]` (rows: query, key, value), and
 * `nn.Linear` stores `[out, in]` where a seqmodel kernel is `[in, out]`.
 */
import { SeqmodelError } from '@seqmodel/core';

/** keras-hub sublayer name → PyTorch module name, per block class. */
export const PYTORCH_BLOCK_NAMES: Readonly<
  Record<'TransformerEncoder' | 'TransformerDecoder', Readonly<Record<string, string>>>
> = {
  TransformerEncoder: {
    self_attention_layer: 'self_attn',
    self_attention_layer_norm: 'norm1',
    feedforward_layer_norm: 'norm2',
    feedforward_intermediate_dense: 'linear1',
    feedforward_output_dense: 'linear2',
  },
  TransformerDecoder: {
    self_attention: 'self_attn',
    self_attention_layer_norm: 'norm1',
    cross_attention: 'multihead_attn',
    cross_attention_layer_norm: 'norm2',
    feedforward_layer_norm: 'norm3',
    feedforward_intermediate_dense: 'linear1',
    feedforward_output_dense: 'linear2',
  },
};

/** Where one seqmodel weight is in a PyTorch state dict. */
export interface PytorchTensorRef {
  /** The state-dict key (`layers.0.self_attn.in_proj_weight`). */
  readonly key: string;
  /**
   * The rows of the PyTorch tensor that hold the weight (`[start, end)` along its first axis), when it holds several
   * (the packed query, key and value projections); absent: the whole tensor.
   */
  readonly rows?: readonly [number, number];
  /**
   * Whether the weight, flattened to two axes (`[E, H, d]` → `[E, H·d]`; `[H, d, E]` → `[H·d, E]`), is the
   * transpose of the PyTorch tensor (kernels of Linear and attention projections); else they are equal after
   * flattening (biases, layer normalization).
   */
  readonly transpose: boolean;
}

const PROJECTIONS = ['query', 'key', 'value'] as const;

/**
 * The PyTorch state-dict entry of a block weight, named by its path inside the block or stack
 * (`self_attention/query/kernel`, `layer_1/feedforward_output_dense/bias`, `norm/gamma`). `hiddenDim` is the model
 * size `E` (the packed projections' row blocks).
 *
 * @example
 * pytorchStateDictName('TransformerEncoder', 'layer_0/self_attention_layer/key/kernel', 64);
 * // { key: 'layers.0.self_attn.in_proj_weight', rows: [64, 128], transpose: true }
 */
export function pytorchStateDictName(
  blockClass: 'TransformerEncoder' | 'TransformerDecoder',
  weightPath: string,
  hiddenDim: number,
): PytorchTensorRef {
  const parts = weightPath.split('/');
  const fail = (): never => {
    throw new SeqmodelError(
      `pytorchStateDictName weightPath: expected a ${blockClass} weight path such as ${blockClass === 'TransformerEncoder' ? 'self_attention_layer' : 'self_attention'}/query/kernel (optionally under layer_<i>/), received ${JSON.stringify(weightPath)}`,
    );
  };
  let prefix = '';
  const layer = /^layer_(\d+)$/.exec(parts[0] ?? '');
  if (layer !== null) {
    prefix = `layers.${layer[1]}.`;
    parts.shift();
  } else if (parts[0] === 'norm' && parts.length === 2) {
    if (parts[1] === 'gamma') return { key: 'norm.weight', transpose: false };
    if (parts[1] === 'beta') return { key: 'norm.bias', transpose: false };
    return fail();
  }
  const module = PYTORCH_BLOCK_NAMES[blockClass][parts[0] ?? ''];
  if (module === undefined) return fail();
  const rest = parts.slice(1).join('/');
  if (module.startsWith('norm')) {
    if (rest === 'gamma') return { key: `${prefix}${module}.weight`, transpose: false };
    if (rest === 'beta') return { key: `${prefix}${module}.bias`, transpose: false };
    return fail();
  }
  if (module.startsWith('linear')) {
    if (rest === 'kernel') return { key: `${prefix}${module}.weight`, transpose: true };
    if (rest === 'bias') return { key: `${prefix}${module}.bias`, transpose: false };
    return fail();
  }
  if (rest === 'attention_output/kernel')
    return { key: `${prefix}${module}.out_proj.weight`, transpose: true };
  if (rest === 'attention_output/bias') return { key: `${prefix}${module}.out_proj.bias`, transpose: false };
  const [projection, kind] = parts.slice(1) as [string, string];
  const index = PROJECTIONS.indexOf(projection as (typeof PROJECTIONS)[number]);
  if (index < 0 || parts.length !== 3 || (kind !== 'kernel' && kind !== 'bias')) return fail();
  return {
    key: `${prefix}${module}.in_proj_${kind === 'kernel' ? 'weight' : 'bias'}`,
    rows: [index * hiddenDim, (index + 1) * hiddenDim],
    transpose: kind === 'kernel',
  };
}
