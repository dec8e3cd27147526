/**
 * Attention masks: which keys each query may attend to, as float32 tensors holding 1 (attend) or 0 (masked). Keras
 * combines the masks of one attention call with a logical AND (`MultiHeadAttention._compute_attention_mask`): the
 * query's padding mask `[batch, Tq]` (as `[batch, Tq, 1]`), the value's and key's `[batch, Tk]` (as `[batch, 1, Tk]`),
 * the causal mask `[Tq, Tk]` and an explicit attention mask `[batch, Tq, Tk]`. Here the AND is a product of 0/1
 * tensors, and the causal mask is made host-side from the two lengths (and a cache offset).
 */
import { type Backend, formatShape, invalidArgument, SeqmodelError } from '@seqmodel/core';

/**
 * The causal mask `[queryLength, keyLength]`: query `i` may attend to key `j` when `j <= i + queryOffset`. Offset 0
 * is the top-left alignment of Keras' `use_causal_mask` and PyTorch's `is_causal`; a decoder step whose key/value
 * cache holds `past` earlier steps passes `queryOffset = past` (= `keyLength - queryLength`: lower-right aligned).
 */
export function causalMask<T>(
  backend: Backend<T>,
  queryLength: number,
  keyLength: number,
  queryOffset = 0,
): T {
  if (!Number.isInteger(queryOffset) || queryOffset < 0) {
    invalidArgument('causal queryOffset', queryOffset, 'a non-negative integer');
  }
  const values = new Float32Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++) {
    values.fill(1, i * keyLength, i * keyLength + Math.min(keyLength, i + queryOffset + 1));
  }
  return backend.tensor(values, [queryLength, keyLength]);
}

/** The masks of one attention call, each optional. */
export interface AttentionMasks<T> {
  /** `[batch, Tq]`: padded query steps (Keras' `query_mask`); their rows are fully masked. */
  readonly queryMask?: T | undefined;
  /** `[batch, Tk]`: padded keys (Keras' `value_mask`). */
  readonly valueMask?: T | undefined;
  /** `[batch, Tk]`: padded keys, when the key has a mask of its own (Keras' `key_mask`). */
  readonly keyMask?: T | undefined;
  /** `[batch, Tq, Tk]` or `[Tq, Tk]`: an explicit boolean mask, 1 where attention is allowed. */
  readonly attentionMask?: T | undefined;
}

function checkMaskShape<T>(
  backend: Backend<T>,
  argument: string,
  mask: T,
  expected: readonly number[],
): void {
  if (!backend.isTensor(mask)) invalidArgument(argument, mask, `a tensor ${formatShape(expected)}`);
  const shape = backend.shape(mask);
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    throw new SeqmodelError(
      `${argument}: expected shape ${formatShape(expected)}, received shape ${formatShape(shape)}`,
    );
  }
}

/**
 * The padding and explicit masks of one call combined as Keras does (logical AND), as a `[batch, Tq, Tk]` 0/1 tensor,
 * or undefined when none is given. The causal mask is left to `scaledDotProductAttention` (`causal`), which can skip
 * the work it masks. Each mask's shape is checked against `batch`, `queryLength` and `keyLength`; errors name it.
 */
export function combineAttentionMasks<T>(
  backend: Backend<T>,
  masks: AttentionMasks<T>,
  sizes: { readonly batch: number; readonly queryLength: number; readonly keyLength: number },
): T | undefined {
  const { batch, queryLength: tq, keyLength: tk } = sizes;
  const parts: T[] = [];
  if (masks.queryMask !== undefined) {
    checkMaskShape(backend, 'queryMask', masks.queryMask, [batch, tq]);
    parts.push(backend.reshape(masks.queryMask, [batch, tq, 1]));
  }
  for (const name of ['valueMask', 'keyMask'] as const) {
    const mask = masks[name];
    if (mask === undefined) continue;
    checkMaskShape(backend, name, mask, [batch, tk]);
    parts.push(backend.reshape(mask, [batch, 1, tk]));
  }
  if (masks.attentionMask !== undefined) {
    const rank = backend.isTensor(masks.attentionMask) ? backend.shape(masks.attentionMask).length : 3;
    checkMaskShape(backend, 'attentionMask', masks.attentionMask, rank === 2 ? [tq, tk] : [batch, tq, tk]);
    parts.push(masks.attentionMask);
  }
  if (parts.length === 0) return undefined;
  // A 0/1 product is the AND; nonzero entries of a caller's mask count as true, as Keras casts masks to bool.
  const product = parts.map((m) => backend.greater(m, 0)).reduce((a, m) => backend.mul(a, m));
  return backend.mul(product, backend.fill([batch, tq, tk], 1));
}
