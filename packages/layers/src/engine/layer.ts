/**
 * The layer base class. A layer is configured by its constructor (backend-free), built on a backend for an input
 * shape (creating its weights from a seeded initializer), and called on tensors of that backend through a
 * `CallContext`. Applied to symbolic tensors it records a graph node instead (functional API).
 *
 * Subclasses implement `computeOutputShape` (shape inference, also used by `summary()`), `call` (the forward pass,
 * reading every weight through `ctx.read`), and when they create weights `onBuild`. Masks follow Keras: a layer that
 * `supportsMasking` passes its input mask on; others drop it; some (Embedding, Masking, RNN) compute their own.
 *
 * The symbolic tensors of the functional API and the graph nodes they come from are defined here too: a node names
 * its layer and a layer makes nodes, so they share a module (`symbolic.ts` adds `input()`).
 */
import {
  type Backend,
  checkBackend,
  checkBoolean,
  checkOptions,
  checkPositiveInteger,
  createRng,
  type InitializerSpec,
  initialize,
  invalidArgument,
  type Rng,
  SeqmodelError,
} from '@seqmodel/core';
import { CallContext } from './context.js';
import { checkName, toSnakeCase } from './naming.js';
import { checkShapeSpec, type Dim, formatShapeSpec, type ShapeSpec } from './shape-spec.js';
import {
  copyWeights,
  LayerWeight,
  readWeightData,
  setWeightValues,
  type WeightData,
  type WeightValue,
} from './weight.js';

/** One application of a layer: its inputs, optional initial-state inputs and outputs. */
export class LayerNode {
  readonly outputs: SymbolicTensor[] = [];

  constructor(
    readonly layer: Layer,
    readonly inputs: readonly SymbolicTensor[],
    readonly initialState: readonly SymbolicTensor[],
  ) {}
}

/** The start of a graph: a model input. */
export class InputNode {
  readonly outputs: SymbolicTensor[] = [];

  constructor(
    /** Name of the input; unnamed inputs are named by their model (`input`, `input_1`, ...). */
    public name: string | undefined,
    readonly dtype: 'float32' | 'int32',
  ) {}
}

export class SymbolicTensor {
  constructor(
    /** Shape with the batch axis; `null` where the size is known only at call time. */
    readonly shape: ShapeSpec,
    /** The layer application (or model input) that produces it. */
    readonly source: LayerNode | InputNode,
    /** Which of the source's outputs it is. */
    readonly index: number,
  ) {}

  get rank(): number {
    return this.shape.length;
  }
}

/** Options every layer takes. */
export interface LayerArgs {
  /** Unique name within a model; derived from the class when omitted (`lstm`, `lstm_1`, ...). */
  readonly name?: string;
  /** False freezes every weight of the layer (default true). */
  readonly trainable?: boolean;
  /** Shape of one sample without the batch axis, for a model's first layer: `[null, 8]` (any length, 8 features). */
  readonly inputShape?: readonly Dim[];
  /** Fixed batch size, with `inputShape`. */
  readonly batchSize?: number;
  /** Full input shape with the batch axis, instead of `inputShape` / `batchSize` (Keras `batch_input_shape`). */
  readonly batchInputShape?: readonly Dim[];
}

/** The options of `LayerArgs`, which every layer takes. */
export const layerOptionKeys: readonly string[] = [
  'name',
  'trainable',
  'inputShape',
  'batchSize',
  'batchInputShape',
];

/**
 * Checks a layer factory's options before the layer is made: an object whose keys are the layer's own (`own`), those
 * of every layer, and `more` (a recurrent layer's cell options); an unknown key names the closest known one.
 * `factory` names the layer in errors (`dense`, `lstm`).
 */
export function checkLayerOptions(
  factory: string,
  args: unknown,
  own: readonly string[],
  more?: { readonly known: readonly string[]; readonly label: string },
): void {
  checkLayerArgsObject(factory, args);
  checkOptions(`${factory} options`, args, [...own, ...layerOptionKeys], more);
}

/**
 * Checks that a factory got an options object; Keras' positional arguments (`LSTM(32)`, `Dense(1, 'sigmoid')`) get
 * an error that shows the object form.
 */
export function checkLayerArgsObject<A>(factory: string, args: A): A {
  if (typeof args === 'object' && args !== null && !Array.isArray(args)) return args;
  const hint =
    typeof args === 'number' || typeof args === 'string'
      ? " (Keras' positional arguments go in it by name, e.g. { units: 32 })"
      : '';
  return invalidArgument(`${factory}(options)`, args, `an options object${hint}`);
}

