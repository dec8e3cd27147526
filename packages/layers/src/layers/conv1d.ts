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
import { checkOneOf } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import type { CallArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { Conv1DBase, type Conv1DBaseArgs } from './conv1d-base.js';
import { kernelGeometry, kernelTaps, type WindowPadding } from './time-windows.js';

/** The paddings that let an input shorter than the kernel through, in errors. */
const PADDINGS = "'same' or 'causal'";

export type Conv1DPadding = WindowPadding;

/** With `activation`, `useBias` and the initializers (the kernel's fans count the taps, as Keras'). */
export interface Conv1DArgs extends Conv1DBaseArgs {
  /** Default `'valid'`. */
  readonly padding?: Conv1DPadding;
}

export class Conv1D extends Conv1DBase {
  readonly className = 'Conv1D';
  readonly padding: Conv1DPadding;

  constructor(args: Conv1DArgs) {
    super('conv1d', args, ['padding']);
    this.padding = checkOneOf('conv1d padding', args.padding ?? 'valid', ['valid', 'same', 'causal']);
  }

  protected kernelShape(channels: number): number[] {
    return [this.kernelSize, channels, this.filters];
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps] = inputShapes[0]! as [number | null, number | null];
    return [[batch, steps === null ? null : this.geometry(steps).outSteps, this.filters]];
  }

  /** The output length and padding for `steps` input steps; too few steps for one window of taps is an error. */
  private geometry(steps: number): { outSteps: number; padLeft: number; padRight: number } {
    return kernelGeometry(this.describe(), steps, this, PADDINGS);
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, , channels] = b.shape(x) as [number, number, number];
    const k = this.kernelSize;
    const { taps, outSteps } = kernelTaps(b, x, this.describe(), this, PADDINGS);
    const patches = k === 1 ? taps[0]! : b.concat(taps, 2);
    const product = b.matMul(
      b.reshape(patches, [batch * outSteps, k * channels]),
      b.reshape(this.readKernel(ctx), [k * channels, this.filters]),
    );
    return [b.reshape(this.finish(ctx, product), [batch, outSteps, this.filters])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      ...this.convolutionConfig(),
      padding: this.padding,
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
