/** Keras `RepeatVector`: `[batch, features]` to `[batch, n, features]` (one-to-many models feed it to a decoder). */
import { checkPositiveInteger } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface RepeatVectorArgs extends LayerArgs {
  /** Number of repetitions (time steps of the output). */
  readonly n: number;
}

export class RepeatVector extends Layer {
  readonly className = 'RepeatVector';
  readonly n: number;

  constructor(args: RepeatVectorArgs) {
    checkLayerOptions('repeatVector', args, ['n']);
    super(args);
    this.n = checkPositiveInteger('repeatVector n', args.n);
    this.inputSpec = { rank: 2, meaning: '[batch, features]' };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, features] = inputShapes[0]! as [number | null, number | null];
    return [[batch, this.n, features]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const [batch, features] = b.shape(inputs[0]!) as [number, number];
    return [b.mul(b.reshape(inputs[0]!, [batch, 1, features]), b.fill([1, this.n, 1], 1))];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }

  static fromConfig(config: Record<string, unknown>): RepeatVector {
    return new RepeatVector(config as unknown as RepeatVectorArgs);
  }
}

/** Repeats a vector `n` times along a new time axis. */
export function repeatVector(args: RepeatVectorArgs): RepeatVector {
  return new RepeatVector(args);
}
