/**
 * Keras `Concatenate`: two or more tensors joined along `axis` (default -1, the features); every other axis must
 * agree. Masks: along the time axis (axis 1 of a `[batch, time, ...]` input) the inputs' masks are joined too, an
 * input without a mask counting as all valid; along any later axis a step is valid when it is valid in every input
 * with a mask (Keras' rule).
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import type { LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { knownSizes, Merge } from './merge.js';

export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along (default -1); negative axes count from the end. The batch axis cannot be joined. */
  readonly axis?: number;
}

export class Concatenate extends Merge {
  readonly className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    if (typeof args !== 'object' || args === null) invalidArgument('concatenate(options)', args, 'an object');
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis) || axis === 0) {
      invalidArgument('concatenate axis', axis, 'a nonzero integer (axis 0 is the batch)');
    }
    this.axis = axis;
  }

  /** `axis` as a non-negative axis for inputs of rank `rank`. */
  private axisFor(rank: number): number {
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis <= 0 || axis >= rank) {
      throw new SeqmodelError(
        `${this.describe()} axis: expected an axis of the rank-${rank} inputs other than the batch (1 to ${rank - 1}, or -1 to ${1 - rank}), received ${this.axis}`,
      );
    }
    return axis;
  }

  protected override sizeMustMatch(axis: number, rank: number): boolean {
    return axis !== this.axisFor(rank);
  }

  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    const axis = this.axisFor(shapes[0]!.length);
    const out = [...knownSizes(shapes)];
    const sizes = shapes.map((s) => s[axis] ?? null);
    out[axis] = sizes.some((d) => d === null) ? null : (sizes as number[]).reduce((a, n) => a + n, 0);
    return out;
  }

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    return ctx.backend.concat(inputs, this.axisFor(ctx.backend.shape(inputs[0]!).length));
  }

  override computeMask<T>(
    ctx: CallContext<T>,
    inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    const b = ctx.backend;
    const axis = this.axisFor(b.shape(inputs[0]!).length);
    if (axis !== 1 || masks.every((m) => m === undefined)) {
      return super.computeMask(ctx, inputs, masks, outputCount);
    }
    const parts = inputs.map((x, i) => {
      const [batch, time] = b.shape(x) as [number, number];
      return masks[i] === undefined ? b.fill([batch, time], 1) : b.greater(masks[i]!, 0);
    });
    const joined = b.concat(parts, 1);
    return Array.from({ length: outputCount }, () => joined);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }

  static fromConfig(config: Record<string, unknown>): Concatenate {
    return new Concatenate(config as ConcatenateArgs);
  }
}

/**
 * Joins its inputs along `axis` (default the last).
 *
 * @example
 * const both = concatenate().apply([context, decoderOutputs]); // [batch, time, a + b]
 */
export function concatenate(args: ConcatenateArgs = {}): Concatenate {
  return new Concatenate(args);
}
