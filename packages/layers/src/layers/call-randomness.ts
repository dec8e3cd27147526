/**
 * Where a random layer (Dropout, SpatialDropout1D, GaussianNoise) draws a training call's values from: its own
 * `seed`'s stream, advanced on every call (Keras' seeded layers), or else the pass's stream for the layer's path
 * (`CallContext.rngFor`), so that a model's seed reproduces the draws on every backend.
 */
import { createRng, invalidArgument, type Rng } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';

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