/** What a layer requires of its (main) input; checked when it is built, applied symbolically and called. */
export interface InputSpec {
  readonly rank?: number;
  readonly minRank?: number;
  /** Words for the axes in errors, e.g. `[batch, time, features]`. */
  readonly meaning?: string;
  /** Required sizes by axis (negative axes count from the end), with a word for each in errors. */
  readonly axes?: readonly { readonly axis: number; readonly size: number; readonly what: string }[];
}

/** Arguments of one call besides the input tensors. */
export interface CallArgs<T> {
  /** One mask per input (`[batch, time]`, 1 valid / 0 masked), or undefined. */
  readonly masks: readonly (T | undefined)[];
  /** Initial states for recurrent layers, in the layer's state order. */
  readonly initialState?: readonly T[];
}

/** Outputs of one call with their masks. */
export interface LayerOutputs<T> {
  readonly outputs: T[];
  readonly masks: (T | undefined)[];
}

/** Where a layer is built: the backend, the model's root random stream, and its path prefix. */
export interface BuildEnv {
  readonly backend: Backend<unknown>;
  readonly rng: Rng;
  /** Prefix of the layer's path: '' at the top of a model, `bidirectional/` inside a wrapper. */
  readonly prefix: string;
}

/** A layer as JSON: its class name and config. */
export interface SerializedLayer {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

/** What `fromConfig` of a wrapper layer needs: a way to rebuild the layers inside it. */
export interface FromConfigContext {
  deserializeLayer(serialized: SerializedLayer): Layer;
}

/** Options of an eager (tensor) call of a single layer. */
export interface LayerApplyOptions<T> {
  readonly training?: boolean;
  /** Mask `[batch, time]` for the input, or one per input (`undefined` for none) for a layer with several. */
  readonly mask?: T | readonly (T | undefined)[];
  readonly initialState?: readonly T[];
  /** Seed or generator for dropout masks. */
  readonly rng?: Rng | number | string;
}

/** Options of a symbolic call (functional API). */
export interface SymbolicApplyOptions {
  /** Initial states of a recurrent layer, as symbolic tensors (an encoder's final states, say). */
  readonly initialState?: readonly SymbolicTensor[];
}

/** Layers with state that survives calls (stateful RNNs) accept the states a call recorded. */
export interface StateOwner<T> {
  readonly stateful: boolean;
  /** Takes ownership of `states` (already kept) as the new carried state. */
  acceptStates(states: T[]): void;
}

function isStateOwner(x: unknown): x is StateOwner<unknown> {
  return typeof x === 'object' && x !== null && 'acceptStates' in x && 'stateful' in x;
}

/**
 * Runs a pass in `ctx`: the weight updates it records (moving statistics) are assigned when it returns, and freed
 * when it throws.
 */
export function whileRecordingUpdates<T, R>(ctx: CallContext<T>, pass: () => R): R {
  let result: R;
  try {
    result = pass();
  } catch (error) {
    ctx.commitWeightUpdates(false);
    throw error;
  }
  ctx.commitWeightUpdates();
  return result;
}

/**
 * After a pass: stateful layers take the states they recorded (kept, so no enclosing `tidy` frees them), unless
 * `update` is false; every other recorded state is freed. Streams use their own bookkeeping (`stream.ts`).
 */
export function commitStatefulStates<T>(
  backend: Backend<T>,
  recorded: ReadonlyMap<object, T[]>,
  update: boolean,
): void {
  for (const [owner, states] of recorded) {
    if (update && isStateOwner(owner) && owner.stateful) {
      owner.acceptStates(states.map((s) => backend.keep(s)));
    } else {
      backend.dispose(states);
    }
  }
}

/** Turns an `rng` option into a generator; without one, draws a fresh seed. */
export function toRng(rng: Rng | number | string | undefined, fallback?: () => Rng): Rng {
  if (rng === undefined) return fallback ? fallback() : createRng(Math.floor(Math.random() * 2 ** 32));
  if (typeof rng === 'object') return rng;
  return createRng(rng);
}

export abstract class Layer {
  /** Registry name, Keras' class name: `LSTM`, `Dense`, `Bidirectional`, ... */
  abstract readonly className: string;
  /** Whether the layer passes its input mask on (Dense, Dropout, ...). Layers that make or drop masks override. */
  readonly supportsMasking: boolean = false;
  /** False freezes every weight of the layer: they move to `nonTrainableWeights`. */
  trainable: boolean;
  /** The batch input shape given by `inputShape` / `batchSize` / `batchInputShape`, for a model's first layer. */
  readonly batchInputShape: ShapeSpec | undefined;

