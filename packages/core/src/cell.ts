/**
 * The cell plugin API. A cell is its parameters, its state and one step function written only against `Ops`; the
 * loop over time belongs to the caller (`scanCell` here, the RNN layer in `@seqmodel/layers`, or a backend's fused
 * kernel). Built-in cells and third-party plugins use exactly this interface.
 */
import type { InitializerSpec } from './init/initializers.js';
import type { Ops } from './ops.js';
import type { CellSpecificationVersion } from './specification.js';

/** Sizes a cell's parameters and state depend on, with the cell's resolved options. */
export interface CellDims<O = Record<string, unknown>> {
  /** Feature size of one input time step. */
  readonly inputSize: number;
  /** Number of units (hidden size). */
  readonly units: number;
  /** The cell's options, already merged with its defaults and validated. */
  readonly options: O;
}

/** One trainable parameter of a cell. */
export interface ParamSpec {
  /** Name, unique within the cell: `kernel`, `recurrentKernel`, `bias`, ... (Keras names where they exist). */
  readonly name: string;
  readonly shape: readonly number[];
  /** How fresh values are drawn. */
  readonly initializer: InitializerSpec;
  /**
   * Number of gates stacked along the last axis (4 for an LSTM kernel `[inputSize, 4*units]`). Only used to
   * explain parameter counts as `(inputSize*units)*gates`; defaults to 1.
   */
  readonly gates?: number;
}

/** One state tensor carried between steps; its shape is `[batch, size]`. */
export interface StateSpec {
  /** `h`, `c`, ... */
  readonly name: string;
  readonly size: number;
}

/** Parameters by name, as tensors of some backend. */
export type ParamTensors<T> = Readonly<Record<string, T>>;

export interface CellStepArgs<T, O = Record<string, unknown>, P = unknown> {
  /**
   * This step's input, `[batch, n]`: the row of `projectInput`'s result when the cell declares an input projection,
   * else the raw input `[batch, inputSize]`.
   */
  readonly input: T;
  /** The state from the previous step, in the order of `state()`, each `[batch, size]`. */
  readonly state: readonly T[];
  readonly params: ParamTensors<T>;
  readonly dims: CellDims<O>;
  /** What `prepare` returned for this sequence (undefined when the cell has no `prepare`). */
  readonly prepared: P;
  /**
   * Recurrent dropout mask `[batch, stateSizes[0]]` (already scaled by 1/(1-rate)), to multiply into the first state
   * where it feeds the recurrent kernel. Only given to cells that declare `supportsRecurrentDropout`.
   */
  readonly recurrentMask?: T;
}

export interface CellStepResult<T> {
  /** The step's output, `[batch, outputSize]`. */
  readonly output: T;
  /** The new state, same order and shapes as the previous one. */
  readonly state: readonly T[];
  /**
   * The step's gate activations by name, each `[batch, size]` (optional): the values the cell computed anyway, after
   * their activation (`input`, `forget`, `candidate`, `output` for an LSTM; `update`, `reset`, `candidate` for a
   * GRU). Loops that only need outputs ignore them (they are freed with the step's other intermediates);
   * `traceSequence` collects them over time, for visualizations and debugging. A cell without gates omits it.
   */
  readonly gates?: Readonly<Record<string, T>>;
}

/**
 * A recurrent cell. Methods are generic in the tensor type, so one cell runs on every backend and on the float64
 * reference ops.
 *
 * @typeParam O - the cell's options (activation names, flags, initializers); every option has a default.
 */
export interface CellPlugin<O extends object = Record<string, unknown>> {
  /**
   * The version of this contract the cell implements, written as a literal (`'v1'`). `registerCell`, `resolveCell`
   * and the sequence entry points refuse a version this core does not know, naming it; absent means `'v1'` (plugins
   * written before versions).
   */
  readonly specificationVersion?: CellSpecificationVersion;
  /** Registry name, e.g. `lstm`. */
  readonly name: string;
  /** One line for listings and error messages. */
  readonly description?: string;
  /** Every option the cell accepts, with its default. Unknown options are rejected by `resolveCellOptions`. */
  readonly defaultOptions: Readonly<O>;
  /** Checks resolved options and throws a `SeqmodelError` naming a bad one. */
  validateOptions?(options: O): void;
  /** The trainable parameters, in a stable order. */
  params(dims: CellDims<O>): ParamSpec[];
  /** The state tensors, e.g. `[h]` or `[h, c]`. */
  state(dims: CellDims<O>): StateSpec[];
  /** Size of each step's output; defaults to `units`. */
  outputSize?(dims: CellDims<O>): number;
  /**
   * The input projection for all time steps at once: `x` is `[n, inputSize]` (n = batch * time), the result
   * `[n, p]`. When declared, `step` receives rows of this result instead of raw inputs, so the recurrence only does
   * the `h·U` part.
   */
  projectInput?<T>(ops: Ops<T>, x: T, params: ParamTensors<T>, dims: CellDims<O>): T;
  /** Work done once per sequence before the loop (splitting a recurrent kernel, say); passed to every step. */
  prepare?<T>(ops: Ops<T>, params: ParamTensors<T>, dims: CellDims<O>): unknown;
  /** One time step. */
  step<T>(ops: Ops<T>, args: CellStepArgs<T, O>): CellStepResult<T>;
  /** True when `step` applies `recurrentMask`; recurrent dropout is refused for cells without it. */
  readonly supportsRecurrentDropout?: boolean;
}

/** A cell plugin whose option type is not known statically (what the registry holds). */
// biome-ignore lint/suspicious/noExplicitAny: the registry stores cells of every option type.
export type AnyCellPlugin = CellPlugin<any>;

/** Options as a user passes them: any subset of the cell's options. */
export type CellOptionsInput<O> = Partial<O>;
