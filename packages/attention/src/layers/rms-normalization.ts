/**
 * Keras `RMSNormalization` (and PyTorch's `nn.RMSNorm`): each sample divided by its root mean square over `axis`,
 * then scaled, with no centering and no shift:
 *
 *   y = x / sqrt(mean(x²) + epsilon) · scale.
 *
 * Keras' default epsilon is 1e-6. Masks pass through. Weight: `scale` (ones), shaped like the normalized axes.
 */
import { checkNumberInRange, invalidArgument, mean, rsqrt, square } from '@seqmodel/core';
import {
  type BuildEnv,
  type CallArgs,
  type CallContext,
  Layer,
  type LayerArgs,
  type LayerWeight,
  type ShapeSpec,
} from '@seqmodel/layers';
import { broadcastShape, checkAxisOption, normalizedAxes } from './normalization-axes.js';

export interface RmsNormalizationArgs extends LayerArgs {
  /** The axis or axes to normalize over (default -1). */
  readonly axis?: number | readonly number[];
  /** Added to the mean square (default 1e-6, Keras'). */
  readonly epsilon?: number;
}

export class RMSNormalization extends Layer {
  readonly className = 'RMSNormalization';
  override readonly supportsMasking = true;
  readonly axis: number | number[];
  readonly epsilon: number;
  private scaleWeight: LayerWeight | undefined;
  private axes: number[] = [];

  constructor(args: RmsNormalizationArgs = {}) {
    if (typeof args !== 'object' || args === null)
      invalidArgument('rmsNormalization(options)', args, 'an object');
    super(args);
    this.axis = checkAxisOption('rmsNormalization axis', args.axis ?? -1);
    this.epsilon = checkNumberInRange('rmsNormalization epsilon', args.epsilon ?? 1e-6, 0, Infinity);
    this.inputSpec = { minRank: 2, meaning: '[batch, ..., features]' };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const { axes, weightShape } = normalizedAxes(this.describe(), this.axis, shape);
    this.axes = axes;
    this.scaleWeight = this.addWeight(env, { name: 'scale', shape: weightShape, initializer: 'ones' });
    this.inputSpec = {
      ...this.inputSpec,
      rank: shape.length,
      axes: axes.map((a, i) => ({ axis: a, size: weightShape[i]!, what: `size of normalized axis ${a}` })),
    };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const shape = b.shape(x);
    const inv = rsqrt(b, b.add(mean(b, square(b, x), this.axes, true), this.epsilon));
    const scale = b.reshape(
      ctx.read(this.scaleWeight!),
      broadcastShape(
        shape.length,
        this.axes,
        this.axes.map((a) => shape[a]!),
      ),
    );
    return [b.mul(b.mul(x, inv), scale)];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon };
  }

  static fromConfig(config: Record<string, unknown>): RMSNormalization {
    return new RMSNormalization(config as RmsNormalizationArgs);
  }
}

/**
 * Root-mean-square normalization over the last axis (or `axis`).
 *
 * @example
 * rmsNormalization({ epsilon: 1e-6 });
 */
export function rmsNormalization(args: RmsNormalizationArgs = {}): RMSNormalization {
  return new RMSNormalization(args);
}
