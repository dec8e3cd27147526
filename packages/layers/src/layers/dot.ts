/**
 * Keras `Dot`: the batchwise dot product of two tensors along one axis of each (`axes`: one axis for both, or `[a, b]`),
 * as Keras 3's `batch_dot`: the output keeps the first input's other axes, then the second's (its batch axis left out):
 * `[batch, n, d]` and `[batch, m, d]` with `axes: 2` give `[batch, n, m]` (attention scores), `[batch, d]` and `[batch, d]`
 * give `[batch, 1]`. With `normalize` both are first L2-normalized along their axis, so the product is the cosine
 * similarity. Inputs of any rank from 2; as in Keras 3 the output has no mask.
 */
import { checkBoolean, invalidArgument, l2Normalize, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';

/** What `axes` must be, in errors. */
export const DOT_AXES_EXPECTED = 'an integer axis or [first, second] of them';

/** Whether `axes` is an integer or a pair of integers (their range depends on the inputs' ranks). */
export function isDotAxes(axes: unknown): axes is number | readonly [number, number] {
  const integer = (a: unknown) => typeof a === 'number' && Number.isInteger(a);
  return integer(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every(integer));
}

export interface DotArgs extends LayerArgs {
  /**
   * The axis of each input to take the product along: one axis for both (negative counts from the end of each), or
   * `[first, second]`. The batch axis, 0, cannot be one.
   */
  readonly axes: number | readonly [number, number];
  /** L2-normalize both inputs along their axis first (default false): the output is their cosine similarity. */
  readonly normalize?: boolean;
}

export class Dot extends Layer {
  readonly className = 'Dot';
  readonly axes: number | readonly [number, number];
  readonly normalize: boolean;
  /** Both inputs' ranks once built (saving for tfjs-layers reads them), else undefined. */
  get inputRanks(): readonly number[] | undefined {
    return this.buildShapes?.map((shape) => shape.length);
  }

  constructor(args: DotArgs) {
    checkLayerOptions('dot', args, ['axes', 'normalize']);
    super(args);
    const axes = args.axes;
    if (!isDotAxes(axes)) invalidArgument('dot axes', axes, DOT_AXES_EXPECTED);
    this.axes = typeof axes === 'number' ? axes : [axes[0], axes[1]];
    this.normalize = checkBoolean('dot normalize', args.normalize ?? false);
    this.inputSpec = { minRank: 2, meaning: '[batch, ...]' };
  }

  override get inputCount(): number {
    return 2;
  }

  /**
   * A product over inputs with a time axis reads every step of one of them (or sums over the steps): `model.stream()`
   * and truncated BPTT refuse it. Over `[batch, features]` inputs it is a per-step layer.
   */
  get mixesSteps(): boolean {
    const ranks = this.inputRanks;
    return ranks === undefined || ranks.some((r) => r > 2);
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'takes products across the time steps of its inputs';

  /** The two axes for inputs of these ranks, made non-negative as Keras does; an error for one out of range. */
  private resolvedAxes(shapes: readonly ShapeSpec[]): [number, number] {
    const pair = typeof this.axes === 'number' ? [this.axes, this.axes] : this.axes;
    return [0, 1].map((i) => {
      const rank = shapes[i]!.length;
      const axis = pair[i]!;
      if (axis === 0 || axis >= rank || axis < 1 - rank) {
        throw new SeqmodelError(
          `${this.describe()} axes: expected an axis of inputs[${i}] ${formatShapeSpec(shapes[i]!)} other than the batch axis (1 to ${rank - 1}, or -${rank - 1} to -1), received ${axis}`,
        );
      }
      return axis < 0 ? axis + rank : axis;
    }) as [number, number];
  }

  /** Checks the inputs against each other; the axes and the output shape. */
  private plan(shapes: readonly ShapeSpec[]): { axes: [number, number]; shape: ShapeSpec } {
    const [a0, a1] = this.resolvedAxes(shapes);
    const [s0, s1] = shapes as [ShapeSpec, ShapeSpec];
    const [d0, d1] = [s0[a0], s1[a1]];
    if (d0 !== null && d1 !== null && d0 !== d1) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected the same size along axis ${a0} of inputs[0] and axis ${a1} of inputs[1], received shapes ${formatShapeSpec(s0)} and ${formatShapeSpec(s1)} (${d0} and ${d1})`,
      );
    }
    if (s0[0] !== null && s1[0] !== null && s0[0] !== s1[0]) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected the same batch size, received shapes ${formatShapeSpec(s0)} and ${formatShapeSpec(s1)}`,
      );
    }
    const rest = [...s0.filter((_, i) => i !== 0 && i !== a0), ...s1.filter((_, i) => i !== 0 && i !== a1)];
    return { axes: [a0, a1], shape: [s0[0] ?? s1[0] ?? null, ...(rest.length === 0 ? [1] : rest)] };
  }

  protected override onBuild(_env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    this.plan(inputShapes);
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [this.plan(inputShapes).shape];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const [s0, s1] = inputs.map((x) => b.shape(x)) as [number[], number[]];
    const { axes, shape } = this.plan([s0, s1]);
    const [a0, a1] = axes;
    let [x, y] = inputs as [T, T];
    if (this.normalize) {
      x = l2Normalize(b, x, a0);
      y = l2Normalize(b, y, a1);
    }
    // As Keras' batch_dot: x's axis moved last, y's moved to 1 (the others keep their order), each folded to rank 3.
    const others = (rank: number, axis: number) =>
      Array.from({ length: rank }, (_, i) => i).filter((i) => i !== 0 && i !== axis);
    const size = (s: number[], axesOf: number[]) => axesOf.reduce((n, i) => n * s[i]!, 1);
    const [xOthers, yOthers] = [others(s0.length, a0), others(s1.length, a1)];
    if (a0 !== s0.length - 1) x = b.transpose(x, [0, ...xOthers, a0]);
    if (a1 !== 1) y = b.transpose(y, [0, a1, ...yOthers]);
    const batch = s0[0]!;
    const depth = s0[a0]!;
    const product = b.matMul(
      b.reshape(x, [batch, size(s0, xOthers), depth]),
      b.reshape(y, [batch, depth, size(s1, yOthers)]),
    );
    return [b.reshape(product, shape as number[])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axes: typeof this.axes === 'number' ? this.axes : [...this.axes],
      normalize: this.normalize,
    };
  }

  static fromConfig(config: Record<string, unknown>): Dot {
    return new Dot(config as unknown as DotArgs);
  }
}

/**
 * The batchwise dot product of two inputs along one axis of each.
 *
 * @example
 * dot({ axes: 2 }).apply([queries, keys]); // [batch, n, d] and [batch, m, d] → scores [batch, n, m]
 * dot({ axes: 1, normalize: true }).apply([a, b]); // [batch, d] twice → cosine similarity [batch, 1]
 */
export function dot(args: DotArgs): Dot {
  return new Dot(args);
}