  /** Requirements on the main input; subclasses set the rank in their constructor and sizes in `onBuild`. */
  protected inputSpec: InputSpec = {};
  /** Weights this layer creates itself (not those of layers inside it). */
  protected ownWeights: LayerWeight[] = [];
  private layerName: string | undefined;
  private layerBackend: Backend<unknown> | undefined;
  private layerPath: string | undefined;
  private builtShapes: ShapeSpec[] | undefined;

  constructor(args: LayerArgs = {}) {
    if (typeof args !== 'object' || args === null) invalidArgument('layer options', args, 'an object');
    this.layerName = args.name === undefined ? undefined : checkName('layer name', args.name);
    this.trainable = checkBoolean('trainable', args.trainable ?? true);
    if (args.batchInputShape !== undefined) {
      this.batchInputShape = checkShapeSpec('batchInputShape', args.batchInputShape);
    } else if (args.inputShape !== undefined) {
      const sample = checkShapeSpec('inputShape', args.inputShape);
      const batch = args.batchSize === undefined ? null : checkPositiveInteger('batchSize', args.batchSize);
      this.batchInputShape = [batch, ...sample];
    } else {
      this.batchInputShape = undefined;
    }
  }

  /** The layer's name: given, assigned by its model, or (before that) derived from its class. */
  get name(): string {
    return this.layerName ?? this.defaultName();
  }

  /** Whether the layer has a name of its own (given by the user or assigned by a model). */
  get hasName(): boolean {
    return this.layerName !== undefined;
  }

  /** Base of generated names: the class name in snake case (`simple_rnn`, `time_distributed`). */
  defaultName(): string {
    return toSnakeCase(this.className);
  }

  /** @internal Names the layer (models call this once for unnamed layers). */
  assignName(name: string): void {
    if (this.layerName !== undefined && this.layerName !== name) {
      throw new SeqmodelError(`layer ${this.layerName} is already named`);
    }
    this.layerName = name;
  }

  /** @internal Renames a layer that is not built yet (wrappers name their inner layers `forward_...`). */
  rename(name: string): void {
    if (this.built) throw new SeqmodelError(`${this.describe()}: cannot rename a built layer`);
    this.layerName = checkName('layer name', name);
  }

  /** `lstm (LSTM)`, for messages. */
  describe(): string {
    return `${this.name} (${this.className})`;
  }

  /** Full path after build: the name, prefixed by enclosing wrappers (`bidirectional/forward_lstm`). */
  get path(): string {
    return this.layerPath ?? this.name;
  }

  get built(): boolean {
    return this.builtShapes !== undefined;
  }

  /** The input shapes the layer was built for. */
  get buildShapes(): readonly ShapeSpec[] | undefined {
    return this.builtShapes;
  }

  /** The backend the layer's weights live on (after build). */
  get backend(): Backend<unknown> | undefined {
    return this.layerBackend;
  }

  /** Layers inside this one (wrappers), in weight order. */
  get sublayers(): readonly Layer[] {
    return [];
  }

  /** Every weight, in Keras order: the layer's own, then those of the layers inside it. */
  get weights(): LayerWeight[] {
    return [...this.ownWeights, ...this.sublayers.flatMap((l) => l.weights)];
  }

  get trainableWeights(): LayerWeight[] {
    if (!this.trainable) return [];
    return [
      ...this.ownWeights.filter((w) => w.trainable),
      ...this.sublayers.flatMap((l) => l.trainableWeights),
    ];
  }

  get nonTrainableWeights(): LayerWeight[] {
    if (!this.trainable) return this.weights;
    return [
      ...this.ownWeights.filter((w) => !w.trainable),
      ...this.sublayers.flatMap((l) => l.nonTrainableWeights),
    ];
  }

  /**
   * Copies of the layer's weights as tensors of its backend, in Keras order (`weights`); the caller owns them. Empty
   * before the layer is built, as in Keras.
   */
  getWeights<T>(): T[] {
    const backend = this.layerBackend as Backend<T> | undefined;
    return backend === undefined ? [] : copyWeights(backend, this.weights);
  }

