/**
 * The recurrent layer: runs any registered cell (by name or plugin object) over `[batch, time, features]` through
 * core's `runSequence`, which uses the backend's fused kernel when it has one for the cell and the options, and the
 * generic loop otherwise. `simpleRNN`, `lstm` and `gru` are the same layer with the cell fixed (Keras' `SimpleRNN`,
 * `LSTM`, `GRU`).
 *
 * Keras semantics throughout: masked steps keep the previous state and repeat the previous output (or output zeros
 * with `zeroOutputForMask`); `goBackwards` returns the outputs in reversed order; input dropout uses one mask per
 * sequence for every time step and recurrent dropout one mask per sequence on the state fed to the recurrent kernel,
 * both drawn host-side from the call's seeded stream and only in training.
 */
import {
  type AnyCellPlugin,
  type Backend,
  type CellDims,
  type CellRef,
  checkBoolean,
  checkOneOf,
  checkPositiveInteger,
  type FusedPolicy,
  formatShape,
  type GruOptions,
  initParams,
  invalidArgument,
  type LstmOptions,
  outputSizeOf,
  resolveCell,
  resolveCellOptions,
  runSequence,
  SeqmodelError,
  type SequenceArgs,
  type SequenceResult,
  type SimpleRnnOptions,
  type StateSpec,
  traceSequence,
} from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import {
  type BuildEnv,
  type CallArgs,
  checkLayerArgsObject,
  checkLayerOptions,
  Layer,
  type LayerArgs,
  layerOptionKeys,
  type StateOwner,
} from '../engine/layer.js';
import { checkMask } from '../engine/masks.js';
import { toSnakeCase } from '../engine/naming.js';
import type { RecurrentTracer } from '../engine/recurrent-trace.js';
import { formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';
import { checkDropoutRate, checkStates, dropoutMask, fillBeforeFirstValid } from '../engine/tensor-utils.js';
import type { LayerWeight } from '../engine/weight.js';

/** Options of every recurrent layer, besides the cell's own options. */
export interface RecurrentArgs extends LayerArgs {
  /** Hidden size. */
  readonly units: number;
  /** Return the output of every step `[batch, time, units]` instead of the last `[batch, units]` (default false). */
  readonly returnSequences?: boolean;
  /** Also return the final states: outputs become `[output, ...states]` (default false). */
  readonly returnState?: boolean;
  /** Process the sequence from the last step to the first; outputs come in reversed order, as Keras (default false). */
  readonly goBackwards?: boolean;
  /** Carry the final state of each call into the next one, until `resetStates()` (default false). */
  readonly stateful?: boolean;
  /** Fraction of input features dropped in training, one mask per sequence for all steps (default 0). */
  readonly dropout?: number;
  /** Fraction of the recurrent state dropped in training, one mask per sequence (default 0). */
  readonly recurrentDropout?: number;
  /**
   * At masked steps, output zeros instead of repeating the previous output (default false: repeat, as Keras and
   * tfjs-layers; Keras 3's Bidirectional turns this on for its inner layers when returning sequences).
   */
  readonly zeroOutputForMask?: boolean;
  /** Whether to use the backend's fused kernel: `auto` (when it supports the call; default), `never`, `require`. */
  readonly fused?: FusedPolicy;
}

/** A recurrent layer over any cell: the cell, the recurrent options, and the cell's own options flattened in. */
export type RnnArgs = RecurrentArgs & { readonly cell: CellRef } & Readonly<Record<string, unknown>>;

/** What a recurrent pass returns to wrappers (Bidirectional, Stacked, streaming). */
export interface RecurrentResult<T> {
  /** `[batch, time, size]` or `[batch, size]`. */
  readonly output: T;
  /** Final states in the cell's order, each `[batch, stateSize]`. */
  readonly states: T[];
}

/** Options of one recurrent pass. */
export interface RecurrentRunOptions<T> {
  readonly mask?: T | undefined;
  readonly initialState?: readonly T[] | undefined;
  readonly returnSequences: boolean;
}

/** A layer that runs over time with states: `RNN` and the layers built from it (Bidirectional, Stacked). */
export interface RecurrentLayer {
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  /** True when any part reads the sequence backwards (it cannot be streamed one step at a time). */
  readonly readsBackwards: boolean;
  /** Sizes of the states the layer returns with `returnState` (and accepts as `initialState`), in order. */
  stateSizes(inputSize: number): number[];
  /** Output size per step. */
  outputSize(inputSize: number): number;
  /** @internal One pass; `returnSequences` is given by the caller (wrappers decide it). */
  run<T>(ctx: CallContext<T>, x: T, options: RecurrentRunOptions<T>): RecurrentResult<T>;
}

/** The positional arguments the recurrent layers' `call` passes on to `run`. */
export function runOptionsOf<T>(layer: RecurrentLayer, args: CallArgs<T>): RecurrentRunOptions<T> {
  return { mask: args.masks[0], initialState: args.initialState, returnSequences: layer.returnSequences };
}

/**
 * The masks of a recurrent layer's outputs: the input's mask on its `sequenceOutputs` first outputs when they keep
 * the time axis (`returnSequences`), none on the states.
 */
export function recurrentOutputMasks<T>(
  returnSequences: boolean,
  masks: readonly (T | undefined)[],
  outputCount: number,
  sequenceOutputs = 1,
): (T | undefined)[] {
  return Array.from({ length: outputCount }, (_, i) =>
    returnSequences && i < sequenceOutputs ? masks[0] : undefined,
  );
}

export function isRecurrentLayer(layer: unknown): layer is Layer & RecurrentLayer {
  return layer instanceof Layer && typeof (layer as Partial<RecurrentLayer>).run === 'function';
}

/** The options of `RecurrentArgs` besides `LayerArgs`'. */
export const recurrentKeys = [
  'units',
  'returnSequences',
  'returnState',
  'goBackwards',
  'stateful',
  'dropout',
  'recurrentDropout',
  'zeroOutputForMask',
  'fused',
] as const;

/** A boolean option: `value`, or `fallback` when absent. */
function booleanOr(argument: string, value: unknown, fallback: boolean): boolean {
  return checkBoolean(argument, value ?? fallback);
}

export class RNN extends Layer implements RecurrentLayer, StateOwner<unknown> {
  readonly className: string = 'RNN';
  override readonly supportsMasking = true;
  readonly cell: AnyCellPlugin;
  readonly units: number;
  /** The cell's options, merged with its defaults and validated. */
  readonly cellOptions: Readonly<Record<string, unknown>>;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly zeroOutputForMask: boolean;
  readonly fused: FusedPolicy;
  private paramWeights: LayerWeight[] = [];
  private carried: unknown[] | undefined;

  constructor(args: RnnArgs) {
    if (typeof args !== 'object' || args === null) invalidArgument('rnn(options)', args, 'an object');
    // A saved model loaded where its plugin cell was not registered fails here: the error names the layer.
    const cell = resolveCell(
      args.cell,
      typeof args.name === 'string' ? `rnn ${JSON.stringify(args.name)} cell` : 'rnn cell',
    );
    // Every key is checked here, so that a misspelt layer option is not taken for a cell option (and the message
    // lists both kinds).
    checkLayerOptions(
      typeof args.name === 'string' ? `${args.name} (${cell.name})` : cell.name,
      args,
      ['cell', ...recurrentKeys],
      { known: Object.keys(cell.defaultOptions), label: `options of the cell ${cell.name}` },
    );
    super(args);
    this.cell = cell;
    const where = this.hasName ? `${this.name} (${this.cell.name})` : this.cell.name;
    this.units = checkPositiveInteger(`${where} units`, args.units);
    this.returnSequences = booleanOr(`${where} returnSequences`, args.returnSequences, false);
    this.returnState = booleanOr(`${where} returnState`, args.returnState, false);
    this.goBackwards = booleanOr(`${where} goBackwards`, args.goBackwards, false);
    this.stateful = booleanOr(`${where} stateful`, args.stateful, false);
    this.zeroOutputForMask = booleanOr(`${where} zeroOutputForMask`, args.zeroOutputForMask, false);
    this.dropout = args.dropout === undefined ? 0 : checkDropoutRate(`${where} dropout`, args.dropout);
    this.recurrentDropout =
      args.recurrentDropout === undefined
        ? 0
        : checkDropoutRate(`${where} recurrentDropout`, args.recurrentDropout);
    this.fused =
      args.fused === undefined
        ? 'auto'
        : checkOneOf(`${where} fused`, args.fused, ['auto', 'never', 'require']);
    if (this.recurrentDropout > 0 && !this.cell.supportsRecurrentDropout) {
      throw new SeqmodelError(
        `${where} recurrentDropout: the cell ${this.cell.name} does not support recurrent dropout`,
      );
    }
    const cellOptions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
      if (key === 'cell' || (recurrentKeys as readonly string[]).includes(key)) continue;
      if (layerOptionKeys.includes(key)) continue;
      cellOptions[key] = value;
    }
    this.cellOptions = resolveCellOptions(this.cell, cellOptions);
    this.inputSpec = { rank: 3, meaning: '[batch, time, features]' };
  }

  override defaultName(): string {
    return this.className === 'RNN' ? 'rnn' : toSnakeCase(this.className);
  }

  get readsBackwards(): boolean {
    return this.goBackwards;
  }

  private dims(inputSize: number): CellDims {
    return { inputSize, units: this.units, options: this.cellOptions };
  }

  /** The cell's state specs (`h`, or `h` and `c`, ...). */
  stateSpecs(inputSize = this.builtInputSize ?? 1): StateSpec[] {
    return this.cell.state(this.dims(inputSize));
  }

  stateSizes(inputSize?: number): number[] {
    return this.stateSpecs(inputSize).map((s) => s.size);
  }

  outputSize(inputSize = this.builtInputSize ?? 1): number {
    return outputSizeOf(this.cell, this.dims(inputSize));
  }

  private get builtInputSize(): number | undefined {
    const shape = this.buildShapes?.[0];
    return shape === undefined ? undefined : (shape[2] as number);
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const shape = inputShapes[0]!;
    const inputSize = shape[2];
    if (inputSize === null || inputSize === undefined) {
      throw new SeqmodelError(
        `${this.describe()}: the feature size (last axis) of the input must be known to build, received ${formatShapeSpec(shape)}`,
      );
    }
    const config = { inputSize, units: this.units, ...this.cellOptions };
    const values = initParams(this.cell, config, this.weightRng(env));
    for (const spec of this.cell.params(this.dims(inputSize))) {
      const weight = this.addWeight(
        env,
        { name: toSnakeCase(spec.name), key: spec.name, shape: spec.shape, initializer: spec.initializer },
        values[spec.name]!.values,
      );
      this.paramWeights.push(weight);
    }
    this.inputSpec = { ...this.inputSpec, axes: [{ axis: 2, size: inputSize, what: 'feature size' }] };
  }

  computeOutputShape(
    inputShapes: readonly ShapeSpec[],
    initialStateShapes: readonly ShapeSpec[] = [],
  ): ShapeSpec[] {
    const [batch, time, features] = inputShapes[0]! as [number | null, number | null, number | null];
    const inputSize = features ?? 1;
    const specs = this.stateSpecs(inputSize);
    if (initialStateShapes.length > 0) this.checkInitialStateShapes(initialStateShapes, specs);
    const size = this.outputSize(inputSize);
    const output: ShapeSpec = this.returnSequences ? [batch, time, size] : [batch, size];
    return this.returnState ? [output, ...specs.map((s) => [batch, s.size])] : [output];
  }

  private checkInitialStateShapes(shapes: readonly ShapeSpec[], specs: readonly StateSpec[]): void {
    if (shapes.length !== specs.length) {
      throw new SeqmodelError(
        `${this.describe()} initialState: expected ${specs.length} tensors (${specs.map((s) => s.name).join(', ')}), received ${shapes.length}`,
      );
    }
    shapes.forEach((shape, i) => {
      const spec = specs[i]!;
      if (shape.length !== 2 || (shape[1] !== null && shape[1] !== spec.size)) {
        throw new SeqmodelError(
          `${this.describe()} initialState[${i}] (${spec.name}): expected shape [batch, ${spec.size}], received shape ${formatShapeSpec(shape)}`,
        );
      }
    });
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const { output, states } = this.run(ctx, inputs[0]!, runOptionsOf(this, args));
    return this.returnState ? [output, ...states] : [output];
  }

  override computeMask<T>(
    _ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    return recurrentOutputMasks(this.returnSequences, masks, outputCount);
  }

  run<T>(ctx: CallContext<T>, x: T, options: RecurrentRunOptions<T>): RecurrentResult<T> {
    const backend = ctx.backend;
    const shape = backend.shape(x);
    this.checkInputShape('inputs', shape);
    const [batch, , inputSize] = shape as [number, number, number];
    if (options.mask !== undefined) checkMask(backend, `${this.describe()} mask`, options.mask, shape);
    const specs = this.stateSpecs(inputSize);
    let initialState = options.initialState;
    if (initialState !== undefined) {
      this.checkInitialStateShapes(
        initialState.map((s) => backend.shape(s)),
        specs,
      );
      initialState.forEach((s, i) => {
        const got = backend.shape(s);
        if (got[0] !== batch) {
          throw new SeqmodelError(
            `${this.describe()} initialState[${i}] (${specs[i]!.name}): expected shape [${batch}, ${specs[i]!.size}] (batch of the inputs ${formatShape(shape)}), received shape ${formatShape(got)}`,
          );
        }
      });
    } else {
      initialState = ctx.carriedState(this) ?? (this.stateful ? this.carriedFor<T>(batch) : undefined);
    }
    const params: Record<string, T> = {};
    for (const w of this.paramWeights) params[w.key] = ctx.read(w);
    let inputs = x;
    let recurrentMask: T | undefined;
    if (ctx.training && (this.dropout > 0 || this.recurrentDropout > 0)) {
      const rng = ctx.rngFor(this.path);
      if (this.dropout > 0) {
        const mask = dropoutMask(backend, rng.fork('dropout'), [batch, 1, inputSize], this.dropout);
        inputs = backend.mul(x, mask);
      }
      if (this.recurrentDropout > 0) {
        recurrentMask = dropoutMask(
          backend,
          rng.fork('recurrentDropout'),
          [batch, specs[0]!.size],
          this.recurrentDropout,
        );
      }
    }
    const sequence: SequenceArgs<T> = {
      cell: this.cell,
      options: this.cellOptions,
      units: this.units,
      inputs,
      params,
      ...(initialState === undefined ? {} : { initialState }),
      ...(options.mask === undefined ? {} : { mask: options.mask }),
      goBackwards: this.goBackwards,
      returnSequences: options.returnSequences,
      zeroMaskedOutputs: this.zeroOutputForMask,
      ...(recurrentMask === undefined ? {} : { recurrentMask }),
    };
    const result =
      ctx.tracer === undefined
        ? runSequence(backend, sequence, this.fused)
        : this.runTraced(ctx.tracer, backend, sequence, specs);
    let output = result.output;
    if (ctx.recordAllStates) {
      // Streaming: continue the previous step's output through masked steps, as the full pass does.
      const carried = ctx.carriedOutput(this);
      if (
        carried !== undefined &&
        options.mask !== undefined &&
        !this.zeroOutputForMask &&
        !this.goBackwards
      ) {
        output = fillBeforeFirstValid(backend, output, options.mask, carried, options.returnSequences);
      }
      const shape = backend.shape(output);
      ctx.recordOutput(
        this,
        options.returnSequences
          ? backend.reshape(backend.slice(output, [0, shape[1]! - 1, 0], [-1, 1, -1]), [shape[0]!, shape[2]!])
          : output,
      );
    }
    if (this.stateful || ctx.recordAllStates) ctx.recordState(this, result.state);
    // Core's generic loop and seqmodel's kernels return the output and the states as tensors of their own, but a
    // kernel registered from outside may return its last output as the state itself (h): hand out a tensor of its
    // own then, so that a caller freeing the output of `[output, ...states]` (returnState) does not free the state.
    const states = result.state.map((s) => (s === output ? backend.reshape(s, backend.shape(s)) : s));
    return { output, states };
  }

  /** A traced pass (`model.inspect`): core's generic loop with every step kept, and the tracer's probes added. */
  private runTraced<T>(
    tracer: RecurrentTracer<T>,
    backend: Backend<T>,
    sequence: SequenceArgs<T>,
    specs: readonly StateSpec[],
  ): SequenceResult<T> {
    const probes = tracer.probesFor(this);
    const trace = traceSequence(backend, {
      ...sequence,
      ...(probes?.input === undefined ? {} : { inputs: backend.add(sequence.inputs, probes.input) }),
      ...(probes?.output === undefined ? {} : { outputProbe: probes.output }),
    });
    tracer.record(this, {
      path: this.path,
      cell: this.cell.name,
      stateNames: specs.map((s) => s.name),
      goBackwards: this.goBackwards,
      inputShape: backend.shape(sequence.inputs) as [number, number, number],
      outputSize: this.outputSize(backend.shape(sequence.inputs)[2]),
      trace,
    });
    return trace;
  }

  private carriedFor<T>(batch: number): T[] | undefined {
    const states = this.carried as T[] | undefined;
    if (states === undefined) return undefined;
    const backend = this.backend as Backend<T>;
    const held = backend.shape(states[0]!)[0];
    if (held !== batch) {
      throw new SeqmodelError(
        `${this.describe()}: this stateful layer holds states for a batch of ${held}, received a batch of ${batch}; ` +
          'keep the batch size fixed or call resetStates() first',
      );
    }
    return states;
  }

  /** The states a stateful layer carries into its next call (undefined before the first call or after a reset). */
  getStates<T>(): readonly T[] | undefined {
    return this.carried as T[] | undefined;
  }

  /** @internal Takes the states a call recorded (already kept). */
  acceptStates(states: unknown[]): void {
    const previous = this.carried;
    this.carried = states;
    if (previous !== undefined) this.backend!.dispose(previous);
  }

  /**
   * Frees the carried states of a stateful layer; the next call starts from zeros, or from `states` when given (they
   * are copied, so the caller keeps ownership of its tensors).
   */
  override resetStates<T>(states?: readonly T[]): void {
    const backend = this.backend as Backend<T> | undefined;
    if (states !== undefined) {
      // Checked before the carried state is touched: a failed call leaves it as it was.
      const what = `${this.describe()} resetStates(states)`;
      if (!this.stateful) {
        throw new SeqmodelError(
          `${what}: expected a stateful layer (made with stateful: true), received states for a layer that is not stateful`,
        );
      }
      if (backend === undefined) throw new SeqmodelError(`${what}: build the layer first`);
      checkStates(backend, what, states, this.stateSizes());
    }
    if (this.carried !== undefined) backend?.dispose(this.carried as T[]);
    this.carried =
      states === undefined
        ? undefined
        : states.map((s) => backend!.keep(backend!.reshape(s, backend!.shape(s))));
  }

  override dispose(): void {
    this.resetStates();
    super.dispose();
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      ...(this.className === 'RNN' ? { cell: this.cell.name } : {}),
      units: this.units,
      ...this.cellOptions,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      zeroOutputForMask: this.zeroOutputForMask,
      fused: this.fused,
    };
  }

  /**
   * @internal A new unbuilt layer with this one's options (and cell object) and `overrides`; the name is dropped
   * unless given. Bidirectional makes its backward layer this way.
   */
  cloneWith(overrides: Readonly<Record<string, unknown>>): RNN {
    const { name: _name, batchInputShape: _shape, ...config } = this.getConfig();
    const Class = this.constructor as new (args: RnnArgs) => RNN;
    return new Class({ ...config, cell: this.cell, ...overrides } as RnnArgs);
  }

  static fromConfig(config: Record<string, unknown>): RNN {
    return new RNN(config as RnnArgs);
  }
}

