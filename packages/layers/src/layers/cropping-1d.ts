/**
 * Keras `Cropping1D`: `[batch, steps, features]` without its first `cropping[0]` and last `cropping[1]` steps (`n` at
 * both ends, or `[start, end]`); at least one step must be left. As in Keras it takes no mask: the mask stops here.
 */
import { SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { checkStepPair } from './time-windows.js';

export interface Cropping1DArgs extends LayerArgs {
  /** Steps removed at both ends (`n`) or at the start and the end (`[start, end]`); default 1. */
  readonly cropping?: number | readonly [number, number];
}

export class Cropping1D extends Layer {
  readonly className = 'Cropping1D';
  /** Steps removed at the start and at the end. */
  readonly cropping: readonly [number, number];

  constructor(args: Cropping1DArgs = {}) {
    checkLayerOptions('cropping1d', args, ['cropping']);
    super(args);
    this.cropping = checkStepPair('cropping1d cropping', args.cropping, 1);
    this.inputSpec = { rank: 3, meaning: '[batch, steps, features]' };
  }

  /** The sequence loses steps at its ends: `model.stream()` and truncated BPTT refuse the layer. */
  get mixesSteps(): boolean {
    return true;
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'removes steps at the start and the end of the sequence';

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const [batch, steps, features] = inputShapes[0]! as [number | null, number | null, number | null];
    return [[batch, steps === null ? null : this.keptSteps(steps), features]];
  }

  /** The steps left of `steps`; an error when none would be. */
  private keptSteps(steps: number): number {
    const kept = steps - this.cropping[0] - this.cropping[1];
    if (kept < 1) {
      throw new SeqmodelError(
        `${this.describe()} cropping: [${this.cropping.join(', ')}] removes all ${steps} steps of the input; expected fewer steps cropped than the input has`,
      );
    }
    return kept;
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, steps, features] = b.shape(x) as [number, number, number];
    return [b.slice(x, [0, this.cropping[0], 0], [batch, this.keptSteps(steps), features])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: [...this.cropping] };
  }

  static fromConfig(config: Record<string, unknown>): Cropping1D {
    return new Cropping1D(config as Cropping1DArgs);
  }
}

/**
 * Removes steps at the start and the end of each sequence.
 *
 * @example
 * cropping1d({ cropping: [1, 2] }); // [batch, steps, features] → [batch, steps − 3, features]
 */
export function cropping1d(args?: Cropping1DArgs): Cropping1D {
  return new Cropping1D(args);
}
