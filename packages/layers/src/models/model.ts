/**
 * The model base class shared by `Sequential` and `Functional`: a graph of layers bound to one backend, with its
 * weights in Keras order, the forward pass (`apply` / `predict`), weight get/set, `summary()`, streaming and
 * serialization.
 *
 * `apply` is the forward pass training is built on:
 *
 * ```ts
 * const vars = model.trainableWeights;
 * const { value, grads } = backend.valueAndGrads!((...w) => {
 *   const y = model.apply(x, { training: true, weights: w, rng: stepSeed }) as T;
 *   return loss(y, target);
 * }, vars.map((v) => v.read()));
 * ```
 *
 * `weights` substitutes tensors for weights (an array aligned with `trainableWeights`, or a map / record by full weight
 * name), so gradients flow to the tensors passed to `valueAndGrads`; `training` turns dropout on; `rng` seeds the
 * dropout masks (a fresh stream per call from the model's seed when omitted). A training `apply` assigns the moving
 * statistics it records (BatchNormalization) as soon as the pass has run; a loop that should leave them when its
 * step fails runs `runPass` with a `PendingUpdates` instead (see there).
 */
import {
  type Backend,
  checkBackend,
  checkBoolean,
  checkOptions,
  checkPositiveInteger,
  checkShape,
  createRng,
  didYouMean,
  invalidArgument,
  type Rng,
  SeqmodelError,
  type TensorLike,
} from '@seqmodel/core';
import { CallContext } from '../engine/context.js';
import type { Graph } from '../engine/graph.js';
import { commitStatefulStates, type Layer, toRng, whileRecordingUpdates } from '../engine/layer.js';
import { checkMask, maskFromLengths } from '../engine/masks.js';
import { checkName } from '../engine/naming.js';
import type {
  ApplyOptions,
  CarriedPassOutputs,
  CarriedStates,
  OutputsWithMasks,
  PassHooks,
  WeightOverrides,
} from '../engine/pass.js';
import { checkFitsSpec, type ShapeSpec } from '../engine/shape-spec.js';
import type { SymbolicTensor } from '../engine/symbolic.js';
import {
  copyWeights,
  type LayerWeight,
  readWeightData,
  setWeightValues,
  type WeightData,
  type WeightValue,
} from '../engine/weight.js';
import type { Logs } from '../training/callbacks/callback.js';
import type { History } from '../training/callbacks/history.js';
import type { CompileArgs } from '../training/compile.js';
import {
  ARGUMENT_LABELS,
  type Counts,
  type LengthsLike,
  releaseBatch,
  type StepBatch,
  type TensorsLike,
} from '../training/data/batch.js';
import { batchFromDataset, type Dataset, DatasetReader, isDataset } from '../training/data/dataset.js';
import { InMemoryData } from '../training/data/in-memory.js';
import type { Optimizer } from '../training/optimizers/optimizer.js';
import type {
  DataOptions,
  EvaluateDatasetOptions,
  EvaluateOptions,
  FitDatasetOptions,
  FitOptions,
  OnBatchOptions,
} from '../training/options.js';
import { maskOptions, passInputs } from '../training/steps.js';
import type { TrainableModel } from '../training/trainable.js';
import { Trainer } from '../training/trainer.js';
import { type InspectOptions, inspectModel, type ModelInspection } from './inspect.js';
import { ModelStream } from './stream.js';
import { formatSummary, type SummaryOptions } from './summary.js';

/** Options of `predict` on in-memory data: inference (no dropout), optionally in batches. */
export interface PredictOptions<T> {
  /** Run at most this many rows at a time and join the results (default: all at once). */
  readonly batchSize?: number;
  /** `[n, time]` mask of the (first) input, or one per input, as `fit` takes it. */
  readonly mask?: TensorLike<T> | readonly (TensorLike<T> | undefined)[];
  /** Valid lengths of the (first) input's sequences, or one per input, as `fit` takes them. */
  readonly lengths?: LengthsLike<T> | readonly (LengthsLike<T> | undefined)[];
}

/** Options of `predict` on a dataset. */
export interface PredictDatasetOptions {
  /** Batches to read (default: the whole dataset). */
  readonly steps?: number;
}

/**
 * What `predict` takes, as `fit` and `evaluate` take their `x`: a tensor of the model's backend, `{ data, shape }`
 * host values or nested arrays of numbers, or for a model with several inputs a list of them (one per input).
 */
