/**
 * Keras `Conv1DTranspose`: the transpose of a 1D convolution (a "deconvolution"), which lengthens sequences: each
 * input step `t` adds `kernel[j] · x[t]` to output step `t · strides + j · dilationRate − padLeft`, for every tap
 * `j`, then `activation(· + bias)`. Lengths as Keras 3 computes them: `'valid'` gives `steps · strides + max(span −
 * strides, 0)` steps (`span = dilationRate · (kernelSize − 1) + 1`), `'same'` gives `steps · strides` (the extra steps
 * cut as TensorFlow does, the extra one on the right); an `outputPadding` below `strides` fixes the length to
 * `(steps − 1) · strides + span − 2 · ⌊span / 2⌋ + outputPadding` for `'same'` (`+ outputPadding` past the full span for
 * `'valid'`). Weights: `kernel` `[kernelSize, filters, channels]` (Keras' layout for transposed kernels), `bias`
 * `[filters]`.
 *
 * Written with the backend's ops (one product for every tap's contribution, zeros interleaved for the strides, the taps
 * shifted into place by concatenated zeros and summed), so every backend runs it and differentiates it. As in Keras 3
 * it takes no mask: the mask stops here.
 */
import { checkOneOf, invalidArgument, sliceLast } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import type { CallArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { Conv1DBase, type Conv1DBaseArgs } from './conv1d-base.js';
import { padSteps } from './time-windows.js';

/** With `activation`, `useBias` and the initializers, as Conv1D's. */
export interface Conv1DTransposeArgs extends Conv1DBaseArgs {
  /** Default `'valid'`. */
  readonly padding?: 'valid' | 'same';
  /** Extra output steps that fix the length (0 to `strides − 1`); default none (the length Keras infers). */
  readonly outputPadding?: number | readonly [number] | null;
}

export class Conv1DTranspose extends Conv1DBase {
  readonly className = 'Conv1DTranspose';
  readonly padding: 'valid' | 'same';
  readonly outputPadding: number | undefined;

  constructor(args: Conv1DTransposeArgs) {
    super('conv1dTranspose', args, ['padding', 'outputPadding']);
    this.padding = checkOneOf('conv1dTranspose padding', args.padding ?? 'valid', ['valid', 'same']);
    const given =
      Array.isArray(args.outputPadding) && args.outputPadding.length === 1
        ? args.outputPadding[0]
        : args.outputPadding;
    if (given !== undefined && given !== null) {
      if (typeof given !== 'number' || !Number.isInteger(given) || given < 0 || given >= this.strides) {
        invalidArgument(
          'conv1dTranspose outputPadding',
          args.outputPadding,
          `an integer from 0 to strides − 1 (${this.strides - 1}), or null`,
        );
      }
      this.outputPadding = given;
    }
  }

  protected kernelShape(channels: number): number[] {
    return [this.kernelSize, this.filters, channels];
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'spreads each step over several output steps (a transposed convolution over time)';

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps] = inputShapes[0]! as [number | null, number | null];
    return [[batch, steps === null ? null : this.geometry(steps).outSteps, this.filters]];
  }

  /** The output length and the steps cut on the left of the full span, for `steps` input steps. */
  private geometry(steps: number): { outSteps: number; padLeft: number } {
    const s = this.strides;
    const span = this.dilationRate * (this.kernelSize - 1) + 1;
    const full = (steps - 1) * s + span;
    const same = this.padding === 'same';
    const outSteps =
      this.outputPadding === undefined
        ? same
          ? steps * s
          : steps * s + Math.max(span - s, 0)
        : full - (same ? 2 * Math.floor(span / 2) : 0) + this.outputPadding;
    // The steps cut on the left: half of what 'same' cuts, rounded down (TensorFlow's rule, which Keras 3's JAX and
    // torch backends reproduce; with an even span and outputPadding 0, where TensorFlow refuses the length, they cut
    // span / 2 as this does).
    return { outSteps, padLeft: same ? Math.floor(Math.max(full - outSteps, 0) / 2) : 0 };
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, steps, channels] = b.shape(x) as [number, number, number];
    const { kernelSize: k, filters: f, strides: s, dilationRate: d } = this;
    const { outSteps, padLeft } = this.geometry(steps);
    // [batch · steps, channels] · [channels, k · f]: every tap's contribution of every step at once.
    const taps = b.reshape(b.transpose(this.readKernel(ctx), [2, 0, 1]), [channels, k * f]);
    let spread = b.reshape(b.matMul(b.reshape(x, [batch * steps, channels]), taps), [batch, steps, k * f]);
    // Strides: s − 1 zero steps after each step, the trailing ones left out (step t lands on t · s).
    const placed = (steps - 1) * s + 1;
    if (s > 1) {
      const zeros = b.fill([batch, steps, s - 1, k * f], 0);
      const interleaved = b.concat([b.reshape(spread, [batch, steps, 1, k * f]), zeros], 2);
      spread = b.slice(b.reshape(interleaved, [batch, steps * s, k * f]), [0, 0, 0], [batch, placed, k * f]);
    }
    // Tap j shifted j · d steps right, each padded with zeros to the same length, then summed.
    const total = Math.max(placed + (k - 1) * d, padLeft + outSteps);
    const shifted = Array.from({ length: k }, (_, j) => {
      const tap = k === 1 ? spread : sliceLast(b, spread, j * f, f);
      return padSteps(b, tap, j * d, total - j * d - placed, 0);
    });
    const summed = shifted.reduce((sum, tap) => b.add(sum, tap));
    return [this.finish(ctx, b.slice(summed, [0, padLeft, 0], [batch, outSteps, f]))];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      ...this.convolutionConfig(),
      padding: this.padding,
      outputPadding: this.outputPadding ?? null,
    };
  }

  static fromConfig(config: Record<string, unknown>): Conv1DTranspose {
    return new Conv1DTranspose(config as unknown as Conv1DTransposeArgs);
  }
}

/**
 * A transposed 1D convolution over time (upsampling with learned kernels, the decoder half of a convolutional
 * sequence autoencoder).
 *
 * @example
 * conv1dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }); // [batch, n, c] → [batch, 2n, 8]
 */
export function conv1dTranspose(args: Conv1DTransposeArgs): Conv1DTranspose {
  return new Conv1DTranspose(args);
}
