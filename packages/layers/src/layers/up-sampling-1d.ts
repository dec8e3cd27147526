/**
 * Keras `UpSampling1D`: `[batch, steps, features]` to `[batch, steps · size, features]`, each step repeated `size`
 * times in place (`[a, b]` with size 2 becomes `[a, a, b, b]`). As in Keras it takes no mask: the mask stops here.
 */
import { checkPositiveInteger } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface UpSampling1DArgs extends LayerArgs {
  /** Times each step is repeated (default 2). */
  readonly size?: number;
}

export class UpSampling1D extends Layer {
  readonly className = 'UpSampling1D';
  readonly size: number;

  constructor(args: UpSampling1DArgs = {}) {
    checkLayerOptions('upSampling1d', args, ['size']);
    super(args);
    this.size = checkPositiveInteger('upSampling1d size', args.size ?? 2);
    this.inputSpec = { rank: 3, meaning: '[batch, steps, features]' };
  }

  /** Each step becomes `size` steps: `model.stream()` and truncated BPTT refuse the layer. */
  get mixesSteps(): boolean {
    return true;
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'repeats each step, making more steps than it reads';

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps, features] = inputShapes[0]! as [number | null, number | null, number | null];
    return [[batch, steps === null ? null : steps * this.size, features]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, steps, features] = b.shape(x) as [number, number, number];
    // [batch, steps, size, features]: the copies of each step side by side, then laid out as steps.
    const repeated = b.stack(
      Array.from({ length: this.size }, () => x),
      2,
    );
    return [b.reshape(repeated, [batch, steps * this.size, features])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size };
  }

  static fromConfig(config: Record<string, unknown>): UpSampling1D {
    return new UpSampling1D(config as UpSampling1DArgs);
  }
}

/**
 * Repeats each step of a sequence `size` times.
 *
 * @example
 * upSampling1d({ size: 3 }); // [batch, steps, features] → [batch, 3 · steps, features]
 */
export function upSampling1d(args?: UpSampling1DArgs): UpSampling1D {
  return new UpSampling1D(args);
}
