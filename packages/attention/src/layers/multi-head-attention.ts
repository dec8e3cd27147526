/**
 * Keras `MultiHeadAttention` (and, with `numKeyValueHeads` below `numHeads`, Keras 3's `GroupedQueryAttention`):
 * inputs `[query, value]` or `[query, value, key]` (`[batch, time, features]`; the key defaults to the value), each
 * projected per head, attended with scaled dot-product attention, and projected back:
 *
 *   Q = query·Wq + bq   [batch, Tq, H, keyDim]        Wq `query/kernel` [E, H, keyDim], bq `query/bias` [H, keyDim]
 *   K = key·Wk + bk     [batch, Tk, Hkv, keyDim]      Wk `key/kernel` [Ek, Hkv, keyDim]
 *   V = value·Wv + bv   [batch, Tk, Hkv, valueDim]    Wv `value/kernel` [Ev, Hkv, valueDim]
 *   O = attention(Q, K, V)·Wo + bo                    Wo `attention_output/kernel` [H, valueDim, outputSize]
 *
 * with Keras' weight names and shapes, so Keras weights load unchanged. Query head `h` reads key/value head
 * `floor(h / (H / Hkv))`, as Keras repeats them. Masks combine as Keras combines them: the query's padding mask
 * (masked query rows get zero weights), the value's and key's (masked keys get zero weight), and the causal mask
 * (`useCausalMask`). The output carries the query's mask. `returnAttentionScores` adds the weights
 * `[batch, H, Tq, Tk]` (before dropout) as a second output. The attention itself goes through
 * `scaledDotProductAttention`, so a backend's fused kernel runs when it applies.
 */
import {
  batchMatMul,
  checkBoolean,
  checkNumberInRange,
  checkOneOf,
  checkPositiveInteger,
  type FusedPolicy,
  type InitializerSpec,
  invalidArgument,
  resolveInitializer,
  SeqmodelError,
} from '@seqmodel/core';
import {
  type BuildEnv,
  type CallArgs,
  type CallContext,
  Layer,
  type LayerArgs,
  type LayerWeight,
  type ShapeSpec,
} from '@seqmodel/layers';
import { combineAttentionMasks } from '../functional/masks.js';
import { scaledDotProductAttention } from '../functional/scaled-dot-product.js';
import { checkAttentionShapes, queryMaskThenNone } from './input-checks.js';

export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Query heads `H`. */
  readonly numHeads: number;
  /** Size of each query and key head. */
  readonly keyDim: number;
  /** Size of each value head (default `keyDim`). */
  readonly valueDim?: number;
  /** Key/value heads `Hkv`, dividing `numHeads` (default `numHeads`; fewer: grouped-query attention). */
  readonly numKeyValueHeads?: number;
  /** Dropout rate on the attention weights in training (default 0). */
  readonly dropout?: number;
  /** Biases on the four projections (default true). */
  readonly useBias?: boolean;
  /** Size of the output's last axis (default the query's feature size). Keras' `output_shape`: a number or `[n]`. */
  readonly outputShape?: number | readonly [number];
  /** Default `glorotUniform`. */
  readonly kernelInitializer?: InitializerSpec;
  /** Default `zeros`. */
  readonly biasInitializer?: InitializerSpec;
  /** Each query attends only to keys at or before its own position (Keras' `use_causal_mask` call argument). */
  readonly useCausalMask?: boolean;
  /** Return the attention weights as a second output (Keras' `return_attention_scores` call argument). */
  readonly returnAttentionScores?: boolean;
  /** The fused-kernel policy for the attention (default `auto`). */
  readonly fused?: FusedPolicy;
}

interface Projection {
  kernel: LayerWeight;
  bias: LayerWeight | undefined;
}

export class MultiHeadAttention extends Layer {
  readonly className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly numKeyValueHeads: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputShape: number | undefined;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  readonly fused: FusedPolicy;
  private projections: Record<'query' | 'key' | 'value' | 'output', Projection> | undefined;

