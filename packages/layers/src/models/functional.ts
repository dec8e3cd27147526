/**
 * Functional models: any graph of layers between symbolic inputs and outputs, for what a plain stack cannot
 * express: several inputs or outputs, shared layers, and encoder-decoders whose decoder starts from the encoder's
 * final states.
 *
 * @example
 * // Sequence to sequence with different input and output lengths.
 * const source = input({ shape: [null, 8] });
 * const [, h, c] = lstm({ units: 32, returnState: true }).apply(source) as SymbolicTensor[];
 * const target = input({ shape: [null, 5] });
 * const decoded = lstm({ units: 32, returnSequences: true }).apply(target, { initialState: [h!, c!] });
 * const probs = timeDistributed(dense({ units: 5, activation: 'softmax' })).apply(decoded as SymbolicTensor);
 * const seq2seq = model({ inputs: [source, target], outputs: probs as SymbolicTensor, backend });
 */
import { type Backend, checkOptions, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { Graph } from '../engine/graph.js';
import type { Layer, SerializedLayer } from '../engine/layer.js';
import { checkShapeSpec, type Dim } from '../engine/shape-spec.js';
import { type InputNode, input, type LayerNode, SymbolicTensor } from '../engine/symbolic.js';
import { consumersOf, Model, type ModelArgs, modelOptionKeys, type OutputCount } from './model.js';

export interface FunctionalArgs<T> extends ModelArgs<T> {
  readonly inputs: SymbolicTensor | readonly SymbolicTensor[];
  readonly outputs: SymbolicTensor | readonly SymbolicTensor[];
}

/** A reference to a symbolic tensor in a config: `[source name, application index, output index]` (Keras style). */
export type TensorRef = readonly [name: string, node: number, index: number];

/** One layer application in a functional config. */
export interface NodeConfig {
  readonly layer: string;
  readonly inputs: readonly TensorRef[];
  readonly initialState?: readonly TensorRef[];
}

function toList(x: SymbolicTensor | readonly SymbolicTensor[], argument: string): SymbolicTensor[] {
  const list = Array.isArray(x) ? [...x] : [x];
  if (list.length === 0 || !list.every((t) => t instanceof SymbolicTensor)) {
    invalidArgument(argument, x, 'a symbolic tensor (from input() or layer.apply) or an array of them');
  }
  return list as SymbolicTensor[];
}

export class Functional<T = unknown, N extends OutputCount = OutputCount> extends Model<T, N> {
  readonly className = 'Functional';
  private readonly pendingGraph: Graph;

  constructor(args: FunctionalArgs<T>) {
    if (typeof args !== 'object' || args === null)
      invalidArgument('model(args)', args, 'an object with inputs and outputs');
    checkOptions('model options', args, [...modelOptionKeys, 'inputs', 'outputs']);
    super(args, 'model');
    const inputs = toList(args.inputs, 'model inputs');
    const outputs = toList(args.outputs, 'model outputs');
    this.pendingGraph = Graph.create(inputs, outputs, this.describe());
    this.pendingGraph.assignNames(this.describe());
    if (this.hasBackend) this.graphFor(undefined);
  }

  get layers(): readonly Layer[] {
    return this.pendingGraph.layers;
  }

  /** Binds the model to `backend` and creates its weights. */
  build<U>(backend: Backend<U>): Functional<U, N> {
    const self = this as unknown as Functional<U, N>;
    self.bindBackend(backend);
    self.graphFor(undefined);
    return self;
  }

  protected graphFor(_inputs: readonly T[] | undefined): Graph {
    if (this.graph !== undefined) return this.graph;
    if (!this.hasBackend) {
      throw new SeqmodelError(
        `${this.describe()}: not built; pass { backend } to model() or call build(backend)`,
      );
    }
    this.buildGraph(this.pendingGraph);
    return this.graph!;
  }

  protected override inputConsumers(index: number): readonly Layer[] {
    return consumersOf(this.pendingGraph, index);
  }

  /** The graph (available before build, for summaries of shapes and for serialization). */
  get layerGraph(): Graph {
    return this.pendingGraph;
  }

  getConfig(): Record<string, unknown> {
    const graph = this.pendingGraph;
    const applications = new Map<Layer, number>();
    const refs = new Map<SymbolicTensor, TensorRef>();
    for (const x of graph.inputs) refs.set(x, [(x.source as InputNode).name!, 0, 0]);
    const nodes: NodeConfig[] = graph.nodes.map((node: LayerNode) => {
      const index = applications.get(node.layer) ?? 0;
      applications.set(node.layer, index + 1);
      node.outputs.forEach((y, k) => {
        refs.set(y, [node.layer.name, index, k]);
      });
      return {
        layer: node.layer.name,
        inputs: node.inputs.map((x) => refs.get(x)!),
        ...(node.initialState.length > 0 ? { initialState: node.initialState.map((x) => refs.get(x)!) } : {}),
      };
    });
    return {
      name: this.name,
      inputs: graph.inputs.map((x) => ({
        name: (x.source as InputNode).name!,
        batchShape: [...x.shape],
        dtype: (x.source as InputNode).dtype,
      })),
      layers: graph.layers.map((l) => l.serialize()),
      nodes,
      outputs: graph.outputs.map((y) => refs.get(y)!),
    };
  }

  /** A model from `getConfig()` (without weights), bound to `backend` when given. */
  static fromConfig<T>(
    config: Record<string, unknown>,
    deserializeLayer: (serialized: SerializedLayer) => Layer,
    args: { readonly backend?: Backend<T>; readonly seed?: number | string } = {},
  ): Functional<T> {
    const what = 'Functional config';
    checkOptions(what, config, ['name', 'inputs', 'layers', 'nodes', 'outputs']);
    checkOptions('Functional.fromConfig options', args, ['backend', 'seed']);
    const inputsConfig = config.inputs as { name: string; batchShape: Dim[]; dtype?: 'float32' | 'int32' }[];
    if (!Array.isArray(inputsConfig)) invalidArgument(`${what}.inputs`, inputsConfig, 'an array');
    if (!Array.isArray(config.layers)) invalidArgument(`${what}.layers`, config.layers, 'an array');
    if (!Array.isArray(config.nodes)) invalidArgument(`${what}.nodes`, config.nodes, 'an array');
    if (!Array.isArray(config.outputs)) invalidArgument(`${what}.outputs`, config.outputs, 'an array');
    const tensors = new Map<string, SymbolicTensor[][]>();
    const inputs = inputsConfig.map((spec, i) => {
      checkOptions(`${what}.inputs[${i}]`, spec, ['name', 'batchShape', 'dtype']);
      const x = input({
        batchShape: checkShapeSpec(`${what} input ${spec.name}`, spec.batchShape),
        name: spec.name,
        ...(spec.dtype === undefined ? {} : { dtype: spec.dtype }),
      });
      tensors.set(spec.name, [[x]]);
      return x;
    });
    const layers = new Map<string, Layer>();
    for (const serialized of config.layers as SerializedLayer[]) {
      const layer = deserializeLayer(serialized);
      layers.set(layer.name, layer);
    }
    const resolve = (ref: TensorRef): SymbolicTensor => {
      const tensor = tensors.get(ref[0])?.[ref[1]]?.[ref[2]];
      if (tensor === undefined)
        throw new SeqmodelError(`${what}: unknown tensor reference ${JSON.stringify(ref)}`);
      return tensor;
    };
    for (const [i, node] of (config.nodes as NodeConfig[]).entries()) {
      checkOptions(`${what}.nodes[${i}]`, node, ['layer', 'inputs', 'initialState']);
      const layer = layers.get(node.layer);
      if (layer === undefined)
        throw new SeqmodelError(`${what}: node refers to unknown layer ${JSON.stringify(node.layer)}`);
      const out = layer.apply(node.inputs.map(resolve), {
        ...(node.initialState === undefined ? {} : { initialState: node.initialState.map(resolve) }),
      });
      const list = tensors.get(node.layer) ?? [];
      list.push(Array.isArray(out) ? out : [out]);
      tensors.set(node.layer, list);
    }
    return new Functional<T>({
      inputs,
      outputs: (config.outputs as TensorRef[]).map(resolve),
      ...(typeof config.name === 'string' ? { name: config.name } : {}),
      ...args,
    });
  }
}

/**
 * A model from symbolic inputs to symbolic outputs (the functional API). Its type says how many outputs it has, as
 * Keras returns them: one output tensor (alone or in a one-element list) makes `predict` give a tensor, a list of two
 * or more a list; a list whose length the compiler does not know gives either.
 *
 * @example
 * const x = input({ shape: [null, 3] });
 * const y = dense({ units: 1 }).apply(lstm({ units: 8 }).apply(x) as SymbolicTensor);
 * const m = model({ inputs: x, outputs: y as SymbolicTensor, backend, seed: 1 });
 * const out = m.predict([[[1, 2, 3]]]); // a tensor
 */
export function model<T = unknown>(
  args: FunctionalArgs<T> & { readonly outputs: SymbolicTensor | readonly [SymbolicTensor] },
): Functional<T, 'one'>;
export function model<T = unknown>(
  args: FunctionalArgs<T> & {
    readonly outputs: readonly [SymbolicTensor, SymbolicTensor, ...SymbolicTensor[]];
  },
): Functional<T, 'several'>;
export function model<T = unknown>(args: FunctionalArgs<T>): Functional<T>;
export function model<T = unknown, N extends OutputCount = OutputCount>(
  args: FunctionalArgs<T>,
): Functional<T, N> {
  return new Functional<T, N>(args);
}