  /** The layer's weights read back to the host as float32, in Keras order, with names and shapes. */
  getWeightData(): WeightData[] {
    const backend = this.layerBackend;
    return backend === undefined ? [] : readWeightData(backend, this.weights, this.trainableWeights);
  }

  /**
   * Sets the layer's weights, in Keras order (`weights`), from tensors of its backend (copied) or host values (arrays,
   * typed arrays, `{ data, shape }`, `{ values }`). Every value is checked before anything changes: a failed call
   * leaves the weights as they were and frees what it made.
   */
  setWeights<T>(values: readonly WeightValue<T>[]): void {
    const backend = this.layerBackend as Backend<T> | undefined;
    if (backend === undefined) {
      throw new SeqmodelError(
        `${this.describe()} setWeights: expected a built layer, received values for a layer that is not built (it has no weights yet); build it (or its model) first`,
      );
    }
    setWeightValues(backend, this.weights, values, `${this.describe()} setWeights`);
  }

  /** Number of weight entries (after build). */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /** How many main inputs the layer takes (1 for every built-in layer). */
  get inputCount(): number {
    return 1;
  }

  /**
   * The most main inputs the layer takes: more than `inputCount` for a layer with optional trailing inputs (Keras'
   * `Attention` takes `[query, value]` or `[query, value, key]`). Default `inputCount`.
   */
  get maxInputCount(): number {
    return this.inputCount;
  }

  /**
   * Builds the layer on its own (outside a model), so it can be called on tensors with `apply`.
   *
   * @param inputShape - with the batch axis, e.g. `[null, null, 8]`; one per input for a layer with several
   *   (`[[null, null, 8], [null, null, 4]]`).
   */
  build<T>(
    backend: Backend<T>,
    inputShape: ShapeSpec | readonly ShapeSpec[],
    options: { readonly seed?: number | string } = {},
  ): this {
    checkBackend(`${this.describe()} build(backend)`, backend);
    checkOptions(`${this.describe()} build options`, options, ['seed']);
    const several = inputShape.length > 0 && inputShape.every((d) => Array.isArray(d));
    const list = (several ? inputShape : [inputShape]) as readonly ShapeSpec[];
    const shapes = list.map((shape, i) =>
      checkShapeSpec(`${this.describe()} build inputShape${several ? `[${i}]` : ''}`, shape),
    );
    this.buildIn({ backend: backend as Backend<unknown>, rng: toRng(options.seed), prefix: '' }, shapes);
    return this;
  }

  /** @internal Builds within a model (or wrapper); a layer already built only checks that the shapes fit. */
  buildIn(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    this.checkInputCount(inputShapes.length);
    if (this.builtShapes !== undefined) {
      if (this.layerBackend !== env.backend) {
        throw new SeqmodelError(
          `${this.describe()}: already built on backend ${this.layerBackend?.name}; a layer lives on one backend`,
        );
      }
      this.checkInputShape('inputs', inputShapes[0]!);
      return;
    }
    this.checkInputShape('inputs', inputShapes[0]!);
    this.layerBackend = env.backend;
    this.layerPath = `${env.prefix}${this.name}`;
    this.onBuild(env, inputShapes);
    this.builtShapes = [...inputShapes];
  }

  /** Creates the layer's weights (and builds the layers inside it). */
  protected onBuild(_env: BuildEnv, _inputShapes: readonly ShapeSpec[]): void {}

  /** The environment for layers inside this one: their paths start with this layer's path. */
  protected childEnv(env: BuildEnv): BuildEnv {
    return { ...env, prefix: `${this.path}/` };
  }

  /** The random stream this layer's weights are drawn from: the model's root stream forked by the layer path. */
  protected weightRng(env: BuildEnv): Rng {
    return env.rng.fork(this.path);
  }

  /**
   * Creates a weight from an initializer (drawn from `weightRng(env).fork(key)`, so one seed gives the same weights on
   * every backend) or from given values.
   */
  protected addWeight(
    env: BuildEnv,
    spec: {
      readonly name: string;
      readonly key?: string;
      readonly shape: readonly number[];
      readonly initializer: InitializerSpec;
      readonly trainable?: boolean;
    },
    values?: Float32Array,
  ): LayerWeight {
    const key = spec.key ?? spec.name;
    const data =
      values ??
      initialize(spec.initializer, spec.shape, this.weightRng(env).fork(key), `${this.describe()} ${key}`);
    const tensor = env.backend.tensor(data, spec.shape);
    const weight = new LayerWeight(
      `${this.path}/${spec.name}`,
      spec.name,
      key,
      spec.shape,
      spec.trainable ?? true,
      env.backend,
      tensor,
    );
    this.ownWeights.push(weight);
    return weight;
  }

