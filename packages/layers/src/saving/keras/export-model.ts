/**
 * seqmodel models to Keras model configs that tfjs-layers 4.x loads and runs identically: Keras 2 field names in
 * snake case, `{ class_name, config }` initializers, `batch_input_shape`, `dtype: "float32"`, and weight names as
 * tfjs-layers scopes them (it loads weights by name). Each layer is written by the Keras mapping registered for its
 * class (`registry.ts`); what tfjs-layers cannot reproduce is refused with an error that names the layer and the
 * option, rather than written as a file that loads into a different model there: GRU `resetAfter: true`, the Keras 3
 * hard sigmoid, the `exponential` activation, `zeroOutputForMask`, cells other than the built-in three, Stacked
 * layers, a Bidirectional with its own backward layer, and layers without a mapping.
 *
 * Sequential models whose layers all have one output are written as `Sequential`; others (and functional models) as
 * functional `Model` configs with `inbound_nodes`, where a recurrent layer's initial states follow its input, as
 * tfjs-layers and Keras 2 write them, and a layer with several inputs is called as its mapping's `call` says (a list,
 * or the first tensor with the others as keywords), its call options as keywords.
 */
import { SeqmodelError } from '@seqmodel/core';
import { Graph } from '../../engine/graph.js';
import type { Layer } from '../../engine/layer.js';
import type { ShapeSpec } from '../../engine/shape-spec.js';
import type { InputNode, SymbolicTensor } from '../../engine/symbolic.js';
import { Functional } from '../../models/functional.js';
import type { Model } from '../../models/model.js';
import { activationToKeras, initializerToKeras } from './activations-initializers.js';
import { SEQMODEL_KERAS_VERSION_PREFIX } from './artifacts.js';
import type { KerasExportContext, KerasLayerConfig, KerasWeightNamesContext } from './mapping.js';
import { findKerasLayerMapping, mappingFailure } from './registry.js';

const PREFIX = 'saveKerasModel';

/** The `keras_version` seqmodel writes; `loadKerasModel` reads such files with tfjs-layers conventions. */
export const SEQMODEL_KERAS_VERSION = `${SEQMODEL_KERAS_VERSION_PREFIX} (tfjs-layers 4 compatible)`;

type Json = Record<string, unknown>;

function refuse(layer: Layer, detail: string, option?: string): never {
  throw new SeqmodelError(
    `${PREFIX}: layer ${layer.describe()}${option === undefined ? '' : ` ${option}`}: ${detail}`,
  );
}

function exportContext(layer: Layer, name: string): KerasExportContext {
  return {
    name,
    commonConfig: () => ({ name, trainable: layer.trainable, dtype: 'float32' }),
    activation: (option, value) => activationToKeras(value, (detail) => refuse(layer, detail, option)),
    initializer: (option, spec) => initializerToKeras(spec, (detail) => refuse(layer, detail, option)),
    refuse: (detail, option) => refuse(layer, detail, option),
    layerToKeras: (inner, innerName) => layerToKeras(inner, innerName),
  };
}

/** A layer's Keras JSON, named `name` (wrappers name their inner layers as tfjs-layers expects). */
export function layerToKeras(layer: Layer, name: string = layer.name): KerasLayerConfig {
  const toKeras = findKerasLayerMapping(layer.className)?.toKeras;
  if (toKeras === undefined) {
    throw new SeqmodelError(
      `${PREFIX}: layer ${layer.describe()}: ${layer.className} layers have no tfjs-layers equivalent; save with saveModel instead, or register a Keras mapping for ${layer.className} with registerKerasLayer`,
    );
  }
  try {
    return toKeras(layer, exportContext(layer, name));
  } catch (error) {
    throw mappingFailure(PREFIX, `layer ${layer.describe()}`, layer.className, error);
  }
}

const weightNamesContext: KerasWeightNamesContext = {
  weightNames: (inner, scope) => kerasWeightNames(inner, scope),
};

/**
 * Weight names as tfjs-layers scopes them, in the layer's weight order: `dense/kernel`,
 * `bidirectional/forward_lstm/recurrent_kernel`, `time_distributed/kernel` (wrappers' mappings scope their inner
 * layers).
 */
export function kerasWeightNames(layer: Layer, scope: string = layer.name): string[] {
  const names = findKerasLayerMapping(layer.className)?.kerasWeightNames;
  if (names !== undefined) return names(layer, scope, weightNamesContext);
  return layer.weights.map((w) => `${scope}/${w.shortName}`);
}