  constructor(args: MultiHeadAttentionArgs) {
    if (typeof args !== 'object' || args === null) {
      invalidArgument('multiHeadAttention(options)', args, 'an object with numHeads and keyDim');
    }
    super(args);
    this.numHeads = checkPositiveInteger('multiHeadAttention numHeads', args.numHeads);
    this.keyDim = checkPositiveInteger('multiHeadAttention keyDim', args.keyDim);
    this.valueDim = checkPositiveInteger('multiHeadAttention valueDim', args.valueDim ?? this.keyDim);
    this.numKeyValueHeads = checkPositiveInteger(
      'multiHeadAttention numKeyValueHeads',
      args.numKeyValueHeads ?? this.numHeads,
    );
    if (this.numHeads % this.numKeyValueHeads !== 0) {
      invalidArgument(
        'multiHeadAttention numKeyValueHeads',
        this.numKeyValueHeads,
        `a divisor of numHeads (${this.numHeads})`,
      );
    }
    this.dropout = checkNumberInRange('multiHeadAttention dropout', args.dropout ?? 0, 0, 1);
    if (this.dropout === 1) invalidArgument('multiHeadAttention dropout', 1, 'a rate in [0, 1)');
    this.useBias = checkBoolean('multiHeadAttention useBias', args.useBias ?? true);
    const out = args.outputShape;
    if (out === undefined || out === null) this.outputShape = undefined;
    else if (Array.isArray(out) && out.length === 1) {
      this.outputShape = checkPositiveInteger('multiHeadAttention outputShape[0]', out[0]);
    } else if (typeof out === 'number')
      this.outputShape = checkPositiveInteger('multiHeadAttention outputShape', out);
    else invalidArgument('multiHeadAttention outputShape', out, 'a positive integer or [n]');
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
    resolveInitializer(this.kernelInitializer, 'multiHeadAttention kernelInitializer');
    resolveInitializer(this.biasInitializer, 'multiHeadAttention biasInitializer');
    this.useCausalMask = checkBoolean('multiHeadAttention useCausalMask', args.useCausalMask ?? false);
    this.returnAttentionScores = checkBoolean(
      'multiHeadAttention returnAttentionScores',
      args.returnAttentionScores ?? false,
    );
    this.fused = checkOneOf('multiHeadAttention fused', args.fused ?? 'auto', ['auto', 'never', 'require']);
    this.inputSpec = { rank: 3, meaning: '[batch, time, features] (the query)' };
  }

  override get inputCount(): number {
    return 2;
  }

  override get maxInputCount(): number {
    return 3;
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const sizes = checkAttentionShapes(this.describe(), inputShapes);
    const project = (name: string, inputSize: number, heads: number, depth: number): Projection => ({
      kernel: this.addWeight(env, {
        name: `${name}/kernel`,
        shape: [inputSize, heads, depth],
        initializer: this.kernelInitializer,
      }),
      bias: this.useBias
        ? this.addWeight(env, {
            name: `${name}/bias`,
            shape: [heads, depth],
            initializer: this.biasInitializer,
          })
        : undefined,
    });
    const query = project('query', sizes.query, this.numHeads, this.keyDim);
    const key = project('key', sizes.key, this.numKeyValueHeads, this.keyDim);
    const value = project('value', sizes.value, this.numKeyValueHeads, this.valueDim);
    const outputSize = this.outputShape ?? sizes.query;
    const output: Projection = {
      kernel: this.addWeight(env, {
        name: 'attention_output/kernel',
        shape: [this.numHeads, this.valueDim, outputSize],
        initializer: this.kernelInitializer,
      }),
      bias: this.useBias
        ? this.addWeight(env, {
            name: 'attention_output/bias',
            shape: [outputSize],
            initializer: this.biasInitializer,
          })
        : undefined,
    };
    this.projections = { query, key, value, output };
    this.inputSpec = {
      ...this.inputSpec,
      axes: [{ axis: -1, size: sizes.query, what: 'query feature size' }],
    };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    checkAttentionShapes(this.describe(), inputShapes);
    const [query, value] = inputShapes as [ShapeSpec, ShapeSpec];
    const output: ShapeSpec = [query[0]!, query[1]!, this.outputShape ?? query[2]!];
    if (!this.returnAttentionScores) return [output];
    return [output, [query[0]!, this.numHeads, query[1]!, value[1]!]];
  }

  override computeMask<T>(
    _ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    return queryMaskThenNone(masks, outputCount);
  }

  /** `x` `[batch, time, features]` projected to heads: `[batch, heads, time, depth]`. */
  private projectHeads<T>(ctx: CallContext<T>, x: T, p: Projection): T {
    const b = ctx.backend;
    const [inputSize, heads, depth] = p.kernel.shape as [number, number, number];
    let y = batchMatMul(b, x, b.reshape(ctx.read(p.kernel), [inputSize, heads * depth]));
    if (p.bias !== undefined) y = b.add(y, b.reshape(ctx.read(p.bias), [heads * depth]));
    const [batch, time] = b.shape(x) as [number, number];
    return b.transpose(b.reshape(y, [batch, time, heads, depth]), [0, 2, 1, 3]);
  }

  private builtProjections(): Record<'query' | 'key' | 'value' | 'output', Projection> {
    if (this.projections === undefined) {
      throw new SeqmodelError(`${this.describe()}: not built; build it (or its model) before calling it`);
    }
    return this.projections;
  }

  /**
   * The query `[batch, Tq, features]` projected to its heads, `[batch, numHeads, Tq, keyDim]`. With
   * `projectKeyValue` and `attendHeads` it is the layer's call in three parts, for callers that keep the key and
   * value heads of earlier steps (a decoder's key/value cache) instead of projecting them again.
   */
  projectQuery<T>(ctx: CallContext<T>, query: T): T {
    return this.projectHeads(ctx, query, this.builtProjections().query);
  }

