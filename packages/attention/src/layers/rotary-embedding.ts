/**
 * keras-hub's `RotaryEmbedding` (RoPE): rotates pairs of features of an input `[batch, time, ..., features]` by
 * angles that grow with the position, so that dot products between rotated queries and keys depend on relative
 * positions (see `applyRotaryEmbedding` in `functional/positions.ts` for the layout and formula). No weights; masks
 * pass through.
 */
import { checkNumberInRange, invalidArgument } from '@seqmodel/core';
import { type CallArgs, type CallContext, Layer, type LayerArgs, type ShapeSpec } from '@seqmodel/layers';
import { applyRotaryEmbedding } from '../functional/positions.js';

export interface RotaryEmbeddingArgs extends LayerArgs {
  /** The longest wavelength (default 10000). */
  readonly maxWavelength?: number;
  /** Positions are divided by it (default 1; larger values stretch the context, as in position interpolation). */
  readonly scalingFactor?: number;
}

export class RotaryEmbedding extends Layer {
  readonly className = 'RotaryEmbedding';
  override readonly supportsMasking = true;
  readonly maxWavelength: number;
  readonly scalingFactor: number;

  constructor(args: RotaryEmbeddingArgs = {}) {
    if (typeof args !== 'object' || args === null)
      invalidArgument('rotaryEmbedding(options)', args, 'an object');
    super(args);
    const positive = (name: string, v: number) =>
      checkNumberInRange(`rotaryEmbedding ${name}`, v, Number.MIN_VALUE, Infinity);
    this.maxWavelength = positive('maxWavelength', args.maxWavelength ?? 10000);
    this.scalingFactor = positive('scalingFactor', args.scalingFactor ?? 1);
    this.inputSpec = { minRank: 3, meaning: '[batch, time, ..., features]' };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    return [
      applyRotaryEmbedding(ctx.backend, inputs[0]!, {
        maxWavelength: this.maxWavelength,
        scalingFactor: this.scalingFactor,
      }),
    ];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxWavelength: this.maxWavelength, scalingFactor: this.scalingFactor };
  }

  static fromConfig(config: Record<string, unknown>): RotaryEmbedding {
    return new RotaryEmbedding(config as RotaryEmbeddingArgs);
  }
}

/**
 * Rotary position embedding of queries or keys `[batch, time, (heads,) depth]`.
 *
 * @example
 * const rotated = rotaryEmbedding().apply(queries);
 */
export function rotaryEmbedding(args: RotaryEmbeddingArgs = {}): RotaryEmbedding {
  return new RotaryEmbedding(args);
}
