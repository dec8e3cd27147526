/**
 * Random layers (Dropout and its kinds, GaussianNoise): `TrainingNoise`, what they share, and `CallRandomness`, where
 * a training call's values come from: the layer's own `seed`'s stream, advanced on every call (Keras' seeded layers),
 * or else the pass's stream for the layer's path (`CallContext.rngFor`), so that a model's seed reproduces the draws
 * on every backend.
 */
import { type Backend, createRng, invalidArgument, type Rng } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, Layer, type LayerArgs } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export class CallRandomness {
  readonly seed: number | undefined;
  private readonly own: Rng | undefined;

  /** `argument` names the seed option in errors (`dropout seed`). */
  constructor(argument: string, seed: number | undefined) {
    if (seed !== undefined && !Number.isSafeInteger(seed)) invalidArgument(argument, seed, 'a safe integer');
    this.seed = seed;
    this.own = seed === undefined ? undefined : createRng(seed);
  }

  /** The stream for one training call of the layer at `path`. */
  next<T>(ctx: CallContext<T>, path: string): Rng {
    return this.own ? this.own.fork(this.own.nextUint32()) : ctx.rngFor(path);
  }
}

/**
 * A layer that, in a training call, changes its input with values drawn from the call's stream and otherwise passes
 * it through (a new tensor: the caller may free the output); masks pass through. Subclasses say whether a training
 * call changes anything (`active`: a rate or a spread above 0) and what it does (`noisy`).
 */
export abstract class TrainingNoise extends Layer {
  override readonly supportsMasking = true;
  private readonly randomness: CallRandomness;

  /** `seedArgument` names the seed option in errors (`dropout seed`). */
  constructor(args: LayerArgs & { readonly seed?: number }, seedArgument: string) {
    super(args);
    this.randomness = new CallRandomness(seedArgument, args.seed);
  }

  /** The layer's own seed, if it has one. */
  get seed(): number | undefined {
    return this.randomness.seed;
  }

  /** Whether a training call changes the input. */
  protected abstract get active(): boolean;

  /** The training output: `x` (of `shape`) changed with values drawn from `rng`. */
  protected abstract noisy<T>(b: Backend<T>, x: T, rng: Rng, shape: readonly number[]): T;

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const shape = b.shape(x);
    if (!ctx.training || !this.active) return [b.reshape(x, shape)];
    return [this.noisy(b, x, this.randomness.next(ctx, this.path), shape)];
  }

  /** The seed's config field, when the layer has its own. */
  protected seedConfig(): { seed?: number } {
    return this.seed === undefined ? {} : { seed: this.seed };
  }
}