/** Options of `simpleRNN` (see core's `SimpleRnnOptions` for the cell's own). */
export type SimpleRnnArgs = RecurrentArgs & Partial<SimpleRnnOptions>;
/** Options of `lstm` (see core's `LstmOptions`: `recurrentActivation`, `unitForgetBias`, ...). */
export type LstmArgs = RecurrentArgs & Partial<LstmOptions>;
/** Options of `gru` (see core's `GruOptions`: `resetAfter`, `recurrentActivation`, ...). */
export type GruArgs = RecurrentArgs & Partial<GruOptions>;

/** Keras `SimpleRNN`: `h = activation(x·W + b + h·U)`. */
export class SimpleRNN extends RNN {
  override readonly className: string = 'SimpleRNN';
  constructor(args: SimpleRnnArgs) {
    super({ ...checkLayerArgsObject('simpleRNN', args), cell: 'simpleRNN' });
  }
  static override fromConfig(config: Record<string, unknown>): SimpleRNN {
    return new SimpleRNN(config as unknown as SimpleRnnArgs);
  }
}

/** Keras `LSTM` (gates i, f, c, o). */
export class LSTM extends RNN {
  override readonly className: string = 'LSTM';
  constructor(args: LstmArgs) {
    super({ ...checkLayerArgsObject('lstm', args), cell: 'lstm' });
  }
  static override fromConfig(config: Record<string, unknown>): LSTM {
    return new LSTM(config as unknown as LstmArgs);
  }
}

