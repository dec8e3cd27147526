/**
 * Keras `Conv1D`: a convolution along the time axis of `[batch, steps, channels]`, `activation(conv(x, kernel) +
 * bias)` with `filters` output channels, `kernelSize` taps `dilationRate` steps apart, moved `strides` steps at a time.
 * `padding`: `'valid'` (no padding), `'same'` (zeros on both sides, the extra one on the right, so that `strides` 1
 * keeps the length) or `'causal'` (zeros on the left only: output t sees steps up to t). Weights: `kernel`
 * `[kernelSize, channels, filters]`, `bias` `[filters]`, as Keras lays them out.
 *
 * Written with the backend's ops (zeros concatenated for padding, one slice or gather per tap, one product), so every
 * backend runs it and differentiates it. As in Keras 3 it takes no mask: masked steps are convolved like the others,
 * and the mask stops here.
 */
import {
  type ActivationName,
  checkOneOf,
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
import { checkWindowInteger, conv1dGeometry, type WindowPadding, windowTaps } from './time-windows.js';

export type Conv1DPadding = WindowPadding;

/** With `activation`, `useBias` and the initializers (the kernel's fans count the taps, as Keras'). */
export interface Conv1DArgs extends LayerArgs, KernelLayerArgs {
  /** Output channels. */
  readonly filters: number;
  /** Taps of the kernel (a number, or `[n]` as Keras writes it). */
  readonly kernelSize: number | readonly [number];
  /** Steps between outputs (default 1). */
  readonly strides?: number | readonly [number];
  /** Default `'valid'`. */
  readonly padding?: Conv1DPadding;
  /** Steps between taps (default 1); above 1 only with `strides` 1, as in Keras. */
  readonly dilationRate?: number | readonly [number];
}

const conv1dOptionKeys = [
  'filters',
  'kernelSize',
  'strides',
  'padding',
  'dilationRate',
  ...kernelLayerOptionKeys,
];

export class Conv1D extends Layer {
  readonly className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Conv1DPadding;
  readonly dilationRate: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  private kernel: LayerWeight | undefined;
  private bias: LayerWeight | undefined;

  constructor(args: Conv1DArgs) {
    checkLayerOptions('conv1d', args, conv1dOptionKeys);
    super(args);
    this.filters = checkPositiveInteger('conv1d filters', args.filters);
    this.kernelSize = checkWindowInteger('conv1d kernelSize', args.kernelSize);
    this.strides = checkWindowInteger('conv1d strides', args.strides, 1);
    this.dilationRate = checkWindowInteger('conv1d dilationRate', args.dilationRate, 1);
    if (this.strides > 1 && this.dilationRate > 1) {
      throw new SeqmodelError(
        `conv1d strides and dilationRate: expected one of them to be 1 (as Keras), received strides ${this.strides} and dilationRate ${this.dilationRate}`,
      );
    }
    this.padding = checkOneOf('conv1d padding', args.padding ?? 'valid', ['valid', 'same', 'causal']);
    ({
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    } = kernelLayerOptions('conv1d', args));
    this.inputSpec = { rank: 3, meaning: '[batch, steps, channels]' };
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const channels = shape[2];
    if (channels === null || channels === undefined) {
      throw new SeqmodelError(
        `${this.describe()}: the channels axis of the input must be known to build, received ${formatShapeSpec(shape)}`,
      );
    }
    this.kernel = this.addWeight(env, {
      name: 'kernel',
      shape: [this.kernelSize, channels, this.filters],
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

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps] = inputShapes[0]! as [number | null, number | null];
    return [[batch, steps === null ? null : this.geometry(steps).outSteps, this.filters]];
  }

  /** The output length and padding for `steps` input steps; too few steps for one window of taps is an error. */
  private geometry(steps: number): { outSteps: number; padLeft: number; padRight: number } {
    const g = conv1dGeometry(steps, this.kernelSize, this.strides, this.dilationRate, this.padding);
    if (g.outSteps < 1) {
      throw new SeqmodelError(
        `${this.describe()}: input of ${steps} steps is shorter than the kernel's span of ${this.dilationRate * (this.kernelSize - 1) + 1} steps; expected at least that many, or padding 'same' or 'causal'`,
      );
    }
    return g;
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, steps, channels] = b.shape(x) as [number, number, number];
    const k = this.kernelSize;
    const { outSteps, padLeft, padRight } = this.geometry(steps);
    const taps = windowTaps(b, x, {
      size: k,
      strides: this.strides,
      dilationRate: this.dilationRate,
      outSteps,
      padLeft,
      padRight,
      padValue: 0,
    });
    const patches = k === 1 ? taps[0]! : b.concat(taps, 2);
    const product = b.matMul(
      b.reshape(patches, [batch * outSteps, k * channels]),
      b.reshape(ctx.read(this.kernel!), [k * channels, this.filters]),
    );
    const bias = this.bias === undefined ? undefined : ctx.read(this.bias);
    const y = biasAndActivation(b, product, bias, this.activation);
    return [b.reshape(y, [batch, outSteps, this.filters])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      ...kernelLayerConfig(this),
    };
  }

  static fromConfig(config: Record<string, unknown>): Conv1D {
    return new Conv1D(config as unknown as Conv1DArgs);
  }
}

/**
 * A 1D convolution over time.
 *
 * @example
 * conv1d({ filters: 16, kernelSize: 3, padding: 'causal', activation: 'relu' });
 */
export function conv1d(args: Conv1DArgs): Conv1D {
  return new Conv1D(args);
}