export type PredictInput<T> = TensorsLike<T>;

/**
 * How many outputs a model's type promises: `one` (a `Sequential`, or a functional model built with one output
 * tensor), `several` (a functional model built with a list of two or more, a `Sequential` with `outputs:
 * 'several'`), or both, `'one' | 'several'`, for a model whose outputs are known only at run time (one loaded from a
 * file). A model that promises one is a model that promises either, where one is expected.
 */
export type OutputCount = 'one' | 'several';

/** What `predict` and `apply` return for a model of `OutputCount` `N`: a tensor, a list of them, or either. */
export type ModelOutput<T, N extends OutputCount> = N extends 'one' ? T : T[];

export type { WeightData, WeightValue };

/** A model as JSON: class name and config (layers and how they connect). */
export interface SerializedModel {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

/** The options of `ApplyOptions`. */
const applyOptionKeys = ['training', 'weights', 'rng', 'mask', 'lengths', 'updateStates'];

/** The options of `ModelArgs`. */
export const modelOptionKeys: readonly string[] = ['name', 'backend', 'seed'];

/** Options shared by model constructors. */
export interface ModelArgs<T> {
  readonly name?: string;
  /** Bind to a backend now (weights are created as soon as input shapes are known). */
  readonly backend?: Backend<T>;
  /**
   * Seed of the weights (and of dropout masks when `apply` gets no `rng`): one seed, the same weights on every backend.
   * A random seed when omitted (`model.seed` tells which).
   */
  readonly seed?: number | string;
}

/**
 * A model on tensors `T` with `N` outputs (see `OutputCount`): `predict` and `apply` on a `Model<T, 'one'>` give a
 * `T`, with no cast.
 */
export abstract class Model<T = unknown, N extends OutputCount = OutputCount> implements TrainableModel<T> {
  abstract readonly className: string;
  readonly name: string;
  /** Seed of the weights and the default dropout stream. */
  readonly seed: number | string;
  private boundBackend: Backend<T> | undefined;
  private dropoutRng: Rng;
  private callCount = 0;
  private trainer: Trainer<T> | undefined;
  private lastCompileArgs: CompileArgs | undefined;
  /** Set to true (by a callback, say) to stop `fit` after the current batch. */
  stopTraining = false;
  /** The graph once built. */
  protected graph: Graph | undefined;

  constructor(args: ModelArgs<T>, defaultName: string) {
    this.name = args.name === undefined ? defaultName : checkName('model name', args.name);
    if (args.backend !== undefined) checkBackend(`${defaultName} backend`, args.backend);
    this.seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
    if (typeof this.seed === 'number' && !Number.isSafeInteger(this.seed)) {
      invalidArgument('seed', this.seed, 'a safe integer or a string');
    }
    this.dropoutRng = createRng(this.seed).fork('dropout');
    this.boundBackend = args.backend;
  }

  /** `sequential (Sequential)`, for messages. */
  describe(): string {
    return `${this.name} (${this.className})`;
  }

  get built(): boolean {
    return this.graph !== undefined;
  }

  /** The backend the model is bound to. */
  get backend(): Backend<T> {
    if (this.boundBackend === undefined) {
      throw new SeqmodelError(
        `${this.describe()}: no backend; pass { backend } when creating it or call build(backend)`,
      );
    }
    return this.boundBackend;
  }

  /** Whether a backend has been given. */
  get hasBackend(): boolean {
    return this.boundBackend !== undefined;
  }

  protected bindBackend(backend: Backend<T>): void {
    checkBackend(`${this.describe()} build(backend)`, backend);
    if (this.boundBackend !== undefined && this.boundBackend !== backend) {
      throw new SeqmodelError(
        `${this.describe()}: already bound to backend ${this.boundBackend.name}; a model lives on one backend`,
      );
    }
    this.boundBackend = backend;
  }

  /** Builds the graph and its weights on the bound backend; `what` names the model in errors. */
  protected buildGraph(graph: Graph): void {
    graph.assignNames(this.describe());
    graph.build(
      { backend: this.backend as Backend<unknown>, rng: createRng(this.seed), prefix: '' },
      this.describe(),
    );
    this.graph = graph;
  }

