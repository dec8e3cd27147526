/**
 * Keras `Reshape`: each sample's entries in row-major order, laid out as `targetShape` (the batch axis kept). One size
 * may be -1: it takes what the others leave. Masks stop here (as Keras).
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec, sizeOfSpec } from '../engine/shape-spec.js';

export interface ReshapeArgs extends LayerArgs {
  /** The shape of a sample, without the batch axis: positive sizes, and at most one -1. */
  readonly targetShape: readonly number[];
}

export class Reshape extends Layer {
  readonly className = 'Reshape';
  readonly targetShape: readonly number[];

  constructor(args: ReshapeArgs) {
    checkLayerOptions('reshape', args, ['targetShape']);
    super(args);
    const shape = args.targetShape;
    if (
      !Array.isArray(shape) ||
      shape.length === 0 ||
      !shape.every((d) => d === -1 || (Number.isInteger(d) && d >= 1)) ||
      shape.filter((d) => d === -1).length > 1
    ) {
      invalidArgument(
        'reshape targetShape',
        shape,
        'a non-empty array of positive integers with at most one -1 (the batch axis left out)',
      );
    }
    this.targetShape = [...shape];
    this.inputSpec = { minRank: 2, meaning: '[batch, ...]' };
  }

  /** Each sample is read whole: a sequence's steps are mixed (`model.stream()` and truncated BPTT refuse it). */
  get mixesSteps(): boolean {
    return true;
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'lays out each sample whole, time steps included';

  /** Every axis but the batch must be known to resolve the shape: a model learning it from data keeps them all. */
  override inferInputShape(shape: readonly number[]): ShapeSpec {
    return [null, ...shape.slice(1)];
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const shape = inputShapes[0]!;
    return [[shape[0] ?? null, ...this.resolve(sizeOfSpec(shape.slice(1)), shape)]];
  }

  /** `targetShape` with its -1 resolved for samples of `size` entries (null while the size is unknown). */
  private resolve(size: number | null, inputShape: ShapeSpec): (number | null)[] {
    const known = this.targetShape.reduce((n, d) => (d === -1 ? n : n * d), 1);
    const free = this.targetShape.includes(-1);
    if (size === null) return this.targetShape.map((d) => (d === -1 ? null : d));
    if (free ? size % known !== 0 : size !== known) {
      throw new SeqmodelError(
        `${this.describe()} targetShape: ${formatShapeSpec(this.targetShape)} cannot hold the ${size} entries of a sample of shape ${formatShapeSpec(inputShape.slice(1))} (input ${formatShapeSpec(inputShape)})`,
      );
    }
    return this.targetShape.map((d) => (d === -1 ? size / known : d));
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const shape = b.shape(inputs[0]!);
    const sample = shape.slice(1).reduce((n, d) => n * d, 1);
    return [b.reshape(inputs[0]!, [shape[0]!, ...(this.resolve(sample, shape) as number[])])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }

  static fromConfig(config: Record<string, unknown>): Reshape {
    return new Reshape(config as unknown as ReshapeArgs);
  }
}

/**
 * Reshapes each sample.
 *
 * @example
 * reshape({ targetShape: [-1, 4] }); // [batch, 6, 2] → [batch, 3, 4]
 */
export function reshape(args: ReshapeArgs): Reshape {
  return new Reshape(args);
}