  /**
   * The key and value `[batch, Tk, features]` projected to their heads: `[batch, numKeyValueHeads, Tk, keyDim]` and
   * `[batch, numKeyValueHeads, Tk, valueDim]`, what a key/value cache holds.
   */
  projectKeyValue<T>(ctx: CallContext<T>, key: T, value: T): { key: T; value: T } {
    const p = this.builtProjections();
    return { key: this.projectHeads(ctx, key, p.key), value: this.projectHeads(ctx, value, p.value) };
  }

  /**
   * Attention over projected heads (from `projectQuery` and `projectKeyValue`, the keys possibly longer than the
   * queries: cached steps first), then the heads merged and projected back to `[batch, Tq, outputSize]`. `mask`
   * broadcasts to `[batch, numHeads, Tq, Tk]` (1 attend, 0 masked); `causal` masks keys after each query, query 0
   * sitting at key position `queryOffset` (the number of cached steps). Dropout on the weights in training.
   */
  attendHeads<T>(
    ctx: CallContext<T>,
    heads: { readonly query: T; readonly key: T; readonly value: T },
    options: {
      readonly mask?: T | undefined;
      readonly causal?: boolean;
      readonly queryOffset?: number;
      readonly returnWeights?: boolean;
    } = {},
  ): { output: T; weights?: T } {
    const b = ctx.backend;
    const p = this.builtProjections();
    const attended = scaledDotProductAttention(b, {
      query: heads.query,
      key: heads.key,
      value: heads.value,
      mask: options.mask,
      causal: options.causal ?? false,
      queryOffset: options.queryOffset ?? 0,
      scale: 1 / Math.sqrt(this.keyDim),
      dropout:
        ctx.training && this.dropout > 0 ? { rate: this.dropout, rng: ctx.rngFor(this.path) } : undefined,
      returnWeights: options.returnWeights ?? false,
      fused: this.fused,
    });
    const [batch, , tq] = b.shape(heads.query) as [number, number, number];
    const outputSize = p.output.kernel.shape[2]!;
    const merged = b.reshape(b.transpose(attended.output, [0, 2, 1, 3]), [
      batch,
      tq,
      this.numHeads * this.valueDim,
    ]);
    let y = batchMatMul(
      b,
      merged,
      b.reshape(ctx.read(p.output.kernel), [this.numHeads * this.valueDim, outputSize]),
    );
    if (p.output.bias !== undefined) y = b.add(y, ctx.read(p.output.bias));
    return attended.weights === undefined ? { output: y } : { output: y, weights: attended.weights };
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const shapes = inputs.map((x) => b.shape(x));
    checkAttentionShapes(this.describe(), shapes);
    const [query, value, key = value] = inputs as [T, T, T?];
    const [batch, tq] = shapes[0] as [number, number];
    const tk = shapes[1]![1]!;
    // Keras reads the key's own mask only when a separate key is given.
    const mask = combineAttentionMasks(
      b,
      {
        queryMask: args.masks[0],
        valueMask: args.masks[1],
        keyMask: inputs.length > 2 ? args.masks[2] : undefined,
      },
      { batch, queryLength: tq, keyLength: tk },
    );
    const projected = this.projectKeyValue(ctx, key!, value!);
    const { output, weights } = this.attendHeads(
      ctx,
      { query: this.projectQuery(ctx, query), ...projected },
      {
        mask: mask === undefined ? undefined : b.reshape(mask, [batch, 1, tq, tk]),
        causal: this.useCausalMask,
        returnWeights: this.returnAttentionScores,
      },
    );
    return this.returnAttentionScores ? [output, weights!] : [output];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      numKeyValueHeads: this.numKeyValueHeads,
      dropout: this.dropout,
      useBias: this.useBias,
      ...(this.outputShape === undefined ? {} : { outputShape: this.outputShape }),
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      useCausalMask: this.useCausalMask,
      returnAttentionScores: this.returnAttentionScores,
      fused: this.fused,
    };
  }

  static fromConfig(config: Record<string, unknown>): MultiHeadAttention {
    return new MultiHeadAttention(config as unknown as MultiHeadAttentionArgs);
  }
}

/**
 * Multi-head attention with Keras' options and weight layout; `numKeyValueHeads` for grouped-query attention.
 *
 * @example
 * const x = input({ shape: [null, 16] });
 * const y = multiHeadAttention({ numHeads: 4, keyDim: 8, useCausalMask: true }).apply([x, x]); // self-attention
 */
export function multiHeadAttention(args: MultiHeadAttentionArgs): MultiHeadAttention {
  return new MultiHeadAttention(args);
}
