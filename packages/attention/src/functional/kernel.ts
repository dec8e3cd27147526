/**
 * The `attention` / `scaledDotProduct` fused-kernel contract: what `scaledDotProductAttention` hands to a backend's
 * kernel (registered with core's `registerKernel({ backend, kind: 'attention', name: 'scaledDotProduct', kernel })`)
 * and what the kernel must give back. The generic path in `scaled-dot-product.ts` is the reference every kernel is
 * compared with, forward and gradients: `attentionKernelChecks` (`@seqmodel/attention/testing`) runs that comparison on
 * a backend. `@seqmodel/attention/kernels` has one such kernel, FlashAttention on cpu and wasm (host memory) and as WGSL programs
 * on webgpu.
 *
 * What a kernel computes, per batch entry `b` and query head `h` (key/value head `g = floor(h / (H / Hk))`):
 *
 *   S = scale · Q[b, h] · K[b, g]ᵀ                                   [Tq, Tk]
 *   M = mask[b, h] ∧ causal                                          [Tq, Tk] (absent parts are all true)
 *   W = where(M, softmax_k(where(M, S, FILL)), 0)                    FILL = -1e9, finite on purpose
 *   O = (W ⊙ dropoutKeep[b, h]) · V[b, g]                            [Tq, dv]
 *
 * so a masked key gets exactly zero weight, and a query row whose keys are all masked gets zero weights and a zero
 * output (as Keras 3's `Softmax` with a mask and PyTorch's scaled dot-product attention give), never NaN and never a
 * uniform row. `causal` keeps key `j` for query `i` when `j <= i + queryOffset` (top-left aligned at offset 0; a
 * decoder whose key/value cache holds `Tk - Tq` earlier steps passes that, aligning it to the lower right).
 *
 * Gradients: under the backend's `valueAndGrads`, a kernel must be differentiable with respect to `query`, `key` and
 * `value` (not `mask` or `dropoutKeep`, which are constants) and give the generic path's gradients: with
 * `P = W ⊙ keep`, `dV = Pᵀ·dO`, `dP = dO·Vᵀ`, `dW = dP ⊙ keep`, `dS = W ⊙ (dW − rowsum(dW ⊙ W))` (zero where `M` is
 * false), `dQ = scale · dS·K`, `dK = scale · dSᵀ·Q`, summed over the query heads that share a key/value head. When
 * `returnWeights` is true the weights `W` (before dropout) are returned as well, and a gradient flowing into them
 * is added to `dW`. A kernel that cannot honour an argument (weights asked for, dropout, grouped heads, a mask of a
 * shape it does not read) declines in `supports` with the reason; the generic path then runs.
 */
import type { FusedKernel } from '@seqmodel/core';

/** The kernel kind and name `scaledDotProductAttention` looks up with core's `selectKernel`. */
export const SCALED_DOT_PRODUCT_KERNEL = { kind: 'attention', name: 'scaledDotProduct' } as const;

/** The fill value masked scores get before the softmax: finite, so a fully masked row cannot turn into NaN. */
export const MASKED_SCORE = -1e9;

/** What a `scaledDotProduct` kernel receives (shapes already checked, masks already combined). */
export interface ScaledDotProductKernelArgs<T> {
  /** `[batch, heads, queryLength, depth]`. */
  readonly query: T;
  /** `[batch, keyHeads, keyLength, depth]`; `heads` is a multiple of `keyHeads` (grouped-query attention). */
  readonly key: T;
  /** `[batch, keyHeads, keyLength, valueDepth]`. */
  readonly value: T;
  /**
   * 1 where a query may attend to a key, 0 where not (float32), rank 4, broadcastable to
   * `[batch, heads, queryLength, keyLength]` (axes of size 1 are broadcast); absent when nothing is masked besides
   * `causal`. Padding masks, explicit masks and Keras' query masks are folded into it; the causal mask is not (so a
   * kernel can skip whole blocks above the diagonal).
   */
  readonly mask: T | undefined;
  readonly causal: boolean;
  /** Position of query 0 among the keys, for `causal` (0: top-left aligned). */
  readonly queryOffset: number;
  /** The factor on `Q·Kᵀ`. */
  readonly scale: number;
  /**
   * Inverted-dropout factors on the weights, `[batch, heads, queryLength, keyLength]`: 0 (dropped) or
   * `1 / (1 - rate)`; absent outside training or at rate 0.
   */
  readonly dropoutKeep: T | undefined;
  /** Return the attention weights as well. */
  readonly returnWeights: boolean;
}

/** What a `scaledDotProduct` kernel returns: new tensors, owned by the caller. */
export interface ScaledDotProductKernelResult<T> {
  /** `[batch, heads, queryLength, valueDepth]`. */
  readonly output: T;
  /** `[batch, heads, queryLength, keyLength]`, when `returnWeights` was asked for. */
  readonly weights?: T;
}

/** A fused scaled dot-product attention kernel. */
export type ScaledDotProductKernel<T> = FusedKernel<
  ScaledDotProductKernelArgs<T>,
  ScaledDotProductKernelResult<T>
>;
