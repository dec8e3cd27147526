/**
 * What Keras' 1D convolutions share. `WindowConvolution` (every one of them): a window of `kernelSize` taps
 * `dilationRate` steps apart moved `strides` steps at a time, the `activation`, `useBias` and bias initializer
 * options, kernels built once the input's channel count is known and a bias after them, and `activation(· + bias)` on
 * the output; each output reads (or each input feeds) several steps, so `model.stream()` and truncated BPTT refuse
 * them. `Conv1DBase` (`Conv1D` and `Conv1DTranspose`, as Keras' `BaseConv` and `BaseConvTranspose`) adds `filters`
 * output channels and one `kernel`; the depthwise convolutions (`depthwise-conv1d.ts`) add theirs. Subclasses add their
 * padding and their computation.
 */
import { type ActivationName, checkPositiveInteger, type InitializerSpec } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';
import {
  biasAndActivation,
  type KernelLayerArgs,
  kernelLayerOptionKeys,
  kernelLayerOptions,
} from './kernel-options.js';
import { checkStridesAndDilation, checkWindowInteger, knownChannels } from './time-windows.js';

/** The window and the options after the kernels (`activation`, `useBias`, `biasInitializer`). */
export interface WindowConvolutionArgs extends LayerArgs {
  /** Taps of the kernel (a number, or `[n]` as Keras writes it). */
  readonly kernelSize: number | readonly [number];
  /** Steps between outputs (default 1). */
  readonly strides?: number | readonly [number];
  /** Steps between taps (default 1); above 1 only with `strides` 1, as in Keras. */
  readonly dilationRate?: number | readonly [number];
  /** Default `linear`. */
  readonly activation?: ActivationName;
  /** Default true. */
  readonly useBias?: boolean;
  /** Default `zeros`. */
  readonly biasInitializer?: InitializerSpec;
}

export abstract class WindowConvolution extends Layer {
  readonly kernelSize: number;
  readonly strides: number;
  readonly dilationRate: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly biasInitializer: InitializerSpec;
  private bias: LayerWeight | undefined;

  /** `factory` names the layer in errors (`conv1d strides`); `keys` are every option it takes. */
  constructor(factory: string, args: WindowConvolutionArgs, keys: readonly string[]) {
    checkLayerOptions(factory, args, keys);
    super(args);
    this.kernelSize = checkWindowInteger(`${factory} kernelSize`, args.kernelSize);
    ({ strides: this.strides, dilationRate: this.dilationRate } = checkStridesAndDilation(factory, args));
    ({
      activation: this.activation,
      useBias: this.useBias,
      biasInitializer: this.biasInitializer,
    } = kernelLayerOptions(factory, args));
    this.inputSpec = { rank: 3, meaning: '[batch, steps, channels]' };
  }

  /** Adds the layer's kernels for inputs of `channels` channels, in Keras' weight order. */
  protected abstract buildKernels(env: BuildEnv, channels: number): void;

  /** Output channels, for inputs of `channels` channels (the bias's size). */
  protected abstract outputChannels(channels: number): number;

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const channels = knownChannels(this.describe(), inputShapes[0]!);
    this.buildKernels(env, channels);
    if (this.useBias) {
      this.bias = this.addWeight(env, {
        name: 'bias',
        shape: [this.outputChannels(channels)],
        initializer: this.biasInitializer,
      });
    }
    this.inputSpec = { ...this.inputSpec, axes: [{ axis: -1, size: channels, what: 'channel count' }] };
  }

  /** Each output reads several time steps: `model.stream()` and truncated BPTT refuse the layer. */
  get mixesSteps(): boolean {
    return true;
  }

  /** `activation(y + bias)`, the bias left out without `useBias`. */
  protected finish<T>(ctx: CallContext<T>, y: T): T {
    const bias = this.bias === undefined ? undefined : ctx.read(this.bias);
    return biasAndActivation(ctx.backend, y, bias, this.activation);
  }

  /** The config fields of the window and the options after the kernels. */
  protected windowConfig(): Record<string, unknown> {
    return {
      kernelSize: this.kernelSize,
      strides: this.strides,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
      biasInitializer: this.biasInitializer,
    };
  }
}

/** With `activation`, `useBias` and the initializers (the kernel's fans count the taps, as Keras'). */
export interface Conv1DBaseArgs extends WindowConvolutionArgs, KernelLayerArgs {
  /** Output channels. */
  readonly filters: number;
}

export abstract class Conv1DBase extends WindowConvolution {
  readonly filters: number;
  readonly kernelInitializer: InitializerSpec;
  private kernel: LayerWeight | undefined;

  /** `factory` names the layer in errors (`conv1d strides`); `ownKeys` are the subclass's own options. */
  constructor(factory: string, args: Conv1DBaseArgs, ownKeys: readonly string[]) {
    super(factory, args, [
      'filters',
      'kernelSize',
      'strides',
      'dilationRate',
      ...ownKeys,
      ...kernelLayerOptionKeys,
    ]);
    this.filters = checkPositiveInteger(`${factory} filters`, args.filters);
    // Checked with the other kernel options by WindowConvolution's kernelLayerOptions.
    this.kernelInitializer = args.kernelInitializer ?? 'glorotUniform';
  }

  /** The kernel's shape for inputs of `channels` channels. */
  protected abstract kernelShape(channels: number): number[];

  protected buildKernels(env: BuildEnv, channels: number): void {
    this.kernel = this.addWeight(env, {
      name: 'kernel',
      shape: this.kernelShape(channels),
      initializer: this.kernelInitializer,
    });
  }

  protected outputChannels(_channels: number): number {
    return this.filters;
  }

  /** The kernel's value in this call. */
  protected readKernel<T>(ctx: CallContext<T>): T {
    return ctx.read(this.kernel!);
  }

  /** The config fields every convolution with `filters` has. */
  protected convolutionConfig(): Record<string, unknown> {
    return { filters: this.filters, ...this.windowConfig(), kernelInitializer: this.kernelInitializer };
  }
}
