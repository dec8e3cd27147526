/** Keras `ELU`: `x` where `x > 0`, `alpha · (eˣ − 1)` elsewhere. Masks pass through. */
import { checkNumberInRange, elu as eluOp } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface ELUArgs extends LayerArgs {
  /** The scale of the negative part (default 1). */
  readonly alpha?: number;
}

export class ELU extends Layer {
  readonly className = 'ELU';
  override readonly supportsMasking = true;
  readonly alpha: number;

  constructor(args: ELUArgs = {}) {
    checkLayerOptions('elu', args, ['alpha']);
    super(args);
    this.alpha = checkNumberInRange('elu alpha', args.alpha ?? 1, -Infinity, Infinity);
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [eluOp(ctx.backend, inputs[0]!, this.alpha)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }

  static fromConfig(config: Record<string, unknown>): ELU {
    return new ELU(config as ELUArgs);
  }
}

/** An exponential linear unit with its own `alpha` (the `elu` activation has alpha 1). */
export function elu(args: ELUArgs = {}): ELU {
  return new ELU(args);
}