  /**
   * The input shape a model builds this layer for when it learns the shape from the first batch (a model without an
   * `inputShape`): the batch and every axis the layer does not need are left open (`null`) so later calls may differ
   * there. By default only the last (feature) axis is kept.
   */
  inferInputShape(shape: readonly number[]): ShapeSpec {
    return shape.map((d, i) => (i === shape.length - 1 && i > 0 ? d : null));
  }

  /**
   * Checks the values of the layer's main input while they are still on the host, before they become a tensor (a
   * model calls it for host data of the inputs the layer reads directly; `Embedding` checks its token ids). Throws a
   * `SeqmodelError` naming `argument`; the default accepts everything.
   */
  checkInputValues(_values: ArrayLike<number>, _shape: readonly number[], _argument: string): void {}

  /** Output shapes for the given input shapes (and initial-state shapes of recurrent layers). */
  abstract computeOutputShape(
    inputShapes: readonly ShapeSpec[],
    initialStateShapes?: readonly ShapeSpec[],
  ): ShapeSpec[];

  /** The forward pass. Read weights with `ctx.read(weight)`; create only tensors that are returned or temporary. */
  abstract call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[];

  /** Output masks: by default the first input's mask for every output when the layer supports masking, else none. */
  computeMask<T>(
    _ctx: CallContext<T>,
    _inputs: readonly T[],
    masks: readonly (T | undefined)[],
    outputCount: number,
  ): (T | undefined)[] {
    const mask = this.supportsMasking ? masks[0] : undefined;
    return Array.from({ length: outputCount }, () => mask);
  }

  /** @internal Checks the inputs, calls the layer and computes the output masks. */
  invoke<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): LayerOutputs<T> {
    if (!this.built) {
      throw new SeqmodelError(`${this.describe()}: not built; build it (or its model) before calling it`);
    }
    this.checkInputCount(inputs.length);
    this.checkInputShape('inputs', ctx.backend.shape(inputs[0]!));
    // A frozen layer's call (and those of the layers inside it) runs frozen: see `CallContext.frozen`.
    const outputs = this.trainable
      ? this.call(ctx, inputs, args)
      : ctx.whileFrozen(() => this.call(ctx, inputs, args));
    const masks = this.computeMask(ctx, inputs, args.masks, outputs.length);
    return { outputs, masks };
  }

  /**
   * Applies the layer. On symbolic tensors (functional API) it records the application and returns symbolic outputs;
   * on tensors of the backend the layer was built on it runs the layer (one output, or an array when the layer has
   * several, e.g. `returnState`).
   */
  apply(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    options?: SymbolicApplyOptions,
  ): SymbolicTensor | SymbolicTensor[];
  apply<T>(inputs: T | readonly T[], options?: LayerApplyOptions<T>): T | T[];
  apply<T>(
    inputs: SymbolicTensor | readonly SymbolicTensor[] | T | readonly T[],
    options: SymbolicApplyOptions | LayerApplyOptions<T> = {},
  ): SymbolicTensor | SymbolicTensor[] | T | T[] {
    const list = (Array.isArray(inputs) ? inputs : [inputs]) as unknown[];
    if (list.length > 0 && list.every((x) => x instanceof SymbolicTensor)) {
      return this.applySymbolic(list as SymbolicTensor[], options as SymbolicApplyOptions);
    }
    if (list.some((x) => x instanceof SymbolicTensor)) {
      invalidArgument(
        `${this.describe()} apply(inputs)`,
        inputs,
        'only symbolic tensors or only backend tensors',
      );
    }
    return this.applyEager(list as T[], options as LayerApplyOptions<T>);
  }

