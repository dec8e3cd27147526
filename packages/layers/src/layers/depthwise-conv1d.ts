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
  type Backend,
  checkOneOf,
  checkPositiveInteger,
  type InitializerSpec,
  resolveInitializer,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import type { BuildEnv, CallArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';
import { WindowConvolution, type WindowConvolutionArgs } from './conv1d-base.js';
import { kernelGeometry, kernelTaps } from './time-windows.js';

/** What DepthwiseConv1D and SeparableConv1D share. */
export interface DepthwiseArgs extends WindowConvolutionArgs {
  /** Default `'valid'`. */
  readonly padding?: 'valid' | 'same';
  /** Kernels per input channel (default 1). */
  readonly depthMultiplier?: number;
  /** Default `glorotUniform` (fans of `[kernelSize, channels, depthMultiplier]`, as Keras'). */
  readonly depthwiseInitializer?: InitializerSpec;
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
export abstract class DepthwiseConvolution extends WindowConvolution {
  readonly padding: 'valid' | 'same';
  readonly depthMultiplier: number;
  readonly depthwiseInitializer: InitializerSpec;
  private depthwiseKernel: LayerWeight | undefined;

  /** `factory` names the layer in errors; `ownKeys` are the subclass's own options. */
  constructor(factory: string, args: DepthwiseArgs, ownKeys: readonly string[] = []) {
    super(factory, args, [...depthwiseKeys, ...ownKeys]);
    this.padding = checkOneOf(`${factory} padding`, args.padding ?? 'valid', ['valid', 'same']);
    this.depthMultiplier = checkPositiveInteger(`${factory} depthMultiplier`, args.depthMultiplier ?? 1);
    this.depthwiseInitializer = args.depthwiseInitializer ?? 'glorotUniform';
    resolveInitializer(this.depthwiseInitializer, `${factory} depthwiseInitializer`);
  }

  protected buildKernels(env: BuildEnv, channels: number): void {
    this.depthwiseKernel = this.addWeight(env, {
      name: 'depthwise_kernel',
      shape: [this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
    });
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

  /** The config fields of the depthwise convolution. */
  protected depthwiseConfig(): Record<string, unknown> {
    return {
      ...this.windowConfig(),
      padding: this.padding,
      depthMultiplier: this.depthMultiplier,
      depthwiseInitializer: this.depthwiseInitializer,
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
