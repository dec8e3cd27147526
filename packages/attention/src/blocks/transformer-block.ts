/**
 * What keras-hub's `TransformerEncoder` and `TransformerDecoder` (and PyTorch's `nn.TransformerEncoderLayer` /
 * `DecoderLayer`) share: options, the position-wise feed-forward network, and the residual sublayer around each part,
 *
 *   post-norm (default, `normalizeFirst: false`, BERT and the original transformer):  x = norm(x + dropout(f(x)))
 *   pre-norm  (`normalizeFirst: true`, GPT-2):                                       x = x + dropout(f(norm(x)))
 *
 * with `f` an attention or the feed-forward `W2·act(W1·x + b1) + b2`. The hidden size is the input's; each attention
 * head gets `floor(hidden / numHeads)` features, as keras-hub. Sublayers carry keras-hub's names, so a block's
 * weights are `<block>/self_attention_layer/query/kernel`, `<block>/feedforward_intermediate_dense/kernel`, ...
 * (`pytorch-names.ts` maps them to PyTorch's state-dict names).
 */
import {
  type ActivationName,
  checkBoolean,
  checkNumberInRange,
  checkPositiveInteger,
  getActivation,
  type InitializerSpec,
  invalidArgument,
  resolveInitializer,
  SeqmodelError,
} from '@seqmodel/core';
import {
  type BuildEnv,
  type CallContext,
  type Dense,
  dense,
  dropoutMask,
  formatShapeSpec,
  Layer,
  type LayerArgs,
  type ShapeSpec,
} from '@seqmodel/layers';
import { type LayerNormalization, layerNormalization } from '../layers/layer-normalization.js';
import { type MultiHeadAttention, multiHeadAttention } from '../layers/multi-head-attention.js';

export interface TransformerBlockArgs extends LayerArgs {
  /** Attention heads; each gets `floor(hiddenDim / numHeads)` features. */
  readonly numHeads: number;
  /** Hidden size of the feed-forward network (PyTorch's `dim_feedforward`). */
  readonly intermediateDim: number;
  /** Dropout on the attention weights and on each sublayer's output before the residual sum (default 0). */
  readonly dropout?: number;
  /** Activation of the feed-forward network's hidden layer (default `relu`). */
  readonly activation?: ActivationName;
  /** Epsilon of the layer normalizations (default 1e-5, keras-hub's and PyTorch's `layer_norm_eps`). */
  readonly layerNormEpsilon?: number;
  /** Default `glorotUniform`. */
  readonly kernelInitializer?: InitializerSpec;
  /** Default `zeros`. */
  readonly biasInitializer?: InitializerSpec;
  /** Normalize each sublayer's input (pre-norm, PyTorch's `norm_first`) instead of its output (default false). */
  readonly normalizeFirst?: boolean;
}

/** The sublayers every block has: the feed-forward network and its normalization. */
export interface FeedForwardSublayers {
  readonly norm: LayerNormalization;
  readonly intermediate: Dense;
  readonly output: Dense;
}

/** A sublayer called directly on one tensor (masks are the block's business). */
export function callSublayer<T>(ctx: CallContext<T>, layer: Layer, x: T): T {
  return layer.call(ctx, [x], { masks: [undefined] })[0]!;
}

export abstract class TransformerBlock extends Layer {
  override readonly supportsMasking = true;
  readonly numHeads: number;
  readonly intermediateDim: number;
  readonly dropout: number;
  readonly activation: ActivationName;
  readonly layerNormEpsilon: number;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  readonly normalizeFirst: boolean;

  constructor(args: TransformerBlockArgs, what: string) {
    if (typeof args !== 'object' || args === null) {
      invalidArgument(`${what}(options)`, args, 'an object with numHeads and intermediateDim');
    }
    super(args);
    this.numHeads = checkPositiveInteger(`${what} numHeads`, args.numHeads);
    this.intermediateDim = checkPositiveInteger(`${what} intermediateDim`, args.intermediateDim);
    this.dropout = checkNumberInRange(`${what} dropout`, args.dropout ?? 0, 0, 1);
    if (this.dropout === 1) invalidArgument(`${what} dropout`, 1, 'a rate in [0, 1)');
    this.activation = args.activation ?? 'relu';
    getActivation(this.activation, `${what} activation`);
    this.layerNormEpsilon = checkNumberInRange(
      `${what} layerNormEpsilon`,
      args.layerNormEpsilon ?? 1e-5,
      0,
      Number.POSITIVE_INFINITY,
    );
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
    resolveInitializer(this.kernelInitializer, `${what} kernelInitializer`);
    resolveInitializer(this.biasInitializer, `${what} biasInitializer`);
    this.normalizeFirst = checkBoolean(`${what} normalizeFirst`, args.normalizeFirst ?? false);
    this.inputSpec = { rank: 3, meaning: '[batch, time, features]' };
  }