  private applySymbolic(
    inputs: SymbolicTensor[],
    options: SymbolicApplyOptions,
  ): SymbolicTensor | SymbolicTensor[] {
    checkOptions(`${this.describe()} apply options`, options, ['initialState']);
    this.checkInputCount(inputs.length);
    const initialState = options.initialState ?? [];
    if (!initialState.every((s) => s instanceof SymbolicTensor)) {
      invalidArgument(`${this.describe()} apply initialState`, initialState, 'symbolic tensors');
    }
    this.checkInputShape('inputs', inputs[0]!.shape);
    const shapes = this.computeOutputShape(
      inputs.map((x) => x.shape),
      initialState.map((s) => s.shape),
    );
    const node = new LayerNode(this, inputs, initialState);
    shapes.forEach((shape, i) => {
      node.outputs.push(new SymbolicTensor(shape, node, i));
    });
    return node.outputs.length === 1 ? node.outputs[0]! : [...node.outputs];
  }

  private applyEager<T>(inputs: T[], options: LayerApplyOptions<T>): T | T[] {
    const backend = this.layerBackend as Backend<T> | undefined;
    if (backend === undefined) {
      throw new SeqmodelError(
        `${this.describe()}: not built; call layer.build(backend, inputShape) or put the layer in a model first`,
      );
    }
    checkOptions(`${this.describe()} apply options`, options, ['training', 'mask', 'initialState', 'rng']);
    const training = checkBoolean(`${this.describe()} apply training`, options.training ?? false);
    const ctx = new CallContext<T>({ backend, training, rng: toRng(options.rng) });
    const result = whileRecordingUpdates(ctx, () =>
      backend.tidy(() => {
        const { outputs } = this.invoke(ctx, inputs, {
          masks: Array.isArray(options.mask) ? options.mask : [options.mask as T | undefined],
          ...(options.initialState === undefined ? {} : { initialState: options.initialState }),
        });
        return { outputs, states: [...ctx.recordedStates().values()] };
      }),
    );
    // The tidy returned the recorded states (so they survived it); stateful layers now take them.
    commitStatefulStates(backend, ctx.recordedStates(), true);
    return result.outputs.length === 1 ? result.outputs[0]! : result.outputs;
  }

  /** Clears the state of stateful recurrent layers (this one and those inside it). */
  resetStates(): void {
    for (const layer of this.sublayers) layer.resetStates();
  }

  /** Frees the layer's weights (and those of the layers inside it). */
  dispose(): void {
    for (const w of this.ownWeights) w.dispose();
    for (const layer of this.sublayers) layer.dispose();
  }

  /**
   * The layer's config: Keras' field names in camelCase. `fromConfig` of the layer's class turns it back into an
   * equal layer (without weights).
   */
  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      trainable: this.trainable,
      ...(this.batchInputShape === undefined ? {} : { batchInputShape: [...this.batchInputShape] }),
    };
  }

  /** `{ className, config }`. */
  serialize(): SerializedLayer {
    return { className: this.className, config: this.getConfig() };
  }

  private checkInputCount(count: number): void {
    const [min, max] = [this.inputCount, Math.max(this.inputCount, this.maxInputCount)];
    if (count < min || count > max) {
      const expected =
        min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `${min} or more` : `${min} to ${max}`;
      throw new SeqmodelError(
        `${this.describe()} inputs: expected ${expected} input tensor${max === 1 ? '' : 's'}, received ${count}`,
      );
    }
  }

  /** Throws unless `shape` meets the layer's input spec; the message names the layer, the argument and both shapes. */
  protected checkInputShape(argument: string, shape: ShapeSpec): void {
    const spec = this.inputSpec;
    const where = `${this.describe()} ${argument}`;
    const received = formatShapeSpec(shape);
    if (spec.rank !== undefined && shape.length !== spec.rank) {
      throw new SeqmodelError(
        `${where}: expected rank ${spec.rank}${spec.meaning ? ` ${spec.meaning}` : ''}, received shape ${received} (rank ${shape.length})`,
      );
    }
    if (spec.minRank !== undefined && shape.length < spec.minRank) {
      throw new SeqmodelError(
        `${where}: expected rank ${spec.minRank} or more${spec.meaning ? ` ${spec.meaning}` : ''}, received shape ${received} (rank ${shape.length})`,
      );
    }
    for (const { axis, size, what } of spec.axes ?? []) {
      const index = axis < 0 ? shape.length + axis : axis;
      const actual = shape[index];
      if (actual !== null && actual !== undefined && actual !== size) {
        throw new SeqmodelError(
          `${where}: expected ${what} ${size} (axis ${index}, as the layer was built), received shape ${received}`,
        );
      }
    }
  }
}
