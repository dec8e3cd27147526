/**
 * What Bahdanau and Luong attention share: the layer shape of attention inside a recurrent encoder-decoder. Inputs are
 * `[query, values]`: the decoder's state(s) as the query, `[batch, features]` for one step of a decoder loop or
 * `[batch, Tq, features]` for a whole target sequence, and the encoder's outputs `[batch, Tk, features]`. The output
 * is the context `weights·values` (`[batch, Tk-features]`, or `[batch, Tq, Tk-features]`), and with
 * `returnAttentionScores` the weights too. The values' mask masks encoder steps; a sequence query passes its mask on.
 * Subclasses say how scores are computed.
 */
import { checkBoolean, type InitializerSpec, invalidArgument, resolveInitializer } from '@seqmodel/core';
import { type CallArgs, type CallContext, Layer, type LayerArgs, type ShapeSpec } from '@seqmodel/layers';
import { checkAttentionShapes } from './input-checks.js';

export interface EncoderDecoderAttentionArgs extends LayerArgs {
  /** Return the attention weights `[batch, (Tq,) Tk]` as a second output (default false). */
  readonly returnAttentionScores?: boolean;
  /** Default `glorotUniform`. */
  readonly kernelInitializer?: InitializerSpec;
}

export abstract class EncoderDecoderAttention extends Layer {
  readonly returnAttentionScores: boolean;
  readonly kernelInitializer: InitializerSpec;

  constructor(args: EncoderDecoderAttentionArgs, what: string) {
    if (typeof args !== 'object' || args === null) invalidArgument(`${what}(options)`, args, 'an object');
    super(args);
    this.returnAttentionScores = checkBoolean(
      `${what} returnAttentionScores`,
      args.returnAttentionScores ?? false,
    );
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
    resolveInitializer(this.kernelInitializer, `${what} kernelInitializer`);
    this.inputSpec = { minRank: 2, meaning: '[batch, features] or [batch, time, features] (the query)' };
  }

  override get inputCount(): number {
    return 2;
  }

  /** Feature sizes of the query and the values, after checking the shapes. */
  protected sizes(shapes: readonly ShapeSpec[]): { query: number; value: number } {
    return checkAttentionShapes(this.describe(), shapes, { queryRank2: true });
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const { value } = this.sizes(inputShapes);
    const [query, values] = inputShapes as [ShapeSpec, ShapeSpec];
    const steps = query.length === 3 ? [query[1]!] : [];
    const output: ShapeSpec = [query[0]!, ...steps, value];
    return this.returnAttentionScores ? [output, [query[0]!, ...steps, values[1]!]] : [output];
  }

  override computeMask<T>(
    _ctx: CallContext<T>,
    inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    const sequence = _ctx.backend.shape(inputs[0]!).length === 3;
    return [sequence ? masks[0] : undefined, ...new Array<undefined>(outputCount - 1).fill(undefined)];
  }

  /**
   * Context and weights for a query `[batch, Tq, dq]` (a single step comes as `Tq = 1`), values `[batch, Tk, dk]`
   * and a key mask `[batch, 1, 1, Tk]` for `[batch, 1, Tq, Tk]` scores.
   */
  protected abstract attend<T>(
    ctx: CallContext<T>,
    query: T,
    values: T,
    mask: T | undefined,
  ): { output: T; weights: T };

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const shapes = inputs.map((x) => b.shape(x));
    this.sizes(shapes);
    const [query, values] = inputs as [T, T];
    const step = shapes[0]!.length === 2;
    const [batch] = shapes[0] as [number];
    const [, tk, dk] = shapes[1] as [number, number, number];
    const tq = step ? 1 : shapes[0]![1]!;
    const q = step ? b.reshape(query, [batch, 1, shapes[0]![1]!]) : query;
    const valueMask = args.masks[1];
    const mask = valueMask === undefined ? undefined : b.reshape(b.greater(valueMask, 0), [batch, 1, 1, tk]);
    const { output, weights } = this.attend(ctx, q, values, mask);
    const outShape = step ? [batch, dk] : [batch, tq, dk];
    const weightShape = step ? [batch, tk] : [batch, tq, tk];
    const context = b.reshape(output, outShape);
    return this.returnAttentionScores ? [context, b.reshape(weights, weightShape)] : [context];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      returnAttentionScores: this.returnAttentionScores,
      kernelInitializer: this.kernelInitializer,
    };
  }
}
