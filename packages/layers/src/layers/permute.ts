/**
 * Keras `Permute`: reorders the axes of each sample by `dims`, a permutation of 1..rank−1 (the batch axis, 0, stays
 * first): `dims: [2, 1]` swaps the steps and the features of `[batch, steps, features]`. Masks stop here (as Keras).
 */
import { invalidArgument } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface PermuteArgs extends LayerArgs {
  /** Where each output axis comes from, counted from 1 (the batch axis left out). */
  readonly dims: readonly number[];
}

export class Permute extends Layer {
  readonly className = 'Permute';
  readonly dims: readonly number[];

  constructor(args: PermuteArgs) {
    checkLayerOptions('permute', args, ['dims']);
    super(args);
    const dims = args.dims;
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : [];
    if (!Array.isArray(dims) || dims.length === 0 || sorted.some((d, i) => d !== i + 1)) {
      invalidArgument(
        'permute dims',
        dims,
        'a permutation of 1, ..., n for inputs of rank n + 1 (the batch axis, 0, left out)',
      );
    }
    this.dims = [...dims];
    this.inputSpec = { rank: dims.length + 1, meaning: `[batch, ${dims.length} more axes]` };
  }

  /** A layer that moves the steps axis away from axis 1 mixes steps (`model.stream()` and truncated BPTT refuse it). */
  get mixesSteps(): boolean {
    return this.dims[0] !== 1;
  }

  /** What `model.stream()` and truncated BPTT say when they refuse the layer. */
  readonly mixesStepsHow = 'moves the time axis away from axis 1';

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const shape = inputShapes[0]!;
    return [[shape[0] ?? null, ...this.dims.map((d) => shape[d] ?? null)]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [ctx.backend.transpose(inputs[0]!, [0, ...this.dims])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: [...this.dims] };
  }

  static fromConfig(config: Record<string, unknown>): Permute {
    return new Permute(config as unknown as PermuteArgs);
  }
}

/**
 * Permutes the axes of each sample.
 *
 * @example
 * permute({ dims: [2, 1] }); // [batch, steps, features] → [batch, features, steps]
 */
export function permute(args: PermuteArgs): Permute {
  return new Permute(args);
}
