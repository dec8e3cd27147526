/**
 * `Sequential`: a plain stack of layers, each feeding the next. The input shape comes from the model's `inputShape`,
 * the first layer's `inputShape`, `build(backend, inputShape)`, or the first batch it sees.
 */
import {
  type Backend,
  checkOneOf,
  checkOptions,
  checkPositiveInteger,
  invalidArgument,
  isPlainObject,
  SeqmodelError,
} from '@seqmodel/core';
import { Graph } from '../engine/graph.js';
import { Layer, type SerializedLayer } from '../engine/layer.js';
import { checkShapeSpec, type Dim, formatShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { Model, type ModelArgs, modelOptionKeys, type OutputCount } from './model.js';

export interface SequentialArgs<T> extends ModelArgs<T> {
  /** Shape of one sample without the batch axis (instead of the first layer's `inputShape`). */
  readonly inputShape?: readonly Dim[];
  readonly batchSize?: number;
  /** Full input shape with the batch axis. */
  readonly batchInputShape?: readonly Dim[];
  /**
   * `several` when the last layer returns several tensors (a recurrent layer with `returnState`, a Bidirectional
   * without `mergeMode`): `predict` and `apply` then give a list. Default `one`: they give a tensor, and a last
   * layer with several outputs is an error at the build. Keras' Sequential allows only `one`.
   */
  readonly outputs?: 'one' | 'several';
}

/** Turns a serialized layer back into a layer (the registry's `deserializeLayer`). */
export type LayerDeserializer = (serialized: SerializedLayer) => Layer;

/** A stack of layers; `N` is `one` unless its `outputs` option says `several` (see `SequentialArgs.outputs`). */
export class Sequential<T = unknown, N extends OutputCount = 'one'> extends Model<T, N> {
  readonly className = 'Sequential';
  private readonly layerList: Layer[] = [];
  private batchShape: ShapeSpec | undefined;
  private readonly outputCount: 'one' | 'several';

  constructor(layers: readonly Layer[] = [], args: SequentialArgs<T> = {}) {
    checkOptions('sequential options', args, [
      ...modelOptionKeys,
      'inputShape',
      'batchSize',
      'batchInputShape',
      'outputs',
    ]);
    super(args, 'sequential');
    this.outputCount = checkOneOf('sequential outputs', args.outputs ?? 'one', ['one', 'several']);
    if (!Array.isArray(layers)) {
      const options = isPlainObject(layers as unknown)
        ? ' first, then the options (sequential(layers, options)); to add layers one by one: sequential([], { backend }), then model.add(layer)'
        : '';
      invalidArgument('sequential(layers)', layers, `an array of layers${options}`);
    }
    for (const layer of layers) this.add(layer);
    if (args.batchInputShape !== undefined) {
      this.batchShape = checkShapeSpec('sequential batchInputShape', args.batchInputShape);
    } else if (args.inputShape !== undefined) {
      const sample = checkShapeSpec('sequential inputShape', args.inputShape);
      const batch =
        args.batchSize === undefined ? null : checkPositiveInteger('sequential batchSize', args.batchSize);
      this.batchShape = [batch, ...sample];
    }
    if (this.hasBackend && this.declaredInputShape() !== undefined) this.graphFor(undefined);
  }

  /** Appends a layer (before the model is built). */
  add(layer: Layer): this {
    if (!(layer instanceof Layer)) invalidArgument(`${this.describe()} add(layer)`, layer, 'a layer');
    if (this.built) throw new SeqmodelError(`${this.describe()} add: the model is already built`);
    if (this.layerList.includes(layer)) {
      throw new SeqmodelError(`${this.describe()} add: ${layer.describe()} is already in the model`);
    }
    this.layerList.push(layer);
    return this;
  }

  get layers(): readonly Layer[] {
    return [...this.layerList];
  }

  private declaredInputShape(): ShapeSpec | undefined {
    return this.batchShape ?? this.layerList[0]?.batchInputShape;
  }

  /**
   * Binds the model to `backend` and creates its weights for `inputShape` (with the batch axis, e.g.
   * `[null, null, 8]`); the shape may be omitted when the model or its first layer declares one.
   */
  build<U>(backend: Backend<U>, inputShape?: readonly Dim[]): Sequential<U, N> {
    const self = this as unknown as Sequential<U, N>;
    self.bindBackend(backend);
    if (inputShape !== undefined) {
      const shape = checkShapeSpec(`${this.describe()} build inputShape`, inputShape);
      if (this.built) {
        const built = this.graph!.inputs[0]!.shape;
        if (built.length !== shape.length || built.some((d, i) => d !== shape[i])) {
          throw new SeqmodelError(
            `${this.describe()} build: already built for input shape ${formatShapeSpec(built)}, received ${formatShapeSpec(shape)}`,
          );
        }
        return self;
      }
      this.batchShape = shape;
    }
    self.graphFor(undefined);
    return self;
  }

  protected graphFor(inputs: readonly T[] | undefined): Graph {
    if (this.graph !== undefined) return this.graph;
    if (this.layerList.length === 0) throw new SeqmodelError(`${this.describe()}: the model has no layers`);
    let shape = this.declaredInputShape();
    if (shape === undefined && inputs !== undefined && inputs.length === 1 && this.hasBackend) {
      const backend = this.backend;
      if (backend.isTensor(inputs[0])) shape = this.layerList[0]!.inferInputShape(backend.shape(inputs[0]));
    }
    if (shape === undefined || !this.hasBackend) {
      throw new SeqmodelError(
        `${this.describe()}: not built; give the first layer an inputShape and the model a backend, or call build(backend, inputShape)`,
      );
    }
    this.batchShape = shape;
    const x = input({ batchShape: shape });
    let y: SymbolicTensor | SymbolicTensor[] = x;
    this.layerList.forEach((layer, i) => {
      if (Array.isArray(y)) {
        throw new SeqmodelError(
          `${this.describe()}: ${this.layerList[i - 1]!.describe()} returns ${y.length} outputs (returnState, or Bidirectional without mergeMode); only the last layer of a Sequential model may`,
        );
      }
      y = layer.apply(y as SymbolicTensor);
    });
    const outputs: SymbolicTensor[] = Array.isArray(y) ? y : [y];
    // The declared count is what `predict`'s type promises, so a stack that gives another count cannot be built.
    if (outputs.length > 1 !== (this.outputCount === 'several')) {
      const last = this.layerList.at(-1)!.describe();
      throw new SeqmodelError(
        this.outputCount === 'one'
          ? `${this.describe()} outputs: expected one output (the default), received ${outputs.length} from ${last} (returnState, or Bidirectional without mergeMode); pass { outputs: 'several' } to sequential() and predict gives a list`
          : `${this.describe()} outputs: expected several outputs (outputs: 'several'), received one from ${last}; leave outputs out`,
      );
    }
    this.buildGraph(Graph.create([x], outputs, this.describe()));
    return this.graph!;
  }

  /** Before the build, the first layer reads the input. */
  protected override inputConsumers(index: number): readonly Layer[] {
    if (this.built || index !== 0) return super.inputConsumers(index);
    return this.layerList.slice(0, 1);
  }

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      ...(this.batchShape === undefined ? {} : { batchInputShape: [...this.batchShape] }),
      ...(this.outputCount === 'one' ? {} : { outputs: this.outputCount }),
      layers: this.layerList.map((l) => l.serialize()),
    };
  }

  /** A model from `getConfig()` (without weights), bound to `backend` when given. */
  static fromConfig<T>(
    config: Record<string, unknown>,
    deserializeLayer: LayerDeserializer,
    args: { readonly backend?: Backend<T>; readonly seed?: number | string } = {},
  ): Sequential<T, OutputCount> {
    checkOptions('Sequential config', config, ['name', 'batchInputShape', 'outputs', 'layers']);
    checkOptions('Sequential.fromConfig options', args, ['backend', 'seed']);
    const layers = config.layers;
    if (!Array.isArray(layers))
      invalidArgument('Sequential config.layers', layers, 'an array of serialized layers');
    return new Sequential<T, OutputCount>(
      layers.map((l) => deserializeLayer(l as SerializedLayer)),
      {
        ...(typeof config.name === 'string' ? { name: config.name } : {}),
        ...(config.outputs === undefined ? {} : { outputs: config.outputs as 'several' }),
        ...(Array.isArray(config.batchInputShape)
          ? { batchInputShape: config.batchInputShape as Dim[] }
          : {}),
        ...args,
      },
    );
  }
}

/**
 * A stack of layers.
 *
 * @example
 * const model = sequential(
 *   [lstm({ units: 32, inputShape: [null, 8] }), dense({ units: 1 })],
 *   { backend: createReferenceBackend(), seed: 42 },
 * );
 */
export function sequential<T = unknown>(
  layers?: readonly Layer[],
  args?: SequentialArgs<T> & { readonly outputs?: 'one' },
): Sequential<T>;
export function sequential<T = unknown>(
  layers: readonly Layer[],
  args: SequentialArgs<T> & { readonly outputs: 'several' },
): Sequential<T, 'several'>;
export function sequential<T = unknown>(
  layers: readonly Layer[],
  args: SequentialArgs<T>,
): Sequential<T, OutputCount>;
export function sequential<T = unknown, N extends OutputCount = 'one'>(
  layers: readonly Layer[] = [],
  args: SequentialArgs<T> = {},
): Sequential<T, N> {
  return new Sequential<T, N>(layers, args);
}
