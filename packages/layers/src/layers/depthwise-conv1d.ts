/**
 * Keras `DepthwiseConv1D`: a convolution along the time axis of `[batch, steps, channels]` in which each input channel
 * has its own `depthMultiplier` kernels and sees only itself: output channel `c · depthMultiplier + m` is
 * `activation(Σ_j x[t · strides + j · dilationRate, c] · depthwiseKernel[j, c, m] + bias)`. Padding `'valid'` or
 * `'same'` as Conv1D's. Weights: `depthwise_kernel` `[kernelSize, channels, depthMultiplier]`, `bias`
 * `[channels · depthMultiplier]`, as Keras lays them out.
 *
 * Written with the backend's ops (one slice or gather per tap, as Conv1D, then a broadcast product per tap), so every
 * backend runs it and differentiates it. As in Keras 3 it takes no mask: the mask stops here.
 */
import {
  type ActivationName,
  type Backend,
  checkOneOf,
  checkPositiveInteger,
  type InitializerSpec,
  resolveInitializer,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type BuildEnv, type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';
import { biasAndActivation, kernelLayerOptions } from './kernel-options.js';
import {
  checkStridesAndDilation,
  checkWindowInteger,
  kernelGeometry,
  kernelTaps,
  knownChannels,
} from './time-windows.js';

/** What DepthwiseConv1D and SeparableConv1D share. */
export interface DepthwiseArgs extends LayerArgs {
  /** Taps of the kernel (a number, or `[n]` as Keras writes it). */
  readonly kernelSize: number | readonly [number];
  /** Steps between outputs (default 1). */
  readonly strides?: number | readonly [number];
  /** Default `'valid'`. */
  readonly padding?: 'valid' | 'same';
  /** Kernels per input channel (default 1). */
  readonly depthMultiplier?: number;
  /** Steps between taps (default 1); above 1 only with `strides` 1, as in Keras. */
  readonly dilationRate?: number | readonly [number];
  /** Default `linear`. */
  readonly activation?: ActivationName;
  /** Default true. */
  readonly useBias?: boolean;
  /** Default `glorotUniform` (fans of `[kernelSize, channels, depthMultiplier]`, as Keras'). */
  readonly depthwiseInitializer?: InitializerSpec;
  /** Default `zeros`. */
  readonly biasInitializer?: InitializerSpec;
}

export type DepthwiseConv1DArgs = DepthwiseArgs;

const depthwiseKeys = [
  'kernelSize',
  'strides',
  'padding',
  'depthMultiplier',
  'dilationRate',
  'activation',
  'useBias',
  'depthwiseInitializer',
  'biasInitializer',
];

/**
 * The depthwise convolution of DepthwiseConv1D and SeparableConv1D: its options, its kernel, and `[batch, outSteps,
 * channels · depthMultiplier]` from an input. Subclasses add what follows it.
 */
export abstract class DepthwiseConvolution extends Layer {
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'valid' | 'same';
  readonly depthMultiplier: number;
  readonly dilationRate: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly depthwiseInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  private depthwiseKernel: LayerWeight | undefined;
  private bias: LayerWeight | undefined;

  /** `factory` names the layer in errors; `ownKeys` are the subclass's own options. */
  constructor(factory: string, args: DepthwiseArgs, ownKeys: readonly string[] = []) {
    checkLayerOptions(factory, args, [...depthwiseKeys, ...ownKeys]);
    super(args);
    this.kernelSize = checkWindowInteger(`${factory} kernelSize`, args.kernelSize);
    ({ strides: this.strides, dilationRate: this.dilationRate } = checkStridesAndDilation(factory, args));
    this.padding = checkOneOf(`${factory} padding`, args.padding ?? 'valid', ['valid', 'same']);
    this.depthMultiplier = checkPositiveInteger(`${factory} depthMultiplier`, args.depthMultiplier ?? 1);
    ({
      activation: this.activation,
      useBias: this.useBias,
      biasInitializer: this.biasInitializer,
    } = kernelLayerOptions(factory, args));
    this.depthwiseInitializer = args.depthwiseInitializer ?? 'glorotUniform';
    resolveInitializer(this.depthwiseInitializer, `${factory} depthwiseInitializer`);
    this.inputSpec = { rank: 3, meaning: '[batch, steps, channels]' };
  }

  /** Output channels, for inputs of `channels` channels. */
  protected abstract outputChannels(channels: number): number;

  /** Weights after the depthwise kernel and before the bias (SeparableConv1D's pointwise kernel). */
  protected buildMiddle(_env: BuildEnv, _channels: number): void {}

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const channels = knownChannels(this.describe(), inputShapes[0]!);
    this.depthwiseKernel = this.addWeight(env, {
      name: 'depthwise_kernel',
      shape: [this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
    });
    this.buildMiddle(env, channels);
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

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps, channels] = inputShapes[0]! as [number | null, number | null, number | null];
    return [
      [
        batch,
        steps === null ? null : kernelGeometry(this.describe(), steps, this, "'same'").outSteps,
        channels === null ? null : this.outputChannels(channels),
      ],
    ];
  }

  /** The depthwise convolution of `x`: `[batch, outSteps, channels · depthMultiplier]`, channel-major. */
  protected depthwise<T>(ctx: CallContext<T>, x: T): T {
    const b = ctx.backend;
    const [batch, , channels] = b.shape(x) as [number, number, number];
    const m = this.depthMultiplier;
    const { taps, outSteps } = kernelTaps(b, x, this.describe(), this, "'same'");
    const kernel = ctx.read(this.depthwiseKernel!);
    // Σ_j tap_j[b, t, c, 1] · kernel[j, c, m]: each channel times its own kernels.
    const sum = taps
      .map((tap, j) =>
        b.mul(b.reshape(tap, [batch, outSteps, channels, 1]), tapKernel(b, kernel, j, channels, m)),
      )
      .reduce((total, term) => b.add(total, term));
    return b.reshape(sum, [batch, outSteps, channels * m]);
  }

  /** `activation(y + bias)`, the bias left out without `useBias`. */
  protected finish<T>(ctx: CallContext<T>, y: T): T {
    const bias = this.bias === undefined ? undefined : ctx.read(this.bias);
    return biasAndActivation(ctx.backend, y, bias, this.activation);
  }

  /** The config fields of the depthwise convolution. */
  protected depthwiseConfig(): Record<string, unknown> {
    return {
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      depthMultiplier: this.depthMultiplier,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
      depthwiseInitializer: this.depthwiseInitializer,
      biasInitializer: this.biasInitializer,
    };
  }
}

