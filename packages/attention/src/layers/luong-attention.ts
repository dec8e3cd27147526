/**
 * Luong attention for recurrent encoder-decoders (Luong, Pham & Manning, 2015), with the paper's three scores of the
 * decoder state `s` against each encoder output `h_j`:
 *
 *   dot:     sᵀ·h_j                        (state and encoder outputs of one size)
 *   general: sᵀ·Wa·h_j                     `kernel` Wa `[dq, dk]`
 *   concat:  vᵀ·tanh(Wa·[s; h_j])          `query_kernel` `[dq, units]` and `key_kernel` `[dk, units]` (Wa split),
 *                                          `score_kernel` v `[units]`
 *
 * and the context as the softmax-weighted sum of the encoder outputs (the attentional state `tanh(Wc·[c; s])` of the
 * paper is a `dense` layer on the concatenation, left to the model). Dot and general scores go through
 * `scaledDotProductAttention` (one head, scale 1), so a backend's fused kernel may run them. Inputs and outputs as
 * every encoder-decoder attention here (`encoder-decoder-attention.ts`).
 */
import {
  batchMatMul,
  checkOneOf,
  checkPositiveInteger,
  invalidArgument,
  SeqmodelError,
} from '@seqmodel/core';
import type { BuildEnv, CallContext, LayerWeight, ShapeSpec } from '@seqmodel/layers';
import { scaledDotProductAttention } from '../functional/scaled-dot-product.js';
import { attendScores } from './attention.js';
import { EncoderDecoderAttention, type EncoderDecoderAttentionArgs } from './encoder-decoder-attention.js';

export interface LuongAttentionArgs extends EncoderDecoderAttentionArgs {
  /** `dot` (default), `general` or `concat`. */
  readonly scoreMode?: 'dot' | 'general' | 'concat';
  /** Hidden size of the `concat` score (required there, not allowed otherwise). */
  readonly units?: number;
}

export class LuongAttention extends EncoderDecoderAttention {
  readonly className = 'LuongAttention';
  readonly scoreMode: 'dot' | 'general' | 'concat';
  readonly units: number | undefined;
  private kernels: Record<string, LayerWeight> = {};

  constructor(args: LuongAttentionArgs = {}) {
    super(args, 'luongAttention');
    this.scoreMode = checkOneOf('luongAttention scoreMode', args.scoreMode ?? 'dot', [
      'dot',
      'general',
      'concat',
    ]);
    if (this.scoreMode === 'concat') this.units = checkPositiveInteger('luongAttention units', args.units);
    else if (args.units !== undefined) {
      invalidArgument(
        'luongAttention units',
        args.units,
        `nothing for scoreMode "${this.scoreMode}" (only concat has units)`,
      );
    } else this.units = undefined;
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const sizes = this.sizes(inputShapes);
    const init = this.kernelInitializer;
    if (this.scoreMode === 'dot' && sizes.query !== sizes.value) {
      throw new SeqmodelError(
        `${this.describe()} value: expected the query's feature size ${sizes.query} for dot scores (use scoreMode "general" to compare sizes ${sizes.query} and ${sizes.value}), received shape [${inputShapes[1]!.join(', ')}]`,
      );
    }
    if (this.scoreMode === 'general') {
      this.kernels.kernel = this.addWeight(env, {
        name: 'kernel',
        shape: [sizes.query, sizes.value],
        initializer: init,
      });
    } else if (this.scoreMode === 'concat') {
      const units = this.units!;
      this.kernels.query = this.addWeight(env, {
        name: 'query_kernel',
        shape: [sizes.query, units],
        initializer: init,
      });
      this.kernels.key = this.addWeight(env, {
        name: 'key_kernel',
        shape: [sizes.value, units],
        initializer: init,
      });
      this.kernels.score = this.addWeight(env, { name: 'score_kernel', shape: [units], initializer: init });
    }
  }

  protected attend<T>(
    ctx: CallContext<T>,
    query: T,
    values: T,
    mask: T | undefined,
  ): { output: T; weights: T } {
    const b = ctx.backend;
    const [batch, tq] = b.shape(query) as [number, number];
    const [, tk, dk] = b.shape(values) as [number, number, number];
    if (this.scoreMode === 'concat') {
      const units = this.units!;
      const q = b.reshape(batchMatMul(b, query, ctx.read(this.kernels.query!)), [batch, tq, 1, units]);
      const k = b.reshape(batchMatMul(b, values, ctx.read(this.kernels.key!)), [batch, 1, tk, units]);
      const scores = b.sum(b.mul(b.tanh(b.add(q, k)), ctx.read(this.kernels.score!)), -1);
      return attendScores(
        b,
        scores,
        values,
        mask === undefined ? undefined : b.reshape(mask, [batch, 1, tk]),
        undefined,
      );
    }
    const q = this.scoreMode === 'general' ? batchMatMul(b, query, ctx.read(this.kernels.kernel!)) : query;
    const r = scaledDotProductAttention(b, {
      query: b.reshape(q, [batch, 1, tq, dk]),
      key: b.reshape(values, [batch, 1, tk, dk]),
      value: b.reshape(values, [batch, 1, tk, dk]),
      mask,
      scale: 1,
      returnWeights: true,
    });
    return { output: r.output, weights: r.weights! };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      scoreMode: this.scoreMode,
      ...(this.units === undefined ? {} : { units: this.units }),
    };
  }

  static fromConfig(config: Record<string, unknown>): LuongAttention {
    return new LuongAttention(config as LuongAttentionArgs);
  }
}

/**
 * Luong attention (dot, general or concat scores) for a recurrent decoder: `[decoder state(s), encoder outputs]` →
 * context.
 *
 * @example
 * const context = luongAttention({ scoreMode: 'general' }).apply([decoderOutputs, encoderOutputs]);
 */
export function luongAttention(args: LuongAttentionArgs = {}): LuongAttention {
  return new LuongAttention(args);
}
