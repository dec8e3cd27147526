/**
 * keras-hub's `SinePositionEncoding`: the fixed sinusoidal position encoding of Vaswani et al. (2017) for an input
 * `[batch, time, features]`, returned in the input's shape (add it to the input, as keras-hub's users do; the table
 * is `sinusoidalEncoding` in `functional/positions.ts`). No weights; masks pass through.
 */
import { checkNumberInRange, invalidArgument } from '@seqmodel/core';
import { type CallArgs, type CallContext, Layer, type LayerArgs, type ShapeSpec } from '@seqmodel/layers';
import { sinusoidalEncoding } from '../functional/positions.js';

export interface SinePositionEncodingArgs extends LayerArgs {
  /** The longest wavelength (default 10000). */
  readonly maxWavelength?: number;
}

export class SinePositionEncoding extends Layer {
  readonly className = 'SinePositionEncoding';
  override readonly supportsMasking = true;
  readonly maxWavelength: number;

  constructor(args: SinePositionEncodingArgs = {}) {
    if (typeof args !== 'object' || args === null)
      invalidArgument('sinePositionEncoding(options)', args, 'an object');
    super(args);
    this.maxWavelength = checkNumberInRange(
      'sinePositionEncoding maxWavelength',
      args.maxWavelength ?? 10000,
      Number.MIN_VALUE,
      Infinity,
    );
    this.inputSpec = { rank: 3, meaning: '[batch, time, features]' };
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const [batch, time, depth] = b.shape(inputs[0]!) as [number, number, number];
    const table = sinusoidalEncoding(b, time, depth, { maxWavelength: this.maxWavelength });
    return [b.mul(b.reshape(table, [1, time, depth]), b.fill([batch, 1, 1], 1))];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxWavelength: this.maxWavelength };
  }

  static fromConfig(config: Record<string, unknown>): SinePositionEncoding {
    return new SinePositionEncoding(config as SinePositionEncodingArgs);
  }
}

/**
 * The sinusoidal position encoding of an input, in its shape.
 *
 * @example
 * const encoding = sinePositionEncoding().apply(embedded); // add it to `embedded`
 */
export function sinePositionEncoding(args: SinePositionEncodingArgs = {}): SinePositionEncoding {
  return new SinePositionEncoding(args);
}