/** Tap `j` of a `[kernelSize, channels, m]` kernel, `[channels, m]`. */
function tapKernel<T>(b: Backend<T>, kernel: T, j: number, channels: number, m: number): T {
  return b.reshape(b.slice(kernel, [j, 0, 0], [1, channels, m]), [channels, m]);
}

export class DepthwiseConv1D extends DepthwiseConvolution {
  readonly className = 'DepthwiseConv1D';

  constructor(args: DepthwiseConv1DArgs) {
    super('depthwiseConv1d', args);
  }

  protected outputChannels(channels: number): number {
    return channels * this.depthMultiplier;
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [this.finish(ctx, this.depthwise(ctx, inputs[0]!))];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.depthwiseConfig() };
  }

  static fromConfig(config: Record<string, unknown>): DepthwiseConv1D {
    return new DepthwiseConv1D(config as unknown as DepthwiseConv1DArgs);
  }
}

/**
 * A depthwise 1D convolution over time: each channel convolved with its own kernels.
 *
 * @example
 * depthwiseConv1d({ kernelSize: 5, depthMultiplier: 2, padding: 'same' }); // [batch, n, c] → [batch, n, 2c]
 */
export function depthwiseConv1d(args: DepthwiseConv1DArgs): DepthwiseConv1D {
  return new DepthwiseConv1D(args);
}
