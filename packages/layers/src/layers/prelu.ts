/**
 * Keras `PReLU`: a leaky rectifier whose slope below 0 is learned, one per entry of a sample (`alpha`, shaped like
 * the input without its batch axis), or shared along `sharedAxes` (`[1]`: one slope per feature for every step of a
 * sequence, which sequences of unknown length need). Computed as Keras 3 does, `relu(x) − alpha · relu(−x)`. Masks
 * pass through.
 */
import { type InitializerSpec, invalidArgument, resolveInitializer, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';

export interface PReLUArgs extends LayerArgs {
  /** Default `zeros` (a plain ReLU to start with). */
  readonly alphaInitializer?: InitializerSpec;
  /** Axes (from 1, the batch left out) that share one slope. */
  readonly sharedAxes?: readonly number[];
}

export class PReLU extends Layer {
  readonly className = 'PReLU';
  override readonly supportsMasking = true;
  readonly alphaInitializer: InitializerSpec;
  readonly sharedAxes: readonly number[];
  private alpha: LayerWeight | undefined;

  constructor(args: PReLUArgs = {}) {
    checkLayerOptions('prelu', args, ['alphaInitializer', 'sharedAxes']);
    super(args);
    this.alphaInitializer = args.alphaInitializer ?? 'zeros';
    resolveInitializer(this.alphaInitializer, 'prelu alphaInitializer');
    const shared = args.sharedAxes ?? [];
    if (!Array.isArray(shared) || !shared.every((a) => Number.isInteger(a) && a >= 1)) {
      invalidArgument('prelu sharedAxes', shared, 'a list of axes from 1 (the batch, 0, left out)');
    }
    this.sharedAxes = [...shared];
    this.inputSpec = { minRank: 2, meaning: '[batch, ...]' };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const outside = this.sharedAxes.filter((a) => a >= shape.length);
    if (outside.length > 0) {
      throw new SeqmodelError(
        `${this.describe()} sharedAxes: axes ${outside.join(', ')} are not axes of the input ${formatShapeSpec(shape)} (1 to ${shape.length - 1})`,
      );
    }
    const alphaShape = shape.slice(1).map((d, i) => (this.sharedAxes.includes(i + 1) ? 1 : d));
    const unknown = alphaShape.indexOf(null);
    if (unknown >= 0) {
      throw new SeqmodelError(
        `${this.describe()}: axis ${unknown + 1} of the input ${formatShapeSpec(shape)} is unknown, so it cannot have a slope per entry; share it (sharedAxes: [${unknown + 1}])`,
      );
    }
    this.alpha = this.addWeight(env, {
      name: 'alpha',
      shape: alphaShape as number[],
      initializer: this.alphaInitializer,
    });
    this.inputSpec = {
      ...this.inputSpec,
      rank: shape.length,
      axes: alphaShape.flatMap((d, i) =>
        this.sharedAxes.includes(i + 1) ? [] : [{ axis: i + 1, size: d!, what: `size of axis ${i + 1}` }],
      ),
    };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    return [b.sub(b.relu(x), b.mul(ctx.read(this.alpha!), b.relu(b.neg(x))))];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      alphaInitializer: this.alphaInitializer,
      ...(this.sharedAxes.length === 0 ? {} : { sharedAxes: [...this.sharedAxes] }),
    };
  }

  static fromConfig(config: Record<string, unknown>): PReLU {
    return new PReLU(config as PReLUArgs);
  }
}

/**
 * A leaky rectifier with learned slopes.
 *
 * @example
 * prelu({ sharedAxes: [1] }); // one slope per feature of a [batch, time, features] sequence
 */
export function prelu(args: PReLUArgs = {}): PReLU {
  return new PReLU(args);
}
