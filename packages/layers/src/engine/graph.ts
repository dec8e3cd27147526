/**
 * The graph between a model's symbolic inputs and outputs: its layer applications in an order where every node
 * comes after the nodes it reads from, and the distinct layers in the order they are first used (weight order).
 * Running it passes tensors and their masks from node to node.
 */
import { SeqmodelError } from '@seqmodel/core';
import type { CallContext } from './context.js';
import type { BuildEnv, Layer } from './layer.js';
import { NameScope } from './naming.js';
import { InputNode, type LayerNode, type SymbolicTensor } from './symbolic.js';

export class Graph {
  /** Layer applications in execution order. */
  readonly nodes: readonly LayerNode[];
  /** Distinct layers in order of first use. */
  readonly layers: readonly Layer[];

  private constructor(
    readonly inputs: readonly SymbolicTensor[],
    readonly outputs: readonly SymbolicTensor[],
    nodes: LayerNode[],
  ) {
    this.nodes = nodes;
    const layers: Layer[] = [];
    for (const node of nodes) if (!layers.includes(node.layer)) layers.push(node.layer);
    this.layers = layers;
  }

  /**
   * The graph from `inputs` to `outputs`. Every output must depend only on the listed inputs; `what` names the model
   * in errors.
   */
  static create(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[], what: string): Graph {
    for (const [i, x] of inputs.entries()) {
      if (!(x.source instanceof InputNode)) {
        throw new SeqmodelError(
          `${what} inputs[${i}]: expected a tensor made by input(), received a layer output`,
        );
      }
    }
    if (new Set(inputs).size !== inputs.length)
      throw new SeqmodelError(`${what} inputs: the same input is listed twice`);
    const order: LayerNode[] = [];
    const visiting = new Set<LayerNode>();
    const done = new Set<LayerNode>();
    const visit = (tensor: SymbolicTensor): void => {
      const source = tensor.source;
      if (source instanceof InputNode) {
        if (!inputs.includes(tensor)) {
          throw new SeqmodelError(
            `${what}: an output depends on an input${source.name ? ` (${source.name})` : ''} that is not among the model's inputs`,
          );
        }
        return;
      }
      if (done.has(source)) return;
      if (visiting.has(source)) throw new SeqmodelError(`${what}: the layer graph has a cycle`);
      visiting.add(source);
      for (const x of [...source.inputs, ...source.initialState]) visit(x);
      visiting.delete(source);
      done.add(source);
      order.push(source);
    };
    for (const y of outputs) visit(y);
    return new Graph(inputs, outputs, order);
  }

  /**
   * Names unnamed inputs and layers (`input`, `lstm`, `lstm_1`, ...), keeping the names users gave; two different
   * layers with the same name are an error.
   */
  assignNames(what: string): void {
    const scope = new NameScope();
    const inputNodes = this.inputs.map((x) => x.source as InputNode);
    for (const node of inputNodes) if (node.name !== undefined) scope.reserve(node.name, what);
    for (const layer of this.layers) if (layer.hasName) scope.reserve(layer.name, what);
    for (const node of inputNodes) if (node.name === undefined) node.name = scope.unique('input');
    for (const layer of this.layers) if (!layer.hasName) layer.assignName(scope.unique(layer.defaultName()));
  }

  /** Builds every layer for the shapes flowing into it, then checks that weight names are unique. */
  build(env: BuildEnv, what: string): void {
    for (const node of this.nodes)
      node.layer.buildIn(
        env,
        node.inputs.map((x) => x.shape),
      );
    const seen = new Set<string>();
    for (const layer of this.layers) {
      for (const w of layer.weights) {
        if (seen.has(w.name)) throw new SeqmodelError(`${what}: two weights are named ${w.name}`);
        seen.add(w.name);
      }
    }
  }

  /** Runs the graph; returns every output with its mask. */
  run<T>(
    ctx: CallContext<T>,
    inputs: readonly T[],
    masks: readonly (T | undefined)[],
  ): { outputs: T[]; masks: (T | undefined)[] } {
    const values = new Map<SymbolicTensor, { value: T; mask: T | undefined }>();
    this.inputs.forEach((x, i) => {
      values.set(x, { value: inputs[i]!, mask: masks[i] });
    });
    for (const node of this.nodes) {
      const args = node.inputs.map((x) => values.get(x)!);
      const initialState = node.initialState.map((x) => values.get(x)!.value);
      const result = node.layer.invoke(
        ctx,
        args.map((a) => a.value),
        { masks: args.map((a) => a.mask), ...(initialState.length > 0 ? { initialState } : {}) },
      );
      if (result.outputs.length !== node.outputs.length) {
        throw new SeqmodelError(
          `${node.layer.describe()}: returned ${result.outputs.length} outputs where its output shapes promised ${node.outputs.length}`,
        );
      }
      node.outputs.forEach((y, i) => {
        values.set(y, { value: result.outputs[i]!, mask: result.masks[i] });
      });
    }
    const out = this.outputs.map((y) => values.get(y)!);
    return { outputs: out.map((o) => o.value), masks: out.map((o) => o.mask) };
  }
}
