/**
 * What Keras' merge layers (`Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`, `Concatenate`) share:
 * two or more input tensors of one rank, combined into one output. Their shapes are checked against the first
 * input's (a size known on one side and unknown on the other fits), and errors name the input that does not fit.
 * Masks combine as Keras combines them: a position is valid when it is valid in every input that has a mask
 * (`Concatenate` along the time axis joins the masks instead).
 */
import { type Backend, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';

export abstract class Merge extends Layer {
  override readonly supportsMasking = true;

  constructor(args: LayerArgs = {}) {
    super(args);
    this.inputSpec = { minRank: 1, meaning: '[batch, ...]' };
  }

  override get inputCount(): number {
    return 2;
  }

  /** Any number of inputs from two on. */
  override get maxInputCount(): number {
    return Number.POSITIVE_INFINITY;
  }

  /**
   * Whether axis `axis` (non-negative) of every input of rank `rank` must have the first input's size: true for every axis of an
   * elementwise merge; `Concatenate` frees its own axis.
   */
  protected sizeMustMatch(_axis: number, _rank: number): boolean {
    return true;
  }

  /** The output shape for input shapes already checked against each other. */
  protected abstract mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec;

  /** The merge itself, on tensors whose shapes fit. */
  protected abstract merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T;

  /** Throws unless every input has the first one's rank and, where `sizeMustMatch`, its sizes. */
  protected checkShapes(shapes: readonly ShapeSpec[]): void {
    const first = shapes[0]!;
    shapes.forEach((shape, i) => {
      const fits =
        shape.length === first.length &&
        shape.every(
          (d, axis) =>
            !this.sizeMustMatch(axis, first.length) ||
            d === null ||
            first[axis] === null ||
            d === first[axis],
        );
      if (!fits) {
        const free = first.map((d, axis) => (this.sizeMustMatch(axis, first.length) ? d : 'any'));
        throw new SeqmodelError(
          `${this.describe()} inputs[${i}]: expected shape [${free.map((d) => d ?? 'null').join(', ')}] (that of inputs[0] ${formatShapeSpec(first)}), received shape ${formatShapeSpec(shape)}`,
        );
      }
    });
  }

  protected override onBuild(_env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    this.checkShapes(inputShapes);
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    this.checkShapes(inputShapes);
    return [this.mergedShape(inputShapes)];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    this.checkShapes(inputs.map((x) => ctx.backend.shape(x)));
    return [this.merge(ctx, inputs)];
  }

  override computeMask<T>(
    ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    const present = masks.filter((m): m is T => m !== undefined);
    const b = ctx.backend;
    const mask =
      present.length === 0
        ? undefined
        : present.length === 1
          ? present[0]
          : present.map((m) => b.greater(m, 0)).reduce((a, m) => b.mul(a, m));
    return Array.from({ length: outputCount }, () => mask);
  }
}

/** Per axis, the size any input knows (inputs whose shapes fit each other). */
export function knownSizes(shapes: readonly ShapeSpec[]): ShapeSpec {
  return shapes[0]!.map((_, axis) => shapes.find((s) => s[axis] !== null)?.[axis] ?? null);
}

/**
 * A merge of inputs of one shape, entry by entry: `combine` folded over the inputs from the first (Add, Subtract,
 * Multiply, Average, Maximum, Minimum).
 */
export abstract class ElementwiseMerge extends Merge {
  protected mergedShape(shapes: readonly ShapeSpec[]): ShapeSpec {
    return knownSizes(shapes);
  }

  /** The running result `a` combined with the next input `x`. */
  protected abstract combine<T>(b: Backend<T>, a: T, x: T): T;

  protected merge<T>(ctx: CallContext<T>, inputs: readonly T[]): T {
    const b = ctx.backend;
    return inputs.slice(1).reduce((a, x) => this.combine(b, a, x), inputs[0]!);
  }
}
