/**
 * A transformer encoder block, keras-hub's `TransformerEncoder` (PyTorch's `nn.TransformerEncoderLayer`): self-attention
 * over the whole sequence, then the position-wise feed-forward network, each a residual sublayer (`transformer-block.ts`
 * for pre- and post-norm). Input `[batch, time, hidden]` with its padding mask (padded steps get zero attention weight
 * and pass their mask on); output the same shape.
 *
 * Sublayers, in weight order: `self_attention_layer` (multi-head attention), `self_attention_layer_norm`,
 * `feedforward_layer_norm`, `feedforward_intermediate_dense`, `feedforward_output_dense`.
 *
 * Every output step depends on every input step, so streams and truncated BPTT refuse a model holding one
 * (`readsBackwards`).
 */
import type { BuildEnv, CallArgs, CallContext, Layer, ShapeSpec } from '@seqmodel/layers';
import type { LayerNormalization } from '../layers/layer-normalization.js';
import type { MultiHeadAttention } from '../layers/multi-head-attention.js';
import {
  type FeedForwardSublayers,
  TransformerBlock,
  type TransformerBlockArgs,
} from './transformer-block.js';

export type TransformerEncoderBlockArgs = TransformerBlockArgs;

export class TransformerEncoderBlock extends TransformerBlock {
  readonly className = 'TransformerEncoder';
  private parts:
    | { attention: MultiHeadAttention; attentionNorm: LayerNormalization; ff: FeedForwardSublayers }
    | undefined;

  constructor(args: TransformerEncoderBlockArgs) {
    super(args, 'transformerEncoderBlock');
  }

  /** Output steps depend on later input steps: a stream cannot run the block one step at a time. */
  get readsBackwards(): boolean {
    return true;
  }

  override get sublayers(): readonly Layer[] {
    if (this.parts === undefined) return [];
    const { attention, attentionNorm, ff } = this.parts;
    return [attention, attentionNorm, ff.norm, ff.intermediate, ff.output];
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const hidden = this.hiddenDim(shape);
    const parts = {
      attention: this.attentionSublayer('self_attention_layer', hidden),
      attentionNorm: this.normSublayer('self_attention_layer_norm'),
      ff: this.feedForwardSublayers(hidden),
    };
    const child = this.childEnv(env);
    parts.attention.buildIn(child, [shape, shape]);
    parts.attentionNorm.buildIn(child, [shape]);
    this.buildFeedForward(env, parts.ff, shape, hidden);
    this.parts = parts;
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const { attention, attentionNorm, ff } = this.parts!;
    const mask = args.masks[0];
    const attended = this.residual(
      ctx,
      inputs[0]!,
      attentionNorm,
      'self_attention_dropout',
      (h) => attention.call(ctx, [h, h], { masks: [mask, mask] })[0]!,
    );
    return [this.feedForward(ctx, attended, ff)];
  }

  static fromConfig(config: Record<string, unknown>): TransformerEncoderBlock {
    return new TransformerEncoderBlock(config as unknown as TransformerEncoderBlockArgs);
  }
}

/**
 * A transformer encoder block: self-attention and a feed-forward network, post-norm by default.
 *
 * @example
 * const encoded = transformerEncoderBlock({ numHeads: 4, intermediateDim: 128 }).apply(embedded); // [batch, T, 64]
 */
export function transformerEncoderBlock(args: TransformerEncoderBlockArgs): TransformerEncoderBlock {
  return new TransformerEncoderBlock(args);
}
