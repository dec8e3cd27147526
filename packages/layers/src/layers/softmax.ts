/**
 * Keras `Softmax` as a layer, along `axis` (default the last). A mask passes through without being applied: Keras 3
 * adds a large negative number at masked positions, which only fits masks of the softmax's own shape (attention
 * scores), not a sequence's `[batch, time]` mask.
 */
import { invalidArgument, SeqmodelError, softmax as softmaxOp } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';

export interface SoftmaxArgs extends LayerArgs {
  /** The axis the outputs sum to 1 along (default -1; not 0, the batch). */
  readonly axis?: number;
}

export class Softmax extends Layer {
  readonly className = 'Softmax';
  override readonly supportsMasking = true;
  readonly axis: number;

  constructor(args: SoftmaxArgs = {}) {
    checkLayerOptions('softmax', args, ['axis']);
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) {
      invalidArgument('softmax axis', axis, 'a nonzero integer (axis 0 is the batch)');
    }
    this.axis = axis;
  }

  protected override onBuild(_env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const rank = inputShapes[0]!.length;
    if (this.axis >= rank || this.axis < -(rank - 1)) {
      throw new SeqmodelError(
        `${this.describe()} axis: ${this.axis} is not an axis of the rank-${rank} input ${formatShapeSpec(inputShapes[0]!)} other than the batch (1 to ${rank - 1}, or -1 to -${rank - 1})`,
      );
    }
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [softmaxOp(ctx.backend, inputs[0]!, this.axis)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }

  static fromConfig(config: Record<string, unknown>): Softmax {
    return new Softmax(config as SoftmaxArgs);
  }
}

/** Softmax along an axis, as a layer. */
export function softmax(args: SoftmaxArgs = {}): Softmax {
  return new Softmax(args);
}