  /** The built graph (building it from the data when the model can defer its build, as Sequential does). */
  protected abstract graphFor(inputs: readonly T[] | undefined): Graph;

  /** The layers, in order of first use. */
  abstract get layers(): readonly Layer[];

  /** Symbolic inputs (after build). */
  get inputs(): readonly SymbolicTensor[] {
    return this.graphFor(undefined).inputs;
  }

  /** Symbolic outputs (after build). */
  get outputs(): readonly SymbolicTensor[] {
    return this.graphFor(undefined).outputs;
  }

  /** The layer called `name`. */
  getLayer(name: string): Layer {
    const layer = this.layers.find((l) => l.name === name);
    if (layer === undefined) {
      throw new SeqmodelError(
        `${this.describe()} getLayer: no layer named ${JSON.stringify(name)}${didYouMean(
          String(name),
          this.layers.map((l) => l.name),
        )}; expected one of ${this.layers.map((l) => l.name).join(', ')}`,
      );
    }
    return layer;
  }

  /** Every weight in Keras order: layers in order, each layer's weights in its own order. */
  get weights(): LayerWeight[] {
    return this.layers.flatMap((l) => l.weights);
  }

  get trainableWeights(): LayerWeight[] {
    return this.layers.flatMap((l) => l.trainableWeights);
  }

  get nonTrainableWeights(): LayerWeight[] {
    return this.layers.flatMap((l) => l.nonTrainableWeights);
  }