  /** The hidden size of `shape` (its known last axis), checked against the heads. */
  protected hiddenDim(shape: ShapeSpec, argument = 'inputs'): number {
    const hidden = shape[2];
    if (hidden === null || hidden === undefined) {
      throw new SeqmodelError(
        `${this.describe()} ${argument}: the feature axis must be known to build, received shape ${formatShapeSpec(shape)}`,
      );
    }
    if (Math.floor(hidden / this.numHeads) === 0) {
      throw new SeqmodelError(
        `${this.describe()} ${argument}: expected a feature size of at least numHeads (${this.numHeads}) so that each head gets a feature, received shape ${formatShapeSpec(shape)}`,
      );
    }
    return hidden;
  }

  /** A multi-head attention sublayer with the block's options, `floor(hidden / numHeads)` features per head. */
  protected attentionSublayer(name: string, hidden: number): MultiHeadAttention {
    return multiHeadAttention({
      name,
      numHeads: this.numHeads,
      keyDim: Math.floor(hidden / this.numHeads),
      dropout: this.dropout,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    });
  }

  protected normSublayer(name: string): LayerNormalization {
    return layerNormalization({ name, epsilon: this.layerNormEpsilon });
  }

  protected feedForwardSublayers(hidden: number): FeedForwardSublayers {
    const init = { kernelInitializer: this.kernelInitializer, biasInitializer: this.biasInitializer };
    return {
      norm: this.normSublayer('feedforward_layer_norm'),
      intermediate: dense({
        name: 'feedforward_intermediate_dense',
        units: this.intermediateDim,
        activation: this.activation,
        ...init,
      }),
      output: dense({ name: 'feedforward_output_dense', units: hidden, ...init }),
    };
  }

  /** Builds the feed-forward sublayers for inputs `[batch, time, hidden]`. */
  protected buildFeedForward(
    env: BuildEnv,
    ff: FeedForwardSublayers,
    shape: ShapeSpec,
    hidden: number,
  ): void {
    const child = this.childEnv(env);
    ff.norm.buildIn(child, [shape]);
    ff.intermediate.buildIn(child, [shape]);
    ff.output.buildIn(child, [[shape[0]!, shape[1]!, this.intermediateDim]]);
    this.inputSpec = { ...this.inputSpec, axes: [{ axis: 2, size: hidden, what: 'hidden size' }] };
  }

  /** Inverted dropout on a sublayer's output in training, its mask drawn from the pass's stream for `key`. */
  protected dropoutOn<T>(ctx: CallContext<T>, x: T, key: string): T {
    if (!ctx.training || this.dropout === 0) return x;
    const b = ctx.backend;
    return b.mul(x, dropoutMask(b, ctx.rngFor(`${this.path}/${key}`), b.shape(x), this.dropout));
  }

  /** `f` as a residual sublayer: pre-norm `x + dropout(f(norm(x)))` or post-norm `norm(x + dropout(f(x)))`. */
  protected residual<T>(
    ctx: CallContext<T>,
    x: T,
    norm: LayerNormalization,
    dropoutKey: string,
    f: (h: T) => T,
  ): T {
    const b = ctx.backend;
    const h = this.normalizeFirst ? callSublayer(ctx, norm, x) : x;
    const y = b.add(x, this.dropoutOn(ctx, f(h), dropoutKey));
    return this.normalizeFirst ? y : callSublayer(ctx, norm, y);
  }

  /** The feed-forward sublayer with its residual connection. */
  protected feedForward<T>(ctx: CallContext<T>, x: T, ff: FeedForwardSublayers): T {
    return this.residual(ctx, x, ff.norm, 'feedforward_dropout', (h) =>
      callSublayer(ctx, ff.output, callSublayer(ctx, ff.intermediate, h)),
    );
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      intermediateDim: this.intermediateDim,
      dropout: this.dropout,
      activation: this.activation,
      layerNormEpsilon: this.layerNormEpsilon,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      normalizeFirst: this.normalizeFirst,
    };
  }
}
