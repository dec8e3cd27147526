/**
 * Keras `BatchNormalization` over the last (feature) axis, for inputs of any rank >= 2 (`[batch, features]`, or a
 * `[batch, steps, features]` sequence, as after a `Conv1D`):
 *
 *   y = (x − mean) / sqrt(variance + epsilon) · gamma + beta,
 *
 * computed as Keras does, `inv = gamma / sqrt(variance + epsilon)`, `y = x·inv + (beta − mean·inv)`.
 *
 * In a training pass (`fit`, or `training: true`) of a trainable layer, mean and variance are the batch's, over every
 * axis but the features (the population variance); steps a mask marks as padding are left out of both, as in Keras 3.
 * The pass then moves the non-trainable `moving_mean` and `moving_variance` towards them,
 * `moving = moving·momentum + batch·(1 − momentum)`, assigned once the whole pass has run (in `fit`, once the step's
 * update has been applied: a step that fails leaves them). Otherwise (inference, or a layer frozen with `trainable`
 * false, itself or through a wrapper, as in Keras) the moving statistics normalize. Masks pass through. Truncated BPTT
 * refuses a trainable one (its statistics span the whole sequence); inside `TimeDistributed` each step is normalized
 * with its own statistics in training, as Keras does.
 *
 * Weights, in Keras order: `gamma` (ones; with `scale`), `beta` (zeros; with `center`), `moving_mean` (zeros) and
 * `moving_variance` (ones), all `[features]`. PyTorch's `BatchNorm1d` differs in its defaults (`momentum: 0.1` there
 * is `momentum: 0.9` here, `eps` 1e-5) and keeps the unbiased variance in `running_var`; the batch mean and variance
 * here are computed in two passes (mean, then mean squared deviation), as tfjs-layers does, where Keras' TensorFlow
 * backend takes E[x²] − E[x]² (the same value within float32 rounding for data of moderate mean).
 */