  /** Number of weight entries. */
  countParams(): number {
    this.graphFor(undefined);
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /**
   * The forward pass. Returns one tensor, or an array for models with several outputs; every returned tensor is new
   * and owned by the caller. Everything else the pass creates is freed, also when it throws.
   */
  apply(inputs: T | readonly T[], options: ApplyOptions<T> = {}): ModelOutput<T, N> {
    const { outputs, masks } = this.applyWithMasks(inputs, options);
    this.backend.dispose(masks.filter((m): m is T => m !== undefined));
    return (outputs.length === 1 ? outputs[0]! : outputs) as ModelOutput<T, N>;
  }

  /** The forward pass, also returning each output's mask (for masked losses and metrics); the caller owns both. */
  applyWithMasks(inputs: T | readonly T[], options: ApplyOptions<T> = {}): OutputsWithMasks<T> {
    checkOptions(`${this.describe()} apply options`, options, applyOptionKeys);
    return this.runPass(inputs, options, {});
  }

  /**
   * The forward pass with carried states (streaming), traced by `hooks.tracer` when given (`inspect`), its weight
   * updates (moving statistics) handed to `hooks.pendingUpdates` when given, for a training loop to assign once its
   * update has been applied (`apply` assigns them when the pass has run).
   *
   * @example
   * const pending = new PendingUpdates(backend);
   * const { value, grads } = backend.valueAndGrads!((...w) => {
   *   const { outputs } = model.runPass(x, { training: true, weights: w }, {}, { pendingUpdates: pending });
   *   return loss(outputs[0]);
   * }, model.trainableWeights.map((w) => w.read()));
   * // ... apply the gradients, then:
   * pending.commit();
   */
  runPass(
    inputs: T | readonly T[],
    options: ApplyOptions<T>,
    streaming: CarriedStates<T>,
    hooks: PassHooks<T> = {},
  ): CarriedPassOutputs<T> {
    const { tracer, pendingUpdates } = hooks;
    const xs = this.toInputList(inputs);
    const graph = this.graphFor(xs);
    const backend = this.backend;
    this.checkInputs(graph, xs);
    const overrides = this.resolveOverrides(options.weights);
    const training = checkBoolean('apply training', options.training ?? false);
    // Only training passes draw from the model's stream, so inference calls in between do not shift the masks.
    const rng = toRng(options.rng, () =>
      training ? this.dropoutRng.fork(this.callCount++) : this.dropoutRng,
    );
    const ctx = new CallContext<T>({
      backend,
      training,
      rng,
      overrides,
      ...(streaming.carried === undefined
        ? {}
        : {
            carriedStates: streaming.carried,
            carriedOutputs: streaming.carriedOutputs ?? new Map(),
            recordAllStates: true,
          }),
      ...(tracer === undefined ? {} : { tracer }),
      ...(pendingUpdates === undefined ? {} : { pendingUpdates }),
    });
    // Moving statistics recorded by a training pass are assigned only once the whole pass has run.
    const result = whileRecordingUpdates(ctx, () =>
      backend.tidy(() => {
        const masks = this.inputMasks(xs, options);
        const run = graph.run(ctx, xs, masks);
        const owned = new Set<T>([...xs, ...masks.filter((m): m is T => m !== undefined)]);
        const copy = (t: T): T => {
          if (!owned.has(t)) {
            owned.add(t);
            return t;
          }
          return backend.reshape(t, backend.shape(t));
        };
        const outputs = run.outputs.map(copy);
        const outMasks = run.masks.map((m) => (m === undefined ? undefined : copy(m)));
        return {
          outputs,
          masks: outMasks,
          states: [...ctx.recordedStates().values()],
          lastOutputs: [...ctx.lastOutputs().values()],
        };
      }),
    );
    const states = ctx.recordedStates();
    if (streaming.carried === undefined) {
      commitStatefulStates(backend, states, options.updateStates ?? true);
      return { outputs: result.outputs, masks: result.masks, states: new Map(), lastOutputs: new Map() };
    }
    return { outputs: result.outputs, masks: result.masks, states, lastOutputs: ctx.lastOutputs() };
  }

  /**
   * Looks inside the model on `inputs` (as `predict` takes them: tensors, `{ data, shape }` host values or nested
   * arrays of numbers; dropout off, stateful layers' states left as they are): every recurrent
   * layer's states and gate activations at every step, and with `targets` (the compiled loss) or an `objective` the
   * gradients with respect to each recurrent layer's hidden state and input at every step (∂L/∂h_t, ∂L/∂x_t). The
   * recurrent layers run core's generic loop here, never a fused kernel, since those keep no per-step values. The
   * caller owns the result's tensors (`dispose()`).
   *
   * @example
   * const look = model.inspect(x, { targets: y });
   * const [lstm] = look.recurrent;
   * backend.shape(lstm.gates.forget); // [batch, time, units]
   * backend.shape(lstm.stateGradients!); // [batch, time, units]: ∂L/∂h_t
   * look.dispose();
   */
  inspect(inputs: PredictInput<T>, options?: InspectOptions<T>): ModelInspection<T> {
    const what = `${this.describe()} inspect`;
    const { targets, objective, sampleWeight, mask, lengths } = checkOptions<InspectOptions<T>>(
      `${what} options`,
      options,
      ['targets', 'objective', 'sampleWeight', 'mask', 'lengths'],
    );
    if (objective !== undefined && typeof objective !== 'function') {
      invalidArgument(`${what} objective`, objective, 'a function of the outputs returning a scalar tensor');
    }
    if (targets === undefined) {
      if (sampleWeight !== undefined)
        throw new SeqmodelError(`${what}: sampleWeight needs targets (it weights the compiled loss)`);
      // The inputs as predict takes them (tensors, host values or nested arrays), made into one batch.
      const data = InMemoryData.from<T>(
        this.backend,
        what,
        this.predictCounts(),
        { inputs, mask: mask as PredictOptions<T>['mask'], lengths: lengths as PredictOptions<T>['lengths'] },
        ARGUMENT_LABELS,
        { checks: this },
      );
      try {
        const [batch] = [...data.batches(data.size)];
        try {
          this.graphFor(batch!.xs);
          return inspectModel(this, passInputs(batch!), maskOptions(batch!), objective);
        } finally {
          releaseBatch(this.backend, batch!);
        }
      } finally {
        data.dispose();
      }
    }
    if (objective !== undefined)
      throw new SeqmodelError(`${what}: give targets (for the compiled loss) or objective, not both`);
    return this.requireTrainer('inspect').withLossBatch(
      inputs as TensorsLike<T>,
      targets as TensorsLike<T>,
      {
        ...(mask === undefined ? {} : { mask: mask as DataOptions<T>['mask'] }),
        ...(lengths === undefined ? {} : { lengths: lengths as DataOptions<T>['lengths'] }),
        ...(sampleWeight === undefined ? {} : { sampleWeight }),
      },
      what,
      (batchInputs, passOptions, loss) => inspectModel(this, batchInputs, passOptions, loss),
    );
  }

  /**
   * Inference: `apply` with dropout off, optionally in batches of `batchSize` rows. Takes what `fit` takes: tensors of
   * the model's backend, `{ data, shape }` host values or nested arrays of numbers (`[[3, 8, 1]]` token ids, say),
   * with `mask` or `lengths`; values made into tensors here are freed after the call. On a dataset (batches of
   * `{ inputs, mask?, lengths? }`, as `fit` reads them; targets are ignored) it resolves to the outputs of every
   * batch joined along the batch axis.
   */
  predict(x: PredictInput<T>, options?: PredictOptions<T>): ModelOutput<T, N>;
  predict(dataset: Dataset<T>, options?: PredictDatasetOptions): Promise<ModelOutput<T, N>>;
  predict(
    x: PredictInput<T> | Dataset<T>,
    options?: PredictOptions<T> | PredictDatasetOptions,
  ): ModelOutput<T, N> | Promise<ModelOutput<T, N>> {
    const what = `${this.describe()} predict`;
    // Without a backend, the model explains what it needs to be built.
    if (!this.hasBackend) this.graphFor(undefined);
    const backend = this.backend;
    if (!backend.isTensor(x) && isDataset(x)) {
      try {
        return this.predictDataset(x as Dataset<T>, options as PredictDatasetOptions | undefined, what);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const o = checkOptions<PredictOptions<T>>(`${what} options`, options, ['batchSize', 'mask', 'lengths']);
    const batchSize =
      o.batchSize === undefined ? undefined : checkPositiveInteger(`${what} batchSize`, o.batchSize);
    const data = InMemoryData.from<T>(
      backend,
      what,
      this.predictCounts(),
      { inputs: x, mask: o.mask, lengths: o.lengths },
      ARGUMENT_LABELS,
      { checks: this },
    );
    const pieces: T[][] = [];
    try {
      for (const batch of data.batches(batchSize ?? data.size)) this.predictInto(pieces, batch);
      return this.joinPieces(pieces);
    } catch (error) {
      backend.dispose(pieces);
      throw error;
    } finally {
      data.dispose();
    }
  }

  private async predictDataset(
    dataset: Dataset<T>,
    options: PredictDatasetOptions | undefined,
    what: string,
  ): Promise<ModelOutput<T, N>> {
    const o = checkOptions<PredictDatasetOptions>(`${what} options`, options, ['steps']);
    const steps = o.steps === undefined ? undefined : checkPositiveInteger(`${what} steps`, o.steps);
    const backend = this.backend;
    const reader = new DatasetReader(dataset, `${what} dataset`);
    reader.restart(0);
    const pieces: T[][] = [];
    try {
      while (steps === undefined || pieces.length < steps) {
        const element = await reader.next();
        if (element === undefined) break;
        const batch = batchFromDataset<T>(
          backend,
          element,
          this.predictCounts(),
          `${what} dataset batch ${pieces.length}`,
          this,
        );
        this.predictInto(pieces, batch);
      }
    } catch (error) {
      backend.dispose(pieces);
      throw error;
    }
    if (pieces.length === 0)
      throw new SeqmodelError(`${what} dataset: expected at least one batch, received none`);
    return this.joinPieces(pieces);
  }

  /** Inputs `predict` reads (a model not built yet takes one) and no targets. */
  private predictCounts(): Counts {
    return { inputs: this.built ? this.graph!.inputs.length : 1, outputs: 0 };
  }

  /** Adds one batch's outputs (dropout off) to `pieces` and frees the tensors made for the batch. */
  private predictInto(pieces: T[][], batch: StepBatch<T>): void {
    try {
      this.graphFor(batch.xs);
      const { outputs, masks } = this.applyWithMasks(passInputs(batch), {
        training: false,
        ...maskOptions(batch),
      });
      this.backend.dispose(masks.filter((m): m is T => m !== undefined));
      pieces.push(outputs);
    } finally {
      releaseBatch(this.backend, batch);
    }
  }

  /** The batches' outputs joined along the batch axis (the pieces are freed); one piece is returned as it is. */
  private joinPieces(pieces: readonly T[][]): ModelOutput<T, N> {
    const backend = this.backend;
    let joined: T[];
    if (pieces.length === 1) {
      joined = pieces[0]!;
    } else {
      try {
        joined = pieces[0]!.map((_, k) =>
          backend.concat(
            pieces.map((p) => p[k]!),
            0,
          ),
        );
      } finally {
        for (const p of pieces) backend.dispose(p);
      }
    }
    // One output is one tensor whatever the model's type says; the type only narrows it.
    return (joined.length === 1 ? joined[0]! : joined) as ModelOutput<T, N>;
  }

  /**
   * Configures training: optimizer, loss(es), metrics (Keras' `compile`). Compiling again replaces the optimizer
   * (and frees the previous one's state).
   */
  compile(args: CompileArgs): void {
    const trainer = new Trainer<T>(this, args);
    this.trainer?.dispose();
    this.trainer = trainer;
    this.lastCompileArgs = args;
  }

  /** @internal The arguments of the last `compile` (saving stores them with the optimizer). */
  get compileArgs(): CompileArgs | undefined {
    return this.lastCompileArgs;
  }

  /** Whether `compile` was called. */
  get compiled(): boolean {
    return this.trainer !== undefined;
  }

  /** The compiled optimizer. */
  get optimizer(): Optimizer {
    return this.requireTrainer('optimizer').optimizer;
  }

  /**
   * Trains the model (Keras' `fit`) on in-memory data, `fit(x, y, options)`, or on a dataset of batches,
   * `fit(dataset, options)`; resolves to the `History` of the epochs' logs. See `FitOptions`.
   */
  fit(dataset: Dataset<T>, options?: FitDatasetOptions<T>): Promise<History>;
  fit(x: TensorsLike<T>, y: TensorsLike<T>, options?: FitOptions<T>): Promise<History>;
  fit(
    x: TensorsLike<T> | Dataset<T>,
    y?: TensorsLike<T> | FitDatasetOptions<T>,
    options?: FitOptions<T>,
  ): Promise<History> {
    try {
      return this.requireTrainer('fit').fit(x, y, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The loss and metrics on `x`, `y` (or a dataset), by name, without training (Keras' `evaluate`). */
  evaluate(dataset: Dataset<T>, options?: EvaluateDatasetOptions): Promise<Logs>;
  evaluate(x: TensorsLike<T>, y: TensorsLike<T>, options?: EvaluateOptions<T>): Promise<Logs>;
  evaluate(
    x: TensorsLike<T> | Dataset<T>,
    y?: TensorsLike<T> | EvaluateDatasetOptions,
    options?: EvaluateOptions<T>,
  ): Promise<Logs> {
    try {
      return this.requireTrainer('evaluate').evaluate(x, y, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** One optimizer update on one batch; returns that batch's loss and metrics (Keras' `train_on_batch`). */
  trainOnBatch(x: TensorsLike<T>, y: TensorsLike<T>, options?: OnBatchOptions<T>): Logs {
    return this.requireTrainer('trainOnBatch').trainOnBatch(x, y, options);
  }

  /** One batch's loss and metrics without training (Keras' `test_on_batch`). */
  testOnBatch(x: TensorsLike<T>, y: TensorsLike<T>, options?: DataOptions<T>): Logs {
    return this.requireTrainer('testOnBatch').testOnBatch(x, y, options);
  }

  private requireTrainer(what: string): Trainer<T> {
    if (this.trainer === undefined) {
      throw new SeqmodelError(
        `${this.describe()} ${what}: the model is not compiled; call model.compile({ optimizer, loss }) first`,
      );
    }
    return this.trainer;
  }

  /**
   * Checks host values of model input `input` before they become tensors: each layer that reads the input directly
   * checks them (`Layer.checkInputValues`; an embedding's token ids). `fit`, `evaluate` and `predict` call it.
   */
  checkInputValues(
    input: number,
    values: ArrayLike<number>,
    shape: readonly number[],
    argument: string,
  ): void {
    for (const layer of this.inputConsumers(input)) layer.checkInputValues(values, shape, argument);
  }

  /** The layers that read model input `index` directly (none known before the graph is). */
  protected inputConsumers(index: number): readonly Layer[] {
    return consumersOf(this.graph, index);
  }

  /** @internal Builds the model for these inputs if it is not built yet (training reads weights before a pass). */
  buildFor(inputs: T | readonly T[]): void {
    this.graphFor(this.toInputList(inputs));
  }

  /** Copies of every weight as tensors, in `weights` order; the caller owns them. */
  getWeights(): T[] {
    return copyWeights(this.backend, this.weights);
  }

  /** Every weight read back to the host as float32, in `weights` order, with names and shapes. */
  getWeightData(): WeightData[] {
    return readWeightData(this.backend, this.weights, this.trainableWeights);
  }

  /**
   * Sets every weight, in `weights` order (Keras order), from tensors of the model's backend (copied) or host values
   * (arrays, typed arrays, `{ data, shape }`, `{ values }`). Every value is checked before anything changes: a failed
   * call leaves the weights as they were and frees what it made.
   */
  setWeights(values: readonly WeightValue<T>[]): void {
    setWeightValues(this.backend, this.weights, values, `${this.describe()} setWeights`);
  }

  /** Sets weights by full name (every weight must be given); used by loaders. */
  setWeightsByName(
    values: ReadonlyMap<string, WeightValue<T>> | Readonly<Record<string, WeightValue<T>>>,
  ): void {
    const map = values instanceof Map ? values : new Map(Object.entries(values));
    const weights = this.weights;
    const missing = weights.filter((w) => !map.has(w.name)).map((w) => w.name);
    if (missing.length > 0)
      throw new SeqmodelError(`${this.describe()} setWeightsByName: missing ${missing.join(', ')}`);
    const known = new Set(weights.map((w) => w.name));
    const unknown = [...map.keys()].filter((k) => !known.has(k));
    if (unknown.length > 0) {
      throw new SeqmodelError(
        `${this.describe()} setWeightsByName: unknown weights ${unknown.join(', ')}; the model has ${[...known].join(', ')}`,
      );
    }
    this.setWeights(weights.map((w) => map.get(w.name)!));
  }

  /**
   * A table of the layers with their output shapes and parameter counts, and the totals (as Keras). Printed with
   * `console.log` unless `{ print: false }`; returned either way.
   */
  summary(options: SummaryOptions = {}): string {
    checkOptions(`${this.describe()} summary options`, options, ['print', 'printFn']);
    const graph = this.graphFor(undefined);
    const count = (ws: readonly LayerWeight[]) => ws.reduce((n, w) => n + w.size, 0);
    const text = formatSummary(this.name, graph, this.layers, this.className !== 'Sequential', {
      trainable: count(this.trainableWeights),
      nonTrainable: count(this.nonTrainableWeights),
    });
    if (options.print ?? true) (options.printFn ?? console.log)(text);
    return text;
  }

  /** A stream that feeds the model one time step at a time, carrying recurrent state (see `ModelStream`). */
  stream(): ModelStream<T> {
    return new ModelStream<T>(this);
  }

  /** Clears the carried states of every stateful layer. */
  resetStates(): void {
    for (const layer of this.layers) layer.resetStates();
  }

  /**
   * Frees the weights and carried states (of shared layers too: they are owned by every model using them), and the
   * optimizer's state.
   */
  dispose(): void {
    this.trainer?.dispose();
    for (const layer of this.layers) layer.dispose();
  }

  /** The model's config (layers and connections); see `saveModel` for config plus weights. */
  abstract getConfig(): Record<string, unknown>;

  /** `{ className, config }`, JSON-serializable. */
  toJSON(): SerializedModel {
    return { className: this.className, config: this.getConfig() };
  }

  private toInputList(inputs: T | readonly T[]): T[] {
    const list = Array.isArray(inputs) ? [...(inputs as readonly T[])] : [inputs as T];
    return list;
  }

  private checkInputs(graph: Graph, xs: readonly T[]): void {
    const backend = this.backend;
    if (xs.length !== graph.inputs.length) {
      throw new SeqmodelError(
        `${this.describe()} inputs: expected ${graph.inputs.length} tensor${graph.inputs.length === 1 ? '' : 's'}, received ${xs.length}`,
      );
    }
    xs.forEach((x, i) => {
      const what =
        graph.inputs.length === 1 ? `${this.describe()} inputs` : `${this.describe()} inputs[${i}]`;
      if (!backend.isTensor(x)) invalidArgument(what, x, `a tensor of backend ${backend.name}`);
      checkFitsSpec(what, backend.shape(x), graph.inputs[i]!.shape as ShapeSpec);
    });
  }

  private maskList(count: number, mask: ApplyOptions<T>['mask']): (T | undefined)[] {
    if (mask === undefined) return Array.from({ length: count }, () => undefined);
    if (Array.isArray(mask)) {
      if (mask.length !== count) {
        throw new SeqmodelError(
          `${this.describe()} mask: expected ${count} masks (one per input), received ${mask.length}`,
        );
      }
      return [...(mask as readonly (T | undefined)[])];
    }
    if (count !== 1) {
      throw new SeqmodelError(
        `${this.describe()} mask: the model has ${count} inputs; pass an array of masks, one per input`,
      );
    }
    return [mask as T];
  }

  private lengthsList(count: number, lengths: ApplyOptions<T>['lengths']): (readonly number[] | undefined)[] {
    if (lengths === undefined) return Array.from({ length: count }, () => undefined);
    if (!Array.isArray(lengths))
      invalidArgument(`${this.describe()} lengths`, lengths, 'an array of sequence lengths');
    const perInput = lengths.length > 0 && lengths.every((l) => Array.isArray(l) || l === undefined);
    if (!perInput) {
      if (count !== 1) {
        throw new SeqmodelError(
          `${this.describe()} lengths: the model has ${count} inputs; pass an array with one lengths array (or undefined) per input`,
        );
      }
      return [lengths as readonly number[]];
    }
    if (lengths.length !== count) {
      throw new SeqmodelError(
        `${this.describe()} lengths: expected ${count} lengths arrays (one per input), received ${lengths.length}`,
      );
    }
    return [...(lengths as readonly (readonly number[] | undefined)[])];
  }

  /** The input masks from `mask` and `lengths` (created tensors live in the caller's tidy). */
  private inputMasks(xs: readonly T[], options: ApplyOptions<T>): (T | undefined)[] {
    const backend = this.backend;
    const masks = this.maskList(xs.length, options.mask);
    const lengths = this.lengthsList(xs.length, options.lengths);
    return xs.map((x, i) => {
      const suffix = xs.length === 1 ? '' : `[${i}]`;
      const l = lengths[i];
      if (l !== undefined && masks[i] !== undefined) {
        throw new SeqmodelError(
          `${this.describe()} mask${suffix}: expected either a mask or lengths${suffix}, received both`,
        );
      }
      if (l !== undefined)
        return maskFromLengths(backend, l, backend.shape(x), `${this.describe()} lengths${suffix}`);
      const m = masks[i];
      if (m !== undefined) checkMask(backend, `${this.describe()} mask${suffix}`, m, backend.shape(x));
      return m;
    });
  }

  /** Resolves weight overrides to a map by weight, checking names, counts and shapes. */
  private resolveOverrides(weights: WeightOverrides<T> | undefined): Map<LayerWeight, T> | undefined {
    if (weights === undefined) return undefined;
    const backend = this.backend;
    const out = new Map<LayerWeight, T>();
    const check = (w: LayerWeight, t: T, argument: string) => {
      if (!backend.isTensor(t)) invalidArgument(argument, t, `a tensor of backend ${backend.name}`);
      checkShape(argument, backend.shape(t), w.shape);
      out.set(w, t);
    };
    if (Array.isArray(weights)) {
      const trainable = this.trainableWeights;
      if (weights.length !== trainable.length) {
        throw new SeqmodelError(
          `${this.describe()} apply weights: expected ${trainable.length} tensors (one per trainable weight: ${trainable.map((w) => w.name).join(', ')}), received ${weights.length}`,
        );
      }
      trainable.forEach((w, i) => {
        check(w, (weights as readonly T[])[i]!, `${this.describe()} apply weights[${i}] (${w.name})`);
      });
      return out;
    }
    const entries =
      weights instanceof Map ? [...weights.entries()] : Object.entries(weights as Record<string, T>);
    const byName = new Map(this.weights.map((w) => [w.name, w]));
    for (const [name, t] of entries) {
      const w = byName.get(name);
      if (w === undefined) {
        throw new SeqmodelError(
          `${this.describe()} apply weights: unknown weight ${JSON.stringify(name)}; the model has ${[...byName.keys()].join(', ')}`,
        );
      }
      check(w, t, `${this.describe()} apply weights[${JSON.stringify(name)}]`);
    }
    return out;
  }
}

/** The layers whose main input is `graph`'s input `index`. */
export function consumersOf(graph: Graph | undefined, index: number): Layer[] {
  const x = graph?.inputs[index];
  if (graph === undefined || x === undefined) return [];
  return graph.nodes.filter((node) => node.inputs[0] === x).map((node) => node.layer);
}
