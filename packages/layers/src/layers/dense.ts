/**
 * Keras `Dense`: `activation(x·kernel + bias)` on the last axis, for inputs of any rank >= 2 (a `[batch, time, n]`
 * sequence is projected step by step). Masks pass through. Weights: `kernel` `[inputSize, units]`, `bias` `[units]`.
 */
import {
  type ActivationName,
  checkPositiveInteger,
  type InitializerSpec,
  SeqmodelError,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';
import {
  biasAndActivation,
  type KernelLayerArgs,
  kernelLayerConfig,
  kernelLayerOptionKeys,
  kernelLayerOptions,
} from './kernel-options.js';

export interface DenseArgs extends LayerArgs, KernelLayerArgs {
  readonly units: number;
}

export class Dense extends Layer {
  readonly className = 'Dense';
  override readonly supportsMasking = true;
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  private kernel: LayerWeight | undefined;
  private bias: LayerWeight | undefined;

  constructor(args: DenseArgs) {
    checkLayerOptions('dense', args, ['units', ...kernelLayerOptionKeys]);
    super(args);
    this.units = checkPositiveInteger('dense units', args.units);
    ({
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    } = kernelLayerOptions('dense', args));
    this.inputSpec = { minRank: 2, meaning: '[batch, ..., features]' };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const inputSize = shape[shape.length - 1];
    if (inputSize === null || inputSize === undefined) {
      throw new SeqmodelError(
        `${this.describe()}: the last axis of the input must be known to build, received ${formatShapeSpec(shape)}`,
      );
    }
    this.kernel = this.addWeight(env, {
      name: 'kernel',
      shape: [inputSize, this.units],
      initializer: this.kernelInitializer,
    });
    if (this.useBias)
      this.bias = this.addWeight(env, {
        name: 'bias',
        shape: [this.units],
        initializer: this.biasInitializer,
      });
    this.inputSpec = { ...this.inputSpec, axes: [{ axis: -1, size: inputSize, what: 'feature size' }] };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const shape = inputShapes[0]!;
    return [[...shape.slice(0, -1), this.units]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const shape = b.shape(x);
    const flat = shape.length === 2 ? x : b.reshape(x, [-1, shape[shape.length - 1]!]);
    const bias = this.bias === undefined ? undefined : ctx.read(this.bias);
    const y = biasAndActivation(b, b.matMul(flat, ctx.read(this.kernel!)), bias, this.activation);
    return [shape.length === 2 ? y : b.reshape(y, [...shape.slice(0, -1), this.units])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      ...kernelLayerConfig(this),
    };
  }

  static fromConfig(config: Record<string, unknown>): Dense {
    return new Dense(config as unknown as DenseArgs);
  }
}

/**
 * A fully connected layer.
 *
 * @example
 * dense({ units: 10, activation: 'softmax' });
 */
export function dense(args: DenseArgs): Dense {
  return new Dense(args);
}