import {
  batchNormalize,
  checkBoolean,
  checkNumberInRange,
  type InitializerSpec,
  invalidArgument,
  mean,
  resolveInitializer,
  SeqmodelError,
  variance,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';

export interface BatchNormalizationArgs extends LayerArgs {
  /** The feature axis, which is not reduced: the last (-1, the default; or its positive index). */
  readonly axis?: number;
  /** Weight of the old value in the moving averages (default 0.99; PyTorch's `momentum` m is 1 − m here). */
  readonly momentum?: number;
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
  /** Default `zeros`. */
  readonly movingMeanInitializer?: InitializerSpec;
  /** Default `ones`. */
  readonly movingVarianceInitializer?: InitializerSpec;
}

/** Keras' `backend.epsilon()`, added to the count of unmasked entries in the masked moments. */
const MASK_EPSILON = 1e-7;

export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  override readonly supportsMasking = true;
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: InitializerSpec;
  readonly gammaInitializer: InitializerSpec;
  readonly movingMeanInitializer: InitializerSpec;
  readonly movingVarianceInitializer: InitializerSpec;
  private gamma: LayerWeight | undefined;
  private beta: LayerWeight | undefined;
  private movingMean: LayerWeight | undefined;
  private movingVariance: LayerWeight | undefined;

  constructor(args: BatchNormalizationArgs = {}) {
    checkLayerOptions('batchNormalization', args, [
      'axis',
      'momentum',
      'epsilon',
      'center',
      'scale',
      'betaInitializer',
      'gammaInitializer',
      'movingMeanInitializer',
      'movingVarianceInitializer',
    ]);
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis))
      invalidArgument('batchNormalization axis', axis, 'an integer (-1: the last axis)');
    this.axis = axis;
    this.momentum = checkNumberInRange('batchNormalization momentum', args.momentum ?? 0.99, 0, 1);
    this.epsilon = checkNumberInRange('batchNormalization epsilon', args.epsilon ?? 1e-3, 0, Infinity);
    this.center = checkBoolean('batchNormalization center', args.center ?? true);
    this.scale = checkBoolean('batchNormalization scale', args.scale ?? true);
    this.betaInitializer = args.betaInitializer ?? 'zeros';
    this.gammaInitializer = args.gammaInitializer ?? 'ones';
    this.movingMeanInitializer = args.movingMeanInitializer ?? 'zeros';
    this.movingVarianceInitializer = args.movingVarianceInitializer ?? 'ones';
    for (const [option, spec] of [
      ['betaInitializer', this.betaInitializer],
      ['gammaInitializer', this.gammaInitializer],
      ['movingMeanInitializer', this.movingMeanInitializer],
      ['movingVarianceInitializer', this.movingVarianceInitializer],
    ] as const) {
      resolveInitializer(spec, `batchNormalization ${option}`);
    }
    this.inputSpec = { minRank: 2, meaning: '[batch, ..., features]' };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    if (this.axis !== -1 && this.axis !== shape.length - 1) {
      throw new SeqmodelError(
        `${this.describe()} axis: received ${this.axis} for an input of rank ${shape.length} (${formatShapeSpec(shape)}); only the last axis (-1) is supported: move the features there first (a permute layer)`,
      );
    }
    const features = shape[shape.length - 1];
    if (features === null || features === undefined) {
      throw new SeqmodelError(
        `${this.describe()}: the last axis of the input must be known to build, received ${formatShapeSpec(shape)}`,
      );
    }
    const weight = (name: string, initializer: InitializerSpec, trainable: boolean) =>
      this.addWeight(env, { name, shape: [features], initializer, trainable });
    if (this.scale) this.gamma = weight('gamma', this.gammaInitializer, true);
    if (this.center) this.beta = weight('beta', this.betaInitializer, true);
    this.movingMean = weight('moving_mean', this.movingMeanInitializer, false);
    this.movingVariance = weight('moving_variance', this.movingVarianceInitializer, false);
    this.inputSpec = {
      ...this.inputSpec,
      rank: shape.length,
      axes: [{ axis: -1, size: features, what: 'feature size' }],
    };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    let mu: T;
    let sigma2: T;
    if (this.rowsInteract(ctx)) {
      ({ mu, sigma2 } = this.moments(ctx, x, args.masks[0]));
      const m = this.momentum;
      const moved = (w: LayerWeight, batch: T) => b.add(b.mul(ctx.read(w), m), b.mul(batch, 1 - m));
      ctx.recordWeightUpdate(this.movingMean!, moved(this.movingMean!, mu));
      ctx.recordWeightUpdate(this.movingVariance!, moved(this.movingVariance!, sigma2));
    } else {
      mu = ctx.read(this.movingMean!);
      sigma2 = ctx.read(this.movingVariance!);
    }
    const read = (w: LayerWeight | undefined) => (w === undefined ? undefined : ctx.read(w));
    return [batchNormalize(b, x, mu, sigma2, this.epsilon, read(this.gamma), read(this.beta))];
  }

  /**
   * Whether a call in `ctx` normalizes with the batch's statistics (training, and neither the layer nor a wrapper
   * frozen), so that each row's output depends on the other rows: `TimeDistributed` then calls the layer step by
   * step, as Keras does, instead of folding the steps into the batch.
   */
  rowsInteract<T>(ctx: CallContext<T>): boolean {
    return ctx.training && this.trainable && !ctx.frozen;
  }

  /**
   * On a sequence (`[batch, steps, features]`, or before the layer is built) the training statistics span every
   * step of the batch, so truncated BPTT, which runs a sequence in chunks, refuses the layer (it skips frozen layers,
   * which normalize each step with their moving statistics). On `[batch, features]` (after a recurrent layer's last
   * step, or inside `TimeDistributed`) there are no steps to mix.
   */
  get mixesStepsInTraining(): boolean {
    return (this.buildShapes?.[0]?.length ?? 3) >= 3;
  }

  /**
   * The batch's mean and variance `[features]` over every other axis; with a mask (`[batch, steps]` for a sequence),
   * Keras 3's weighted moments: masked steps left out, the count of the others plus 1e-7 as the divisor.
   */
  private moments<T>(ctx: CallContext<T>, x: T, mask: T | undefined): { mu: T; sigma2: T } {
    const b = ctx.backend;
    const shape = b.shape(x);
    const axes = shape.slice(0, -1).map((_, i) => i);
    if (mask === undefined) return { mu: mean(b, x, axes), sigma2: variance(b, x, axes) };
    const valid = b.reshape(mask, [...shape.slice(0, -1), 1]);
    // The unmasked steps, the same count for every feature (Keras sums the mask broadcast over the features).
    const count = b.add(b.sum(valid, axes, true), MASK_EPSILON);
    // `where`, not Keras' product with the mask: the same sums for finite values, and a non-finite value at a masked
    // step stays out.
    const mu = b.div(b.sum(b.where(valid, x, 0), axes, true), count);
    const deviation = b.where(valid, b.sub(x, mu), 0);
    const sigma2 = b.div(b.sum(b.mul(deviation, deviation), axes, true), count);
    const features = [shape[shape.length - 1]!];
    return { mu: b.reshape(mu, features), sigma2: b.reshape(sigma2, features) };
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: this.betaInitializer,
      gammaInitializer: this.gammaInitializer,
      movingMeanInitializer: this.movingMeanInitializer,
      movingVarianceInitializer: this.movingVarianceInitializer,
    };
  }

  static fromConfig(config: Record<string, unknown>): BatchNormalization {
    return new BatchNormalization(config as BatchNormalizationArgs);
  }
}

/**
 * Batch normalization over the last axis: batch statistics in training, moving averages of them at inference.
 *
 * @example
 * sequential([conv1d({ filters: 16, kernelSize: 3 }), batchNormalization(), activation({ activation: 'relu' })], {
 *   backend,
 *   inputShape: [null, 8],
 * });
 */
export function batchNormalization(args: BatchNormalizationArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}
