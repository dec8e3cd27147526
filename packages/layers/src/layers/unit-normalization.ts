/**
 * Keras `UnitNormalization`: each sample divided by its Euclidean norm over `axis` (one axis or several; default the
 * last), so that it has norm 1 there: `x / max(‖x‖, 1e-12)`, as Keras 3's `ops.normalize(..., epsilon=1e-12)`.
 * No weights; masks pass through (masked steps count in a norm over the time axis, as in Keras).
 */
import { invalidArgument, l2Normalize, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface UnitNormalizationArgs extends LayerArgs {
  /** The axis or axes the norm is taken over (default -1); not the batch axis. */
  readonly axis?: number | readonly number[];
}

/** What `axis` must be, in errors (the layer's and its Keras mapping's). */
export const NORM_AXIS_EXPECTED = 'an axis or a non-empty list of axes, not 0 (the batch)';

/** Whether `axis` is an axis or a non-empty list of them, none the batch axis (their range needs the input's rank). */
export function isNormAxis(axis: unknown): axis is number | readonly number[] {
  const ok = (a: unknown) => typeof a === 'number' && Number.isInteger(a) && a !== 0;
  return ok(axis) || (Array.isArray(axis) && axis.length > 0 && axis.every(ok));
}

/** Keras 3's bound on the norm. */
const EPSILON = 1e-12;

export class UnitNormalization extends Layer {
  readonly className = 'UnitNormalization';
  override readonly supportsMasking = true;
  readonly axis: number | readonly number[];

  constructor(args: UnitNormalizationArgs = {}) {
    checkLayerOptions('unitNormalization', args, ['axis']);
    super(args);
    const axis = args.axis ?? -1;
    if (!isNormAxis(axis)) invalidArgument('unitNormalization axis', axis, NORM_AXIS_EXPECTED);
    this.axis = typeof axis === 'number' ? axis : [...axis];
    this.inputSpec = { minRank: 2, meaning: '[batch, ...]' };
  }

  /** The axes for an input of rank `rank`, non-negative; an error for one outside it. */
  private axes(rank: number): number[] {
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    return list.map((a) => {
      const axis = a < 0 ? a + rank : a;
      if (axis < 1 || axis >= rank) {
        throw new SeqmodelError(
          `${this.describe()} axis: ${a} is outside the axes 1 to ${rank - 1} (or -${rank - 1} to -1) of a rank-${rank} input`,
        );
      }
      return axis;
    });
  }

  /**
   * A norm over the time axis (axis 1 of the input it was built for) reads every step: `model.stream()` and truncated
   * BPTT refuse the layer then.
   */
  get mixesSteps(): boolean {
    const rank = this.buildShapes?.[0]?.length;
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    return rank === undefined ? list.includes(1) : this.axes(rank).includes(1);
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'takes norms over the time axis';

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    this.axes(inputShapes[0]!.length);
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    return [l2Normalize(b, x, this.axes(b.shape(x).length), EPSILON)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: typeof this.axis === 'number' ? this.axis : [...this.axis] };
  }

  static fromConfig(config: Record<string, unknown>): UnitNormalization {
    return new UnitNormalization(config as UnitNormalizationArgs);
  }
}

/**
 * Scales each sample to norm 1 over `axis`.
 *
 * @example
 * unitNormalization(); // every feature vector divided by its length
 */
export function unitNormalization(args?: UnitNormalizationArgs): UnitNormalization {
  return new UnitNormalization(args);
}