function inputLayerJson(name: string, batchShape: ShapeSpec, dtype: 'float32' | 'int32'): Json {
  return {
    name,
    class_name: 'InputLayer',
    config: { batch_input_shape: [...batchShape], dtype, sparse: false, name },
    inbound_nodes: [],
  };
}

function checkStatefulBatch(model: Model<unknown>, inputs: readonly SymbolicTensor[]): void {
  const stateful = model.layers.find((l) => (l as { stateful?: unknown }).stateful === true);
  if (stateful !== undefined && inputs.some((x) => x.shape[0] === null)) {
    refuse(
      stateful,
      'tfjs-layers needs a fixed batch size for stateful layers; give the model a batchSize (or batchInputShape)',
      'stateful',
    );
  }
}

/** The Keras model config of a built model (`modelTopology` without the version fields). */
export function modelJson<T>(model: Model<T>): Json {
  const inputs = model.inputs;
  checkStatefulBatch(model as Model<unknown>, inputs);
  const layers = model.layers;
  const singleOutputs = model.outputs.length === 1 && inputs.length === 1;
  if (!(model instanceof Functional) && singleOutputs) {
    return {
      class_name: 'Sequential',
      config: {
        name: model.name,
        layers: layers.map((layer, i) => {
          const json = layerToKeras(layer);
          if (i === 0) json.config.batch_input_shape = [...inputs[0]!.shape];
          return json;
        }),
      },
    };
  }
  return functionalJson(model);
}

function functionalJson<T>(model: Model<T>): Json {
  // A Sequential model is a chain: the same description as a one-input functional model.
  const inputs = model.inputs;
  const refs = new Map<SymbolicTensor, [string, number, number]>();
  const applications = new Map<Layer, number>();
  const taken = new Set(model.layers.map((l) => l.name));
  const inputJson = inputs.map((x, i) => {
    let name = (x.source as InputNode).name ?? `input_${i + 1}`;
    if (taken.has(name)) name = `${name}_input`;
    taken.add(name);
    refs.set(x, [name, 0, 0]);
    return inputLayerJson(name, x.shape, (x.source as InputNode).dtype);
  });
  const nodes = Graph.create(inputs, model.outputs, model.describe()).nodes;
  const inbound = new Map<Layer, unknown[]>();
  for (const node of nodes) {
    const index = applications.get(node.layer) ?? 0;
    applications.set(node.layer, index + 1);
    const refOf = (x: SymbolicTensor) => {
      const ref = refs.get(x);
      if (ref === undefined)
        throw new SeqmodelError(`${PREFIX}: ${model.describe()}: the graph refers to an unknown tensor`);
      return ref;
    };
    const call = findKerasLayerMapping(node.layer.className)?.call;
    const kwargs = call?.toKerasCall?.(node.layer) ?? {};
    let args: unknown[];
    if (call?.keywordInputs) {
      // `layer(query, value=..., key=...)`, as Keras 2 writes such a call: the first tensor with the others as keywords.
      const named = Object.fromEntries(node.inputs.slice(1).map((x, i) => [call.inputs[i + 1]!, refOf(x)]));
      args = [[...refOf(node.inputs[0]!), { ...named, ...kwargs }]];
    } else {
      args = [...node.inputs, ...node.initialState].map((x) => [...refOf(x), { ...kwargs }]);
    }
    const list = inbound.get(node.layer) ?? [];
    list.push(args);
    inbound.set(node.layer, list);
    node.outputs.forEach((y, k) => {
      refs.set(y, [node.layer.name, index, k]);
    });
  }
  const outputRef = (y: SymbolicTensor) => {
    const ref = refs.get(y);
    if (ref === undefined)
      throw new SeqmodelError(`${PREFIX}: ${model.describe()}: an output is not produced by the graph`);
    return ref;
  };
  return {
    class_name: 'Model',
    config: {
      name: model.name,
      layers: [
        ...inputJson,
        ...model.layers.map((layer) => ({
          name: layer.name,
          ...layerToKeras(layer),
          inbound_nodes: inbound.get(layer) ?? [],
        })),
      ],
      input_layers: inputs.map((x) => refs.get(x)!),
      output_layers: model.outputs.map(outputRef),
    },
  };
}
