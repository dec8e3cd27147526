/**
 * The forward pass a model offers, as the code that drives it sees it: the options of one pass (training mode,
 * weight substitutes for gradients, dropout seed, masks), its outputs with their masks, and the recurrent states a
 * pass carries in and out when a sequence is fed in pieces (streaming, truncated BPTT). `Model` implements it; the
 * trainer and the stream are written against it, so neither imports the model classes.
 */
import type { Backend, Rng } from '@seqmodel/core';
import type { PendingUpdates, StateKey } from './context.js';
import type { Layer } from './layer.js';
import type { RecurrentTracer } from './recurrent-trace.js';

/** Weight substitutes for one pass: aligned with `model.trainableWeights`, or by full weight name. */
export type WeightOverrides<T> = readonly T[] | ReadonlyMap<string, T> | Readonly<Record<string, T>>;

/** Options of a forward pass. */
export interface ApplyOptions<T> {
  /** Training mode: dropout is applied (default false). */
  readonly training?: boolean;
  /** Tensors to use instead of stored weights in this pass, so that gradients flow to them (see `Model`). */
  readonly weights?: WeightOverrides<T>;
  /** Seed or generator for dropout masks; without it, a fresh stream per call drawn from the model's seed. */
  readonly rng?: Rng | number | string;
  /** Masks `[batch, time]` for the input (one model input) or per input (an array, `undefined` for none). */
  readonly mask?: T | readonly (T | undefined)[];
  /**
   * Valid lengths of each sequence (post-padding): for the input (one model input), or per input. Turned into a mask;
   * `mask` and `lengths` cannot both be given for one input.
   */
  readonly lengths?: readonly number[] | readonly (readonly number[] | undefined)[];
  /** Whether stateful layers keep the states of this pass for the next one (default true). */
  readonly updateStates?: boolean;
}

/** Result of `applyWithMasks`. */
export interface OutputsWithMasks<T> {
  readonly outputs: T[];
  /** The mask of each output (`[batch, time]`), or undefined. */
  readonly masks: (T | undefined)[];
}

/** States carried into a pass from the previous piece of the sequence (streaming, truncated BPTT). */
export interface CarriedStates<T> {
  /** Each recurrent layer's states at the end of the previous piece. */
  readonly carried?: ReadonlyMap<StateKey, readonly T[]>;
  /** Each recurrent layer's last output, repeated at masked steps as a full pass does. */
  readonly carriedOutputs?: ReadonlyMap<StateKey, T>;
}

/** A pass with carried states: its outputs and masks, and the states and last outputs to carry on. */
export interface CarriedPassOutputs<T> extends OutputsWithMasks<T> {
  readonly states: Map<StateKey, T[]>;
  readonly lastOutputs: Map<StateKey, T>;
}

/** What the code that runs a pass can hand it besides its inputs and carried states. */
export interface PassHooks<T> {
  /**
   * Receives the weight updates the pass records (BatchNormalization's moving statistics), for the caller to assign
   * when its step has succeeded (`commit`); without it the pass assigns them when it has run.
   */
  readonly pendingUpdates?: PendingUpdates<T>;
  /** Receives every recurrent layer's per-step states and gates (`model.inspect`). */
  readonly tracer?: RecurrentTracer<T>;
}

/** A model as the code that runs its forward pass sees it (the stream; the trainer adds what training needs). */
export interface PassModel<T> {
  readonly backend: Backend<T>;
  /** The layers, in order of first use. */
  readonly layers: readonly Layer[];
  /** `name (Class)`, for messages. */
  describe(): string;
  /** The forward pass; returns each output with its mask, both owned by the caller. */
  applyWithMasks(inputs: T | readonly T[], options?: ApplyOptions<T>): OutputsWithMasks<T>;
  /**
   * The forward pass with carried states; returns the states to carry on, owned by the caller. Weight updates the
   * pass records (BatchNormalization's moving statistics) go to `hooks.pendingUpdates` when given: a model that
   * assigned them itself would let a failed training step move them.
   */
  runPass(
    inputs: T | readonly T[],
    options: ApplyOptions<T>,
    carried: CarriedStates<T>,
    hooks?: PassHooks<T>,
  ): CarriedPassOutputs<T>;
}
