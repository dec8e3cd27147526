/**
 * Keras `ZeroPadding1D`: `[batch, steps, features]` with `padding` steps of zeros added before the first step and
 * after the last (`n` at both ends, or `[start, end]`). As in Keras it takes no mask: the mask stops here.
 */
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { checkStepPair, padSteps } from './time-windows.js';

export interface ZeroPadding1DArgs extends LayerArgs {
  /** Zero steps at both ends (`n`) or at the start and the end (`[start, end]`); default 1. */
  readonly padding?: number | readonly [number, number];
}

export class ZeroPadding1D extends Layer {
  readonly className = 'ZeroPadding1D';
  /** Zero steps before the first step and after the last. */
  readonly padding: readonly [number, number];

  constructor(args: ZeroPadding1DArgs = {}) {
    checkLayerOptions('zeroPadding1d', args, ['padding']);
    super(args);
    this.padding = checkStepPair('zeroPadding1d padding', args.padding, 1);
    this.inputSpec = { rank: 3, meaning: '[batch, steps, features]' };
  }

  /** The sequence gains steps at its ends: `model.stream()` and truncated BPTT refuse the layer. */
  get mixesSteps(): boolean {
    return true;
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'adds steps of zeros at the start and the end of the sequence';

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps, features] = inputShapes[0]! as [number | null, number | null, number | null];
    return [[batch, steps === null ? null : steps + this.padding[0] + this.padding[1], features]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    // A new tensor even without padding (as Dropout at inference): the caller may free the output.
    const padded = padSteps(b, x, this.padding[0], this.padding[1], 0);
    return [padded === x ? b.reshape(x, b.shape(x)) : padded];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: [...this.padding] };
  }

  static fromConfig(config: Record<string, unknown>): ZeroPadding1D {
    return new ZeroPadding1D(config as ZeroPadding1DArgs);
  }
}

/**
 * Adds steps of zeros at the start and the end of each sequence.
 *
 * @example
 * zeroPadding1d({ padding: [2, 0] }); // [batch, steps, features] → [batch, steps + 2, features], zeros first
 */
export function zeroPadding1d(args?: ZeroPadding1DArgs): ZeroPadding1D {
  return new ZeroPadding1D(args);
}
