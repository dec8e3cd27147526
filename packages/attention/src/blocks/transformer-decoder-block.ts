/**
 * A transformer decoder block, keras-hub's `TransformerDecoder` (PyTorch's `nn.TransformerDecoderLayer`): causal
 * self-attention, then (when the block is built with an encoder sequence) cross-attention over the encoder's outputs,
 * then the position-wise feed-forward network, each a residual sublayer (`transformer-block.ts`). Inputs
 * `[decoderSequence]` (a decoder-only language model) or `[decoderSequence, encoderSequence]`, with their padding
 * masks; output `[batch, time, hidden]` with the decoder's mask.
 *
 * Sublayers, in weight order: `self_attention`, `self_attention_layer_norm`, `cross_attention` and
 * `cross_attention_layer_norm` (with an encoder sequence), `feedforward_intermediate_dense`,
 * `feedforward_output_dense`, `feedforward_layer_norm`.
 *
 * Incremental decoding: in a pass that carries state (a model stream, or the decoding module), the block keeps a
 * key/value cache as its state, `[key, value, keyMask]` (`[batch, heads, steps, keyDim]`, `[batch, heads, steps,
 * keyDim]`, `[batch, steps]`), and with cross-attention the encoder's projected keys and values after them. Each call
 * then projects only its new steps, appends them to the cache and attends with the causal mask aligned lower-right
 * (`queryOffset` = cached steps): a new token costs O(steps so far), not a pass over the whole prefix.
 */
import { formatShape, SeqmodelError } from '@seqmodel/core';
import {
  type BuildEnv,
  type CallArgs,
  type CallContext,
  formatShapeSpec,
  type Layer,
  type ShapeSpec,
} from '@seqmodel/layers';
import { combineAttentionMasks } from '../functional/masks.js';
import type { LayerNormalization } from '../layers/layer-normalization.js';
import type { MultiHeadAttention } from '../layers/multi-head-attention.js';
import {
  type FeedForwardSublayers,
  TransformerBlock,
  type TransformerBlockArgs,
} from './transformer-block.js';

export type TransformerDecoderBlockArgs = TransformerBlockArgs;

/** A decoder block's key/value cache: what it carries from one call to the next when decoding. */
export interface DecoderBlockCache<T> {
  /** `[batch, heads, steps, keyDim]`: the self-attention keys of every step so far. */
  readonly key: T;
  /** `[batch, heads, steps, keyDim]`: their values. */
  readonly value: T;
  /** `[batch, steps]`: 1 for steps that may be attended to, 0 for padded ones. */
  readonly keyMask: T;
  /** `[batch, heads, encoderSteps, keyDim]`: the encoder sequence projected for cross-attention, once. */
  readonly crossKey?: T;
  readonly crossValue?: T;
}

interface Parts {
  readonly selfAttention: MultiHeadAttention;
  readonly selfAttentionNorm: LayerNormalization;
  readonly cross: { attention: MultiHeadAttention; norm: LayerNormalization } | undefined;
  readonly ff: FeedForwardSublayers;
}

export class TransformerDecoderBlock extends TransformerBlock {
  readonly className = 'TransformerDecoder';
  private parts: Parts | undefined;

  constructor(args: TransformerDecoderBlockArgs) {
    super(args, 'transformerDecoderBlock');
  }

  override get maxInputCount(): number {
    return 2;
  }

  /** Whether the block was built with an encoder sequence (and so has cross-attention). */
  get hasCrossAttention(): boolean {
    return this.parts?.cross !== undefined;
  }

  override get sublayers(): readonly Layer[] {
    if (this.parts === undefined) return [];
    const { selfAttention, selfAttentionNorm, cross, ff } = this.parts;
    return [
      selfAttention,
      selfAttentionNorm,
      ...(cross === undefined ? [] : [cross.attention, cross.norm]),
      ff.intermediate,
      ff.output,
      ff.norm,
    ];
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const [shape, encoderShape] = inputShapes as [ShapeSpec, ShapeSpec?];
    const hidden = this.hiddenDim(shape);
    const child = this.childEnv(env);
    const selfAttention = this.attentionSublayer('self_attention', hidden);
    selfAttention.buildIn(child, [shape, shape]);
    const selfAttentionNorm = this.normSublayer('self_attention_layer_norm');
    selfAttentionNorm.buildIn(child, [shape]);
    let cross: Parts['cross'];
    if (encoderShape !== undefined) {
      if (encoderShape.length !== 3 || encoderShape[2] === null) {
        throw new SeqmodelError(
          `${this.describe()} encoderSequence: expected rank 3 [batch, time, features] with known features, received shape ${formatShapeSpec(encoderShape)}`,
        );
      }
      cross = {
        attention: this.attentionSublayer('cross_attention', hidden),
        norm: this.normSublayer('cross_attention_layer_norm'),
      };
      cross.attention.buildIn(child, [shape, encoderShape]);
      cross.norm.buildIn(child, [shape]);
    }
    const ff = this.feedForwardSublayers(hidden);
    this.buildFeedForward(env, ff, shape, hidden);
    this.parts = { selfAttention, selfAttentionNorm, cross, ff };
  }

