/**
 * Keras `Masking`: marks a time step as masked when every feature equals `maskValue`, zeroes those steps, and emits
 * the mask `[batch, time]` for the layers downstream (recurrent layers then skip the masked steps).
 */
import { invalidArgument } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface MaskingArgs extends LayerArgs {
  /** Default 0. */
  readonly maskValue?: number;
}

export class Masking extends Layer {
  readonly className = 'Masking';
  readonly maskValue: number;

  constructor(args: MaskingArgs = {}) {
    checkLayerOptions('masking', args, ['maskValue']);
    super(args);
    this.maskValue = args.maskValue ?? 0;
    if (typeof this.maskValue !== 'number' || Number.isNaN(this.maskValue)) {
      invalidArgument('masking maskValue', args.maskValue, 'a number');
    }
    this.inputSpec = { minRank: 3, meaning: '[batch, time, features]' };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  /** 1 where any feature differs from `maskValue`, keeping the last axis (`[batch, time, 1]`). */
  private keep<T>(ctx: CallContext<T>, x: T): T {
    const b = ctx.backend;
    return b.max(b.sub(1, b.equal(x, this.maskValue)), -1, true);
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [ctx.backend.mul(inputs[0]!, this.keep(ctx, inputs[0]!))];
  }

  override computeMask<T>(ctx: CallContext<T>, inputs: readonly T[]): (T | undefined)[] {
    const b = ctx.backend;
    const keep = this.keep(ctx, inputs[0]!);
    const shape = b.shape(keep);
    return [b.reshape(keep, shape.slice(0, -1))];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }

  static fromConfig(config: Record<string, unknown>): Masking {
    return new Masking(config as MaskingArgs);
  }
}

/**
 * Masks padded steps.
 *
 * @example
 * sequential([masking({ maskValue: 0, inputShape: [null, 3] }), lstm({ units: 8 })], { backend });
 */
export function masking(args: MaskingArgs = {}): Masking {
  return new Masking(args);
}
