/**
 * What Keras' `GlobalAveragePooling1D` and `GlobalMaxPooling1D` share: `[batch, steps, features]` to `[batch,
 * features]` (or `[batch, 1, features]` with `keepdims`), reducing the steps axis; no output mask.
 */
import { checkBoolean } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface GlobalPooling1DArgs extends LayerArgs {
  /** Keep the steps axis with size 1: `[batch, 1, features]` (default false). */
  readonly keepdims?: boolean;
}

export abstract class GlobalPooling1D extends Layer {
  readonly keepdims: boolean;

  constructor(factory: string, args: GlobalPooling1DArgs) {
    checkLayerOptions(factory, args, ['keepdims']);
    super(args);
    this.keepdims = checkBoolean(`${factory} keepdims`, args.keepdims ?? false);
    this.inputSpec = { rank: 3, meaning: '[batch, steps, features]' };
  }

  /** Each output reads several time steps: `model.stream()` and truncated BPTT refuse the layer. */
  get mixesSteps(): boolean {
    return true;
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, , features] = inputShapes[0]! as [number | null, number | null, number | null];
    return [this.keepdims ? [batch, 1, features] : [batch, features]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    return [this.pool(ctx, inputs[0]!, args.masks[0])];
  }

  /** The pooled `[batch, features]` or `[batch, 1, features]`; `mask` is `[batch, steps]` or undefined. */
  protected abstract pool<T>(ctx: CallContext<T>, x: T, mask: T | undefined): T;

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepdims: this.keepdims };
  }
}