/** Keras `GRU` (gates z, r, h); `resetAfter` true (Keras 3 / PyTorch, the default) or false (tfjs-layers). */
export class GRU extends RNN {
  override readonly className: string = 'GRU';
  constructor(args: GruArgs) {
    super({ ...checkLayerArgsObject('gru', args), cell: 'gru' });
  }
  static override fromConfig(config: Record<string, unknown>): GRU {
    return new GRU(config as unknown as GruArgs);
  }
}

/**
 * A recurrent layer running any registered cell.
 *
 * @example
 * registerCell(mgu); // a plugin cell
 * const layer = rnn({ cell: 'mgu', units: 32, returnSequences: true });
 */
export function rnn(args: RnnArgs): RNN {
  return new RNN(args);
}

/** Keras `SimpleRNN`. */
export function simpleRNN(args: SimpleRnnArgs): SimpleRNN {
  return new SimpleRNN(args);
}

/**
 * Keras `LSTM`. The gate activation defaults to `sigmoid` (Keras 3); tfjs-layers models use `hardSigmoid`.
 *
 * @example
 * const layer = lstm({ units: 64, returnSequences: true, inputShape: [null, 8] });
 */
export function lstm(args: LstmArgs): LSTM {
  return new LSTM(args);
}

/** Keras `GRU`. `resetAfter` defaults to true (Keras 3); tfjs-layers models use `resetAfter: false`. */
export function gru(args: GruArgs): GRU {
  return new GRU(args);
}
