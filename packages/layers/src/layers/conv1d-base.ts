/**
 * What Keras' 1D convolutions (`Conv1D` and `Conv1DTranspose`, as Keras' `BaseConv` and `BaseConvTranspose`) share:
 * `filters` output channels, a kernel of `kernelSize` taps `dilationRate` steps apart, `strides`, the `activation`,
 * `useBias` and initializer options, a kernel and a bias built once the input's channel count is known, and
 * `activation(· + bias)` on the output. Each output reads (or each input feeds) several steps, so `model.stream()` and
 * truncated BPTT refuse them. Subclasses add their padding and their computation.
 */
import { type ActivationName, checkPositiveInteger, type InitializerSpec } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';
import {
  biasAndActivation,
  type KernelLayerArgs,
  kernelLayerConfig,
  kernelLayerOptionKeys,
  kernelLayerOptions,
} from './kernel-options.js';
import { checkStridesAndDilation, checkWindowInteger, knownChannels } from './time-windows.js';

/** With `activation`, `useBias` and the initializers (the kernel's fans count the taps, as Keras'). */
export interface Conv1DBaseArgs extends LayerArgs, KernelLayerArgs {
  /** Output channels. */
  readonly filters: number;
  /** Taps of the kernel (a number, or `[n]` as Keras writes it). */
  readonly kernelSize: number | readonly [number];
  /** Steps between outputs (default 1). */
  readonly strides?: number | readonly [number];
  /** Steps between taps (default 1); above 1 only with `strides` 1, as in Keras. */
  readonly dilationRate?: number | readonly [number];
}

export abstract class Conv1DBase extends Layer {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly dilationRate: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  private kernel: LayerWeight | undefined;
  private bias: LayerWeight | undefined;

  /** `factory` names the layer in errors (`conv1d strides`); `ownKeys` are the subclass's own options. */
  constructor(factory: string, args: Conv1DBaseArgs, ownKeys: readonly string[]) {
    checkLayerOptions(factory, args, [
      'filters',
      'kernelSize',
      'strides',
      'dilationRate',
      ...ownKeys,
      ...kernelLayerOptionKeys,
    ]);
    super(args);
    this.filters = checkPositiveInteger(`${factory} filters`, args.filters);
    this.kernelSize = checkWindowInteger(`${factory} kernelSize`, args.kernelSize);
    ({ strides: this.strides, dilationRate: this.dilationRate } = checkStridesAndDilation(factory, args));
    ({
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    } = kernelLayerOptions(factory, args));
    this.inputSpec = { rank: 3, meaning: '[batch, steps, channels]' };
  }

  /** The kernel's shape for inputs of `channels` channels. */
  protected abstract kernelShape(channels: number): number[];

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const channels = knownChannels(this.describe(), inputShapes[0]!);
    this.kernel = this.addWeight(env, {
      name: 'kernel',
      shape: this.kernelShape(channels),
      initializer: this.kernelInitializer,
    });
    if (this.useBias) {
      this.bias = this.addWeight(env, {
        name: 'bias',
        shape: [this.filters],
        initializer: this.biasInitializer,
      });
    }
    this.inputSpec = { ...this.inputSpec, axes: [{ axis: -1, size: channels, what: 'channel count' }] };
  }

  /** Each output reads several time steps: `model.stream()` and truncated BPTT refuse the layer. */
  get mixesSteps(): boolean {
    return true;
  }

  /** The kernel's value in this call. */
  protected readKernel<T>(ctx: CallContext<T>): T {
    return ctx.read(this.kernel!);
  }

  /** `activation(y + bias)`, the bias left out without `useBias`. */
  protected finish<T>(ctx: CallContext<T>, y: T): T {
    const bias = this.bias === undefined ? undefined : ctx.read(this.bias);
    return biasAndActivation(ctx.backend, y, bias, this.activation);
  }

  /** The config fields every convolution has. */
  protected convolutionConfig(): Record<string, unknown> {
    return {
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      dilationRate: this.dilationRate,
      ...kernelLayerConfig(this),
    };
  }
}
