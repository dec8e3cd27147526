/**
 * Keras `Attention`: Luong-style dot-product attention over inputs `[query, value]` or `[query, value, key]`
 * (`[batch, time, features]`; the key defaults to the value) with Keras' mask semantics:
 *
 *   scores  = query·keyᵀ (· scale, a trainable scalar, with `useScale`)           scoreMode 'dot'
 *           = c · Σ tanh(scale · (query_i + key_j))  (c a trainable scalar)        scoreMode 'concat'
 *   weights = softmax over keys, masked by the value's mask and the causal mask (`useCausalMask`)
 *   output  = weights·value, zeroed where the query is masked
 *
 * The output carries the query's mask. Unlike Keras, a query whose keys are all masked gets zero weights (Keras
 * would give it a softmax of the masked scores). `returnAttentionScores` adds the weights `[batch, Tq, Tk]` (before
 * dropout) as a second output. Weights: `scale` (shape `[]`, ones) with `useScale`; `concat_score_weight` (`[]`,
 * ones) in 'concat' mode. Dot scores go through `scaledDotProductAttention` (a backend's fused kernel may run them).
 */
import {
  type Backend,
  batchMatMul,
  checkBoolean,
  checkNumberInRange,
  checkOneOf,
  invalidArgument,
  type Rng,
  SeqmodelError,
} from '@seqmodel/core';
import {
  type BuildEnv,
  type CallArgs,
  type CallContext,
  formatShapeSpec,
  Layer,
  type LayerArgs,
  type LayerWeight,
  type ShapeSpec,
} from '@seqmodel/layers';
import { causalMask } from '../functional/masks.js';
import { maskedSoftmax, scaledDotProductAttention } from '../functional/scaled-dot-product.js';
import { checkAttentionShapes, queryMaskThenNone } from './input-checks.js';

export interface AttentionArgs extends LayerArgs {
  /** A trainable scalar on the scores (default false). */
  readonly useScale?: boolean;
  /** `dot` (default) or `concat`. */
  readonly scoreMode?: 'dot' | 'concat';
  /** Dropout rate on the attention weights in training (default 0). */
  readonly dropout?: number;
  /** Seed of this layer's own dropout stream (default: the model's). */
  readonly seed?: number;
  /** Each query attends only to keys at or before its own position (Keras' `use_causal_mask` call argument). */
  readonly useCausalMask?: boolean;
  /** Return the attention weights as a second output (Keras' `return_attention_scores` call argument). */
  readonly returnAttentionScores?: boolean;
}

/** The masked softmax, dropout and weighted sum shared by score functions that are not a plain dot product. */
export function attendScores<T>(
  b: Backend<T>,
  scores: T,
  value: T,
  mask: T | undefined,
  dropout: { rate: number; rng: Rng } | undefined,
): { output: T; weights: T } {
  const weights = maskedSoftmax(b, scores, mask);
  let dropped = weights;
  if (dropout !== undefined) {
    const shape = b.shape(weights);
    const size = shape.reduce((n, d) => n * d, 1);
    const keep = new Float32Array(size);
    for (let i = 0; i < size; i++) keep[i] = dropout.rng.next() < dropout.rate ? 0 : 1 / (1 - dropout.rate);
    dropped = b.mul(weights, b.tensor(keep, shape));
  }
  return { output: batchMatMul(b, dropped, value), weights };
}

export class Attention extends Layer {
  readonly className: string = 'Attention';
  readonly useScale: boolean;
  readonly scoreMode: 'dot' | 'concat';
  readonly dropout: number;
  readonly seed: number | undefined;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  protected scale: LayerWeight | undefined;
  private concatScoreWeight: LayerWeight | undefined;

  constructor(
    args: AttentionArgs = {},
    defaults: { readonly useScale: boolean; readonly what: string } = {
      useScale: false,
      what: 'attention',
    },
  ) {
    if (typeof args !== 'object' || args === null)
      invalidArgument(`${defaults.what}(options)`, args, 'an object');
    super(args);
    this.useScale = checkBoolean(`${defaults.what} useScale`, args.useScale ?? defaults.useScale);
    this.scoreMode = checkOneOf(`${defaults.what} scoreMode`, args.scoreMode ?? 'dot', ['dot', 'concat']);
    this.dropout = checkNumberInRange(`${defaults.what} dropout`, args.dropout ?? 0, 0, 1);
    if (this.dropout === 1) invalidArgument(`${defaults.what} dropout`, 1, 'a rate in [0, 1)');
    if (args.seed !== undefined && !Number.isInteger(args.seed)) {
      invalidArgument(`${defaults.what} seed`, args.seed, 'an integer');
    }
    this.seed = args.seed;
    this.useCausalMask = checkBoolean(`${defaults.what} useCausalMask`, args.useCausalMask ?? false);
    this.returnAttentionScores = checkBoolean(
      `${defaults.what} returnAttentionScores`,
      args.returnAttentionScores ?? false,
    );
    this.inputSpec = { rank: 3, meaning: '[batch, time, features] (the query)' };
  }

