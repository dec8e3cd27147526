/**
 * The call context: everything a forward pass needs besides its inputs. It is the contract between layers and
 * training:
 * - `read(weight)` resolves a weight to its stored tensor or to an override, so `backend.valueAndGrads` can
 *   differentiate with respect to tensors passed as arguments (see `ApplyOptions.weights`);
 * - `training` switches dropout on;
 * - `rngFor(layer)` gives each layer call its own seeded stream for dropout masks, drawn host-side;
 * - recurrent layers read carried state from it (streaming) and record their final state in it (streaming and
 *   stateful layers); the model commits recorded states after the pass;
 * - a tracer, when set, receives every recurrent layer's per-step states and gates (`model.inspect`);
 * - layers that keep statistics in non-trainable weights (BatchNormalization's moving mean and variance) record the
 *   new values in it during a training pass; the pass assigns them once it has run (`commitWeightUpdates`).
 */
import type { Backend, Rng } from '@seqmodel/core';
import type { RecurrentTracer } from './recurrent-trace.js';
import type { LayerWeight } from './weight.js';

/** What recurrent layers are keyed by in a context's state bookkeeping (the layer object). */
export type StateKey = object;

export interface CallContextInit<T> {
  readonly backend: Backend<T>;
  readonly training: boolean;
  readonly rng: Rng;
  readonly overrides?: ReadonlyMap<LayerWeight, T>;
  /** Carried states by layer (streaming): a recurrent layer starts from these instead of zeros. */
  readonly carriedStates?: ReadonlyMap<StateKey, readonly T[]>;
  /**
   * Carried last outputs by layer (streaming): repeated at masked steps that come before the first valid step of the
   * call, as a full pass repeats the previous step's output.
   */
  readonly carriedOutputs?: ReadonlyMap<StateKey, T>;
  /** Record every recurrent layer's final state (streaming), not only stateful layers'. */
  readonly recordAllStates?: boolean;
  /** Trace every recurrent layer: per-step states and gates, and probes for gradients (`model.inspect`). */
  readonly tracer?: RecurrentTracer<T>;
  /**
   * Where the weight updates the pass records go once it has run, for its caller to assign when the step they belong
   * to has succeeded (a training step, after its checks and its optimizer update). Without it the pass assigns them.
   */
  readonly pendingUpdates?: PendingUpdates<T>;
}

/**
 * Weight updates (moving statistics) a pass recorded, held until the training step that ran the pass has succeeded:
 * `commit` assigns them, `discard` frees them (a step that failed leaves the weights as they were).
 */
export class PendingUpdates<T> {
  private readonly values = new Map<LayerWeight, T>();

  constructor(private readonly backend: Backend<T>) {}

  /** The value held for `weight`, if any. */
  get(weight: LayerWeight): T | undefined {
    return this.values.get(weight);
  }

  /** Takes `value` (kept) as `weight`'s next value, freeing one held for it before. */
  hold(weight: LayerWeight, value: T): void {
    const previous = this.values.get(weight);
    this.values.set(weight, value);
    if (previous !== undefined && previous !== value) this.backend.dispose(previous);
  }

  /**
   * Assigns every held value to its weight. Each value leaves the holding before its weight takes it, so that a
   * `discard` after an assignment that threw frees only the values no weight took (the refused one is freed here).
   */
  commit(): void {
    for (const [weight, value] of [...this.values]) {
      this.values.delete(weight);
      try {
        weight.assign(value);
      } catch (error) {
        this.backend.dispose(value);
        throw error;
      }
    }
  }

  /** Frees every held value; nothing is held after (a no-op after `commit`). */
  discard(): void {
    this.backend.dispose([...this.values.values()]);
    this.values.clear();
  }
}

export class CallContext<T> {
  readonly backend: Backend<T>;
  readonly training: boolean;
  /** True when every recurrent layer must record its final state (streaming). */
  readonly recordAllStates: boolean;
  /** When set, recurrent layers run core's `traceSequence` and report to it (see `RecurrentTracer`). */
  readonly tracer: RecurrentTracer<T> | undefined;
  private readonly rng: Rng;
  private readonly overrides: ReadonlyMap<LayerWeight, T>;
  private readonly carried: ReadonlyMap<StateKey, readonly T[]>;
  private readonly carriedOutputs: ReadonlyMap<StateKey, T>;
  private readonly recorded = new Map<StateKey, T[]>();
  private readonly recordedOutputs = new Map<StateKey, T>();
  /** The weight updates the pass records: the caller's `pendingUpdates`, or the context's own. */
  private readonly updates: PendingUpdates<T>;
  /** Whether the updates are the context's own, so that the pass assigns them itself. */
  private readonly ownsUpdates: boolean;
  private frozenDepth = 0;
  private readonly callCounts = new Map<string, number>();