  /** The carried cache as a list of tensors (the state a stream carries), in `DecoderBlockCache` order. */
  private cacheFromState<T>(ctx: CallContext<T>, state: readonly T[], batch: number): DecoderBlockCache<T> {
    const b = ctx.backend;
    const self = this.parts!.selfAttention;
    const cross = this.parts!.cross !== undefined;
    const count = cross ? 5 : 3;
    if (state.length !== count) {
      throw new SeqmodelError(
        `${this.describe()} cache: expected ${count} tensors (key, value, keyMask${cross ? ', crossKey, crossValue' : ''}), received ${state.length}`,
      );
    }
    const [key, value, keyMask, crossKey, crossValue] = state as [T, T, T, T?, T?];
    const steps = b.shape(key)[2];
    const checkShape = (name: string, x: T, expected: (number | string)[]) => {
      const got = b.shape(x);
      if (got.length !== expected.length || expected.some((d, i) => typeof d === 'number' && got[i] !== d)) {
        throw new SeqmodelError(
          `${this.describe()} cache ${name}: expected shape [${expected.join(', ')}] (batch ${batch} of the inputs), received shape ${formatShape(got)}`,
        );
      }
    };
    checkShape('key', key, [batch, self.numKeyValueHeads, 'steps', self.keyDim]);
    checkShape('value', value, [batch, self.numKeyValueHeads, steps ?? 'steps', self.valueDim]);
    checkShape('keyMask', keyMask, [batch, steps ?? 'steps']);
    if (crossKey === undefined || crossValue === undefined) return { key, value, keyMask };
    const crossAttention = this.parts!.cross!.attention;
    checkShape('crossKey', crossKey, [
      batch,
      crossAttention.numKeyValueHeads,
      'encoderSteps',
      crossAttention.keyDim,
    ]);
    checkShape('crossValue', crossValue, [
      batch,
      crossAttention.numKeyValueHeads,
      'encoderSteps',
      crossAttention.valueDim,
    ]);
    return { key, value, keyMask, crossKey, crossValue };
  }

