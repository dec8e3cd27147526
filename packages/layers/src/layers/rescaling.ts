/**
 * Keras `Rescaling`: `x · scale + offset` (a preprocessing step: `scale: 1 / 255`, or `scale: 1 / 127.5, offset: −1`
 * to map to [−1, 1]). `scale` and `offset` are numbers, or lists that broadcast against the last axis (one per
 * feature). No weights; masks pass through.
 */
import { invalidArgument } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, checkLayerOptions, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export interface RescalingArgs extends LayerArgs {
  /** The factor: a number, or one per feature. */
  readonly scale: number | readonly number[];
  /** Added after scaling (default 0): a number, or one per feature. */
  readonly offset?: number | readonly number[];
}

/** A finite number or a non-empty list of them, copied; else an error naming `argument`. */
function checkFactor(argument: string, value: unknown): number | number[] {
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (finite(value)) return value as number;
  if (Array.isArray(value) && value.length > 0 && value.every(finite)) return [...(value as number[])];
  return invalidArgument(argument, value, 'a finite number or a non-empty list of them (one per feature)');
}

export class Rescaling extends Layer {
  readonly className = 'Rescaling';
  override readonly supportsMasking = true;
  readonly scale: number | readonly number[];
  readonly offset: number | readonly number[];

  constructor(args: RescalingArgs) {
    checkLayerOptions('rescaling', args, ['scale', 'offset']);
    super(args);
    this.scale = checkFactor('rescaling scale', args.scale);
    this.offset = checkFactor('rescaling offset', args.offset ?? 0);
    const sizes = [this.scale, this.offset]
      .filter((f) => typeof f !== 'number')
      .map((f) => (f as number[]).length);
    this.inputSpec = {
      minRank: 1,
      meaning: '[batch, ...]',
      ...(sizes.length === 0
        ? {}
        : { axes: [{ axis: -1, size: sizes[0]!, what: 'feature count (of scale and offset)' }] }),
    };
    if (sizes.length === 2 && sizes[0] !== sizes[1]) {
      invalidArgument(
        'rescaling offset',
        args.offset,
        `a number or ${sizes[0]} values, one per entry of scale`,
      );
    }
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const factor = (f: number | readonly number[]) =>
      typeof f === 'number' ? f : b.tensor([...f], [f.length]);
    return [b.add(b.mul(inputs[0]!, factor(this.scale)), factor(this.offset))];
  }

  override getConfig(): Record<string, unknown> {
    const copy = (f: number | readonly number[]) => (typeof f === 'number' ? f : [...f]);
    return { ...super.getConfig(), scale: copy(this.scale), offset: copy(this.offset) };
  }

  static fromConfig(config: Record<string, unknown>): Rescaling {
    return new Rescaling(config as unknown as RescalingArgs);
  }
}

/**
 * Multiplies by `scale` and adds `offset`.
 *
 * @example
 * rescaling({ scale: 1 / 127.5, offset: -1 }); // [0, 255] → [−1, 1]
 */
export function rescaling(args: RescalingArgs): Rescaling {
  return new Rescaling(args);
}