  constructor(init: CallContextInit<T>) {
    this.backend = init.backend;
    this.training = init.training;
    this.rng = init.rng;
    this.overrides = init.overrides ?? new Map();
    this.carried = init.carriedStates ?? new Map();
    this.carriedOutputs = init.carriedOutputs ?? new Map();
    this.recordAllStates = init.recordAllStates ?? false;
    this.tracer = init.tracer;
    this.updates = init.pendingUpdates ?? new PendingUpdates(init.backend);
    this.ownsUpdates = init.pendingUpdates === undefined;
  }

  /**
   * True while a layer whose `trainable` is false (or a layer inside one) runs: a frozen BatchNormalization normalizes
   * with its moving statistics even in training, as Keras' does, also when it is frozen through a wrapper.
   */
  get frozen(): boolean {
    return this.frozenDepth > 0;
  }

  /** Runs `fn` as inside a frozen layer (`Layer.invoke` runs a frozen layer's call so). */
  whileFrozen<R>(fn: () => R): R {
    this.frozenDepth++;
    try {
      return fn();
    } finally {
      this.frozenDepth--;
    }
  }

  /**
   * The tensor to use for `weight` in this pass: the value an earlier call of the pass recorded for it (a shared
   * BatchNormalization's second call sees the statistics its first call moved, as Keras' assignments in call order
   * do), else its override when one was given, else its stored value.
   */
  read(weight: LayerWeight): T {
    return this.updates.get(weight) ?? this.overrides.get(weight) ?? weight.read<T>();
  }

  /**
   * A random stream for one call of the layer at `path`. Each call of the same layer in one pass gets a different
   * stream (a shared layer applied twice draws different dropout masks), and the same context seed gives the same
   * streams.
   */
  rngFor(path: string): Rng {
    const n = this.callCounts.get(path) ?? 0;
    this.callCounts.set(path, n + 1);
    return this.rng.fork(path).fork(n);
  }

  /** The state carried into `layer` (streaming), if any. */
  carriedState(layer: StateKey): readonly T[] | undefined {
    return this.carried.get(layer);
  }

  /**
   * Records `layer`'s final state. The tensors are copied (a reshape to the same shape) so that a state that is
   * also returned as an output can be freed independently of it.
   */
  recordState(layer: StateKey, states: readonly T[]): void {
    this.recorded.set(
      layer,
      states.map((s) => this.backend.reshape(s, this.backend.shape(s))),
    );
  }

  /** States recorded during the pass, by layer. */
  recordedStates(): Map<StateKey, T[]> {
    return new Map(this.recorded);
  }

  /** The last output carried into `layer` (streaming), if any. */
  carriedOutput(layer: StateKey): T | undefined {
    return this.carriedOutputs.get(layer);
  }

  /** Records `layer`'s last output `[batch, size]` (streaming); kept apart from the returned outputs like states. */
  recordOutput(layer: StateKey, output: T): void {
    this.recordedOutputs.set(layer, this.backend.reshape(output, this.backend.shape(output)));
  }

  /** Last outputs recorded during the pass, by layer. */
  lastOutputs(): Map<StateKey, T> {
    return new Map(this.recordedOutputs);
  }

  /**
   * Records `value` as the next value of the non-trainable `weight` (a moving statistic). Kept, so that the pass's
   * `tidy` (or a gradient tape's scope) does not free it. Later reads in the pass see it (`read`), so a layer applied
   * twice moves its statistics twice, in call order, as Keras does; the second record replaces the first.
   */
  recordWeightUpdate(weight: LayerWeight, value: T): void {
    this.updates.hold(weight, this.backend.keep(value));
  }

  /**
   * After the pass: each recorded weight takes its new value (`commit` true), or the values are freed (the pass
   * failed). With the caller's `pendingUpdates`, a committed pass leaves them there for the caller to assign.
   */
  commitWeightUpdates(commit = true): void {
    if (!commit) this.updates.discard();
    else if (this.ownsUpdates) this.updates.commit();
  }
}
