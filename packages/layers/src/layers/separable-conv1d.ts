/**
 * Keras `SeparableConv1D`: a depthwise convolution (as DepthwiseConv1D, without its bias and activation) followed by a
 * pointwise one that mixes the channels: `activation(depthwise(x) · pointwiseKernel + bias)`, `filters` output
 * channels. Weights: `depthwise_kernel` `[kernelSize, channels, depthMultiplier]`, `pointwise_kernel` `[1, channels ·
 * depthMultiplier, filters]`, `bias` `[filters]`, as Keras lays them out. As in Keras 3 it takes no mask: the mask stops
 * here.
 */
import { checkPositiveInteger, type InitializerSpec, resolveInitializer } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import type { BuildEnv, CallArgs } from '../engine/layer.js';
import type { LayerWeight } from '../engine/weight.js';
import { type DepthwiseArgs, DepthwiseConvolution } from './depthwise-conv1d.js';

export interface SeparableConv1DArgs extends DepthwiseArgs {
  /** Output channels. */
  readonly filters: number;
  /** Default `glorotUniform` (fans of `[1, channels · depthMultiplier, filters]`, as Keras'). */
  readonly pointwiseInitializer?: InitializerSpec;
}

export class SeparableConv1D extends DepthwiseConvolution {
  readonly className = 'SeparableConv1D';
  readonly filters: number;
  readonly pointwiseInitializer: InitializerSpec;
  private pointwiseKernel: LayerWeight | undefined;

  constructor(args: SeparableConv1DArgs) {
    super('separableConv1d', args, ['filters', 'pointwiseInitializer']);
    this.filters = checkPositiveInteger('separableConv1d filters', args.filters);
    this.pointwiseInitializer = args.pointwiseInitializer ?? 'glorotUniform';
    resolveInitializer(this.pointwiseInitializer, 'separableConv1d pointwiseInitializer');
  }

  protected outputChannels(_channels: number): number {
    return this.filters;
  }

  protected override buildKernels(env: BuildEnv, channels: number): void {
    super.buildKernels(env, channels);
    this.pointwiseKernel = this.addWeight(env, {
      name: 'pointwise_kernel',
      shape: [1, channels * this.depthMultiplier, this.filters],
      initializer: this.pointwiseInitializer,
    });
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const depthwise = this.depthwise(ctx, inputs[0]!);
    const [batch, outSteps, width] = b.shape(depthwise) as [number, number, number];
    const mixed = b.matMul(
      b.reshape(depthwise, [batch * outSteps, width]),
      b.reshape(ctx.read(this.pointwiseKernel!), [width, this.filters]),
    );
    return [b.reshape(this.finish(ctx, mixed), [batch, outSteps, this.filters])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      ...this.depthwiseConfig(),
      pointwiseInitializer: this.pointwiseInitializer,
    };
  }

  static fromConfig(config: Record<string, unknown>): SeparableConv1D {
    return new SeparableConv1D(config as unknown as SeparableConv1DArgs);
  }
}

/**
 * A depthwise separable 1D convolution over time: per-channel kernels, then a pointwise mix of the channels (fewer
 * weights than Conv1D for the same window).
 *
 * @example
 * separableConv1d({ filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' });
 */
export function separableConv1d(args: SeparableConv1DArgs): SeparableConv1D {
  return new SeparableConv1D(args);
}
