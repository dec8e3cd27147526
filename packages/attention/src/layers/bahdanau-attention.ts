/**
 * Bahdanau (additive) attention for recurrent encoder-decoders (Bahdanau, Cho & Bengio, 2015), as in TensorFlow's
 * NMT tutorial: each encoder output `h_j` is scored against the decoder state `s` by
 *
 *   score(s, h_j) = vᵀ · tanh(W1·h_j + W2·s + b)
 *
 * and the context is the softmax-weighted sum of the encoder outputs. Weights: `query_kernel` W2 `[dq, units]`,
 * `key_kernel` W1 `[dk, units]`, `bias` b `[units]` (with `useBias`), `score_kernel` v `[units]`. Inputs and outputs
 * as every encoder-decoder attention here (`encoder-decoder-attention.ts`): `[state or states, encoder outputs]` →
 * context (and weights).
 */
import { batchMatMul, checkBoolean, checkPositiveInteger } from '@seqmodel/core';
import type { BuildEnv, CallContext, LayerWeight, ShapeSpec } from '@seqmodel/layers';
import { attendScores } from './attention.js';
import { EncoderDecoderAttention, type EncoderDecoderAttentionArgs } from './encoder-decoder-attention.js';

export interface BahdanauAttentionArgs extends EncoderDecoderAttentionArgs {
  /** Size of the hidden layer the scores are computed in. */
  readonly units: number;
  /** Add the bias `b` inside the tanh (default true, as the tutorial's Dense layers do). */
  readonly useBias?: boolean;
}

export class BahdanauAttention extends EncoderDecoderAttention {
  readonly className = 'BahdanauAttention';
  readonly units: number;
  readonly useBias: boolean;
  private weightsOf:
    | { query: LayerWeight; key: LayerWeight; bias?: LayerWeight; score: LayerWeight }
    | undefined;

  constructor(args: BahdanauAttentionArgs) {
    super(args, 'bahdanauAttention');
    this.units = checkPositiveInteger('bahdanauAttention units', args.units);
    this.useBias = checkBoolean('bahdanauAttention useBias', args.useBias ?? true);
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const sizes = this.sizes(inputShapes);
    const init = this.kernelInitializer;
    this.weightsOf = {
      query: this.addWeight(env, {
        name: 'query_kernel',
        shape: [sizes.query, this.units],
        initializer: init,
      }),
      key: this.addWeight(env, { name: 'key_kernel', shape: [sizes.value, this.units], initializer: init }),
      ...(this.useBias
        ? { bias: this.addWeight(env, { name: 'bias', shape: [this.units], initializer: 'zeros' }) }
        : {}),
      score: this.addWeight(env, { name: 'score_kernel', shape: [this.units], initializer: init }),
    };
  }

  protected attend<T>(
    ctx: CallContext<T>,
    query: T,
    values: T,
    mask: T | undefined,
  ): { output: T; weights: T } {
    const b = ctx.backend;
    const w = this.weightsOf!;
    const [batch, tq] = b.shape(query) as [number, number];
    const tk = b.shape(values)[1]!;
    let q = batchMatMul(b, query, ctx.read(w.query));
    if (w.bias !== undefined) q = b.add(q, ctx.read(w.bias));
    const k = batchMatMul(b, values, ctx.read(w.key));
    const hidden = b.tanh(
      b.add(b.reshape(q, [batch, tq, 1, this.units]), b.reshape(k, [batch, 1, tk, this.units])),
    );
    const scores = b.sum(b.mul(hidden, ctx.read(w.score)), -1);
    return attendScores(
      b,
      scores,
      values,
      mask === undefined ? undefined : b.reshape(mask, [batch, 1, tk]),
      undefined,
    );
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, useBias: this.useBias };
  }

  static fromConfig(config: Record<string, unknown>): BahdanauAttention {
    return new BahdanauAttention(config as unknown as BahdanauAttentionArgs);
  }
}

/**
 * Bahdanau attention for a recurrent decoder: `[decoder state(s), encoder outputs]` → context.
 *
 * @example
 * // One decoder step inside a loop: state [batch, 32], encoder outputs [batch, T, 64].
 * const [context, weights] = bahdanauAttention({ units: 16, returnAttentionScores: true }).apply([state, encoded]);
 */
export function bahdanauAttention(args: BahdanauAttentionArgs): BahdanauAttention {
  return new BahdanauAttention(args);
}
