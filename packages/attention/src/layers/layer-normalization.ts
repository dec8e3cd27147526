/**
 * Keras `LayerNormalization`: each sample normalized over `axis` (default the last), then scaled and shifted,
 *
 *   y = (x − mean) / sqrt(variance + epsilon) · gamma + beta,
 *
 * with the population variance. Keras' default epsilon is 1e-3; PyTorch's `nn.LayerNorm` uses 1e-5, so weights
 * trained in PyTorch need `epsilon: 1e-5` to give PyTorch's numbers. Masks pass through. Weights: `gamma` (ones) and
 * `beta` (zeros), shaped like the normalized axes.
 */
import {
  batchNormalize,
  checkBoolean,
  checkNumberInRange,
  type InitializerSpec,
  invalidArgument,
  mean,
  resolveInitializer,
  variance,
} from '@seqmodel/core';
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

export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis or axes to normalize over (default -1). */
  readonly axis?: number | readonly number[];
  /** Added to the variance (default 1e-3, Keras'; PyTorch's is 1e-5). */
  readonly epsilon?: number;
  /** Add `beta` (default true). */
  readonly center?: boolean;
  /** Multiply by `gamma` (default true). */
  readonly scale?: boolean;
  /** Default `zeros`. */
  readonly betaInitializer?: InitializerSpec;
  /** Default `ones`. */
  readonly gammaInitializer?: InitializerSpec;
}

export class LayerNormalization extends Layer {
  readonly className = 'LayerNormalization';
  override readonly supportsMasking = true;
  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: InitializerSpec;
  readonly gammaInitializer: InitializerSpec;
  private gamma: LayerWeight | undefined;
  private beta: LayerWeight | undefined;
  private axes: number[] = [];

  constructor(args: LayerNormalizationArgs = {}) {
    if (typeof args !== 'object' || args === null) {
      invalidArgument('layerNormalization(options)', args, 'an object');
    }
    super(args);
    this.axis = checkAxisOption('layerNormalization axis', args.axis ?? -1);
    this.epsilon = checkNumberInRange('layerNormalization epsilon', args.epsilon ?? 1e-3, 0, Infinity);
    this.center = checkBoolean('layerNormalization center', args.center ?? true);
    this.scale = checkBoolean('layerNormalization scale', args.scale ?? true);
    this.betaInitializer = args.betaInitializer ?? 'zeros';
    this.gammaInitializer = args.gammaInitializer ?? 'ones';
    resolveInitializer(this.betaInitializer, 'layerNormalization betaInitializer');
    resolveInitializer(this.gammaInitializer, 'layerNormalization gammaInitializer');
    this.inputSpec = { minRank: 2, meaning: '[batch, ..., features]' };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const { axes, weightShape } = normalizedAxes(this.describe(), this.axis, shape);
    this.axes = axes;
    if (this.scale) {
      this.gamma = this.addWeight(env, {
        name: 'gamma',
        shape: weightShape,
        initializer: this.gammaInitializer,
      });
    }
    if (this.center) {
      this.beta = this.addWeight(env, {
        name: 'beta',
        shape: weightShape,
        initializer: this.betaInitializer,
      });
    }
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
    const rank = b.shape(x).length;
    const weightShape = broadcastShape(
      rank,
      this.axes,
      this.axes.map((a) => b.shape(x)[a]!),
    );
    const shaped = (w: LayerWeight | undefined) =>
      w === undefined ? undefined : b.reshape(ctx.read(w), weightShape);
    const [mu, sigma2] = [mean(b, x, this.axes, true), variance(b, x, this.axes, true)];
    return [batchNormalize(b, x, mu, sigma2, this.epsilon, shaped(this.gamma), shaped(this.beta))];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: this.betaInitializer,
      gammaInitializer: this.gammaInitializer,
    };
  }

  static fromConfig(config: Record<string, unknown>): LayerNormalization {
    return new LayerNormalization(config as LayerNormalizationArgs);
  }
}

/**
 * Layer normalization over the last axis (or `axis`).
 *
 * @example
 * layerNormalization({ epsilon: 1e-5 }); // PyTorch's nn.LayerNorm default
 */
export function layerNormalization(args: LayerNormalizationArgs = {}): LayerNormalization {
  return new LayerNormalization(args);
}
