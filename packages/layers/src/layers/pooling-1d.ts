/**
 * What Keras' `MaxPooling1D` and `AveragePooling1D` share: windows of `poolSize` steps moved `strides` steps at a
 * time (default `poolSize`) along `[batch, steps, channels]`, `padding` `'valid'` (whole windows only) or `'same'`
 * (`ceil(steps / strides)` outputs, the window padded on both sides, the extra step on the right). Written with the
 * backend's ops (one slice or gather per window position within the pool), so every backend runs and differentiates
 * it. As in Keras 3 they take no mask: masked steps count like the others, and the mask stops here.
 */
import { checkOneOf, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { checkWindowInteger, conv1dGeometry, windowTaps } from './time-windows.js';

export interface Pooling1DArgs extends LayerArgs {
  /** Steps per window (default 2; a number or `[n]`). */
  readonly poolSize?: number | readonly [number];
  /** Steps between windows (default `poolSize`). */
  readonly strides?: number | readonly [number];
  /** Default `'valid'`. */
  readonly padding?: 'valid' | 'same';
}

export abstract class Pooling1D extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: 'valid' | 'same';

  constructor(factory: string, args: Pooling1DArgs) {
    checkLayerOptions(factory, args, ['poolSize', 'strides', 'padding']);
    super(args);
    this.poolSize = checkWindowInteger(`${factory} poolSize`, args.poolSize, 2);
    this.strides = checkWindowInteger(`${factory} strides`, args.strides, this.poolSize);
    this.padding = checkOneOf(`${factory} padding`, args.padding ?? 'valid', ['valid', 'same']);
    this.inputSpec = { rank: 3, meaning: '[batch, steps, channels]' };
  }

  /** Each output reads several time steps: `model.stream()` and truncated BPTT refuse the layer. */
  get mixesSteps(): boolean {
    return true;
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps, channels] = inputShapes[0]! as [number | null, number | null, number | null];
    return [[batch, steps === null ? null : this.geometry(steps).outSteps, channels]];
  }

  /** The output length and padding for `steps` input steps; too few steps for one window is an error. */
  private geometry(steps: number): { outSteps: number; padLeft: number; padRight: number } {
    const g = conv1dGeometry(steps, this.poolSize, this.strides, 1, this.padding);
    if (g.outSteps < 1) {
      throw new SeqmodelError(
        `${this.describe()}: input of ${steps} steps is shorter than the pool of ${this.poolSize}; expected at least that many steps, or padding 'same'`,
      );
    }
    return g;
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const steps = b.shape(x)[1]!;
    const { outSteps, padLeft, padRight } = this.geometry(steps);
    const taps = windowTaps(b, x, {
      size: this.poolSize,
      strides: this.strides,
      dilationRate: 1,
      outSteps,
      padLeft,
      padRight,
      padValue: this.padValue,
    });
    return [this.reduce(ctx, taps, { outSteps, padLeft, steps })];
  }

  /** What the padding steps hold: −∞ for max (never the maximum), 0 for the average (left out of its count). */
  protected abstract readonly padValue: number;

  /** The pooled `[batch, outSteps, channels]` from the window positions' values. */
  protected abstract reduce<T>(
    ctx: CallContext<T>,
    taps: readonly T[],
    geometry: { outSteps: number; padLeft: number; steps: number },
  ): T;

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}