  override get inputCount(): number {
    return 2;
  }

  override get maxInputCount(): number {
    return 3;
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    this.checkShapes(inputShapes);
    if (this.useScale) this.scale = this.addWeight(env, { name: 'scale', shape: [], initializer: 'ones' });
    if (this.scoreMode === 'concat') {
      this.concatScoreWeight = this.addWeight(env, {
        name: 'concat_score_weight',
        shape: [],
        initializer: 'ones',
      });
    }
  }

  /** Checks the input shapes; query and key must have the same feature size. */
  protected checkShapes(shapes: readonly ShapeSpec[]): void {
    const sizes = checkAttentionShapes(this.describe(), shapes);
    if (sizes.query !== sizes.key) {
      throw new SeqmodelError(
        `${this.describe()} ${shapes.length > 2 ? 'key' : 'value'}: expected the query's feature size ${sizes.query} (scores compare query and key features), received shape ${formatShapeSpec(shapes[shapes.length > 2 ? 2 : 1]!)}`,
      );
    }
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    this.checkShapes(inputShapes);
    const [query, value] = inputShapes as [ShapeSpec, ShapeSpec];
    const output: ShapeSpec = [query[0]!, query[1]!, value[2]!];
    return this.returnAttentionScores ? [output, [query[0]!, query[1]!, value[1]!]] : [output];
  }

  override computeMask<T>(
    _ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    return queryMaskThenNone(masks, outputCount);
  }

  /** Scores `[batch, Tq, Tk]` for score functions other than the plain (optionally scaled) dot product. */
  protected scores<T>(ctx: CallContext<T>, query: T, key: T): T {
    const b = ctx.backend;
    const [batch, tq, dim] = b.shape(query) as [number, number, number];
    const tk = b.shape(key)[1]!;
    let sum = b.add(b.reshape(query, [batch, tq, 1, dim]), b.reshape(key, [batch, 1, tk, dim]));
    if (this.scale !== undefined) sum = b.mul(sum, ctx.read(this.scale));
    return b.mul(b.sum(b.tanh(sum), -1), ctx.read(this.concatScoreWeight!));
  }

  /** Whether the scores are a plain dot product (then the fused attention path applies). */
  protected get dotScores(): boolean {
    return this.scoreMode === 'dot';
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const shapes = inputs.map((x) => b.shape(x));
    this.checkShapes(shapes);
    const [query, value, key = value] = inputs as [T, T, T?];
    const [batch, tq] = shapes[0] as [number, number];
    const [, tk, dv] = shapes[1] as [number, number, number];
    const [queryMask, valueMask] = args.masks;
    const dropout =
      ctx.training && this.dropout > 0 ? { rate: this.dropout, rng: this.dropoutRng(ctx) } : undefined;
    let output: T;
    let weights: T;
    if (this.dotScores) {
      const scaled = this.scale === undefined ? query : b.mul(query, ctx.read(this.scale));
      const r = scaledDotProductAttention(b, {
        query: b.reshape(scaled, [batch, 1, tq, shapes[0]![2]!]),
        key: b.reshape(key!, [batch, 1, tk, shapes[0]![2]!]),
        value: b.reshape(value!, [batch, 1, tk, dv]),
        mask: valueMask === undefined ? undefined : b.reshape(valueMask, [batch, 1, 1, tk]),
        causal: this.useCausalMask,
        scale: 1,
        dropout,
        returnWeights: true,
      });
      output = b.reshape(r.output, [batch, tq, dv]);
      weights = b.reshape(r.weights!, [batch, tq, tk]);
    } else {
      let mask = valueMask === undefined ? undefined : b.reshape(b.greater(valueMask, 0), [batch, 1, tk]);
      if (this.useCausalMask) {
        const causal = causalMask(b, tq, tk);
        mask = mask === undefined ? causal : b.mul(mask, causal);
      }
      ({ output, weights } = attendScores(b, this.scores(ctx, query, key!), value!, mask, dropout));
    }
    if (queryMask !== undefined) output = b.mul(output, b.reshape(b.greater(queryMask, 0), [batch, tq, 1]));
    return this.returnAttentionScores ? [output, weights] : [output];
  }

  private dropoutRng<T>(ctx: CallContext<T>): Rng {
    const rng = ctx.rngFor(this.path);
    return this.seed === undefined ? rng : rng.fork(this.seed);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      useScale: this.useScale,
      scoreMode: this.scoreMode,
      dropout: this.dropout,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
    };
  }

  static fromConfig(config: Record<string, unknown>): Attention {
    return new Attention(config as AttentionArgs);
  }
}

/**
 * Keras' dot-product (Luong-style) attention layer over `[query, value]` or `[query, value, key]`.
 *
 * @example
 * const context = attention({ useScale: true }).apply([decoderOutputs, encoderOutputs]);
 */
export function attention(args: AttentionArgs = {}): Attention {
  return new Attention(args);
}