  /**
   * The block on `x` `[batch, Tq, hidden]` following `cache` (undefined: nothing before), with its mask `[batch, Tq]`
   * and the encoder's sequence and mask; returns the output and, when `withCache`, the cache extended by `x`'s steps.
   */
  private forward<T>(
    ctx: CallContext<T>,
    x: T,
    options: {
      readonly mask?: T | undefined;
      readonly encoder?: T | undefined;
      readonly encoderMask?: T | undefined;
      readonly cache?: DecoderBlockCache<T> | undefined;
      readonly withCache?: boolean;
    },
  ): { output: T; cache?: DecoderBlockCache<T> } {
    const b = ctx.backend;
    const { selfAttention, selfAttentionNorm, cross, ff } = this.parts!;
    const [batch, tq] = b.shape(x) as [number, number];
    const { cache, mask } = options;
    const past = cache === undefined ? 0 : b.shape(cache.key)[2]!;
    let next: { key: T; value: T; keyMask: T } | undefined;
    let y = this.residual(ctx, x, selfAttentionNorm, 'self_attention_dropout', (h) => {
      const projected = selfAttention.projectKeyValue(ctx, h, h);
      const stepMask =
        mask ?? (cache === undefined && !options.withCache ? undefined : b.fill([batch, tq], 1));
      const keyMask =
        cache === undefined || stepMask === undefined ? stepMask : b.concat([cache.keyMask, stepMask], 1);
      const key = cache === undefined ? projected.key : b.concat([cache.key, projected.key], 2);
      const value = cache === undefined ? projected.value : b.concat([cache.value, projected.value], 2);
      if (options.withCache) next = { key, value, keyMask: keyMask! };
      const combined = combineAttentionMasks(
        b,
        { queryMask: mask, valueMask: keyMask },
        { batch, queryLength: tq, keyLength: past + tq },
      );
      return selfAttention.attendHeads(
        ctx,
        { query: selfAttention.projectQuery(ctx, h), key, value },
        {
          mask: combined === undefined ? undefined : b.reshape(combined, [batch, 1, tq, past + tq]),
          causal: true,
          queryOffset: past,
        },
      ).output;
    });
    let crossCache: { crossKey: T; crossValue: T } | undefined;
    if (cross !== undefined) {
      y = this.residual(ctx, y, cross.norm, 'cross_attention_dropout', (h) => {
        let heads: { key: T; value: T };
        if (cache?.crossKey !== undefined && cache.crossValue !== undefined) {
          heads = { key: cache.crossKey, value: cache.crossValue };
        } else {
          if (options.encoder === undefined) {
            throw new SeqmodelError(
              `${this.describe()} encoderSequence: the block has cross-attention and no cached encoder keys; pass the encoder's outputs`,
            );
          }
          heads = cross.attention.projectKeyValue(ctx, options.encoder, options.encoder);
        }
        crossCache = { crossKey: heads.key, crossValue: heads.value };
        const encoderSteps = b.shape(heads.key)[2]!;
        const combined = combineAttentionMasks(
          b,
          { queryMask: mask, valueMask: options.encoderMask },
          { batch, queryLength: tq, keyLength: encoderSteps },
        );
        return cross.attention.attendHeads(
          ctx,
          { query: cross.attention.projectQuery(ctx, h), ...heads },
          { mask: combined === undefined ? undefined : b.reshape(combined, [batch, 1, tq, encoderSteps]) },
        ).output;
      });
    }
    const output = this.feedForward(ctx, y, ff);
    if (!options.withCache) return { output };
    return { output, cache: { ...next!, ...(crossCache ?? {}) } };
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const [x, encoder] = inputs as [T, T?];
    if ((encoder !== undefined) !== this.hasCrossAttention) {
      throw new SeqmodelError(
        `${this.describe()} inputs: the block was built with ${this.hasCrossAttention ? 'an encoder sequence (cross-attention); pass [decoderSequence, encoderSequence]' : 'no encoder sequence; pass [decoderSequence] only'}, received ${inputs.length} tensors`,
      );
    }
    const batch = b.shape(x)[0]!;
    if (encoder !== undefined && b.shape(encoder)[0] !== batch) {
      throw new SeqmodelError(
        `${this.describe()} encoderSequence: expected batch ${batch} (that of the decoder sequence ${formatShape(b.shape(x))}), received shape ${formatShape(b.shape(encoder))}`,
      );
    }
    // A pass that carries state continues from the cache of the previous one.
    const carried = ctx.recordAllStates ? ctx.carriedState(this) : undefined;
    const { output, cache } = this.forward(ctx, x, {
      mask: args.masks[0],
      encoder,
      encoderMask: args.masks[1],
      cache: carried === undefined ? undefined : this.cacheFromState(ctx, carried, batch),
      withCache: ctx.recordAllStates,
    });
    if (cache !== undefined) {
      ctx.recordState(this, [
        cache.key,
        cache.value,
        cache.keyMask,
        ...(cache.crossKey === undefined ? [] : [cache.crossKey, cache.crossValue!]),
      ]);
    }
    return [output];
  }

  static fromConfig(config: Record<string, unknown>): TransformerDecoderBlock {
    return new TransformerDecoderBlock(config as unknown as TransformerDecoderBlockArgs);
  }
}

/**
 * A transformer decoder block: causal self-attention, cross-attention when applied to `[decoded, encoded]`, and a
 * feed-forward network; post-norm by default.
 *
 * @example
 * const block = transformerDecoderBlock({ numHeads: 4, intermediateDim: 128, normalizeFirst: true });
 * const y = block.apply(embedded);              // decoder-only (GPT-style)
 * const z = other.apply([embedded, encoded]);   // with cross-attention
 */
export function transformerDecoderBlock(args: TransformerDecoderBlockArgs): TransformerDecoderBlock {
  return new TransformerDecoderBlock(args);
}
