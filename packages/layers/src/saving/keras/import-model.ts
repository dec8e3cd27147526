/**
 * Keras model topologies to seqmodel models: `Sequential` configs (a list of layers, optionally led by an
 * `InputLayer`) and functional ones (`Model` / `Functional`: layers with `inbound_nodes`, `input_layers`,
 * `output_layers`), in tfjs-layers / Keras 2 and Keras 3 spellings. Also decides which dialect a file follows.
 */
import { type Backend, describeValue, SeqmodelError } from '@seqmodel/core';
import type { Layer } from '../../engine/layer.js';
import type { ShapeSpec } from '../../engine/shape-spec.js';
import { input, type SymbolicTensor } from '../../engine/symbolic.js';
import { isRecurrentLayer } from '../../layers/rnn.js';
import { Functional } from '../../models/functional.js';
import type { Model } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import { isObject } from '../files.js';
import { SEQMODEL_KERAS_VERSION_PREFIX } from './artifacts.js';
import {
  callSpecOf,
  checkLayerJson,
  declaredInputShape,
  describeKerasLayer,
  inputFromKeras,
  type KerasLayerJson,
  layerFromKeras,
} from './import-layer.js';
import type { KerasCallSpec } from './mapping.js';
import type { KerasDialect, KerasReadOptions } from './option-reader.js';
import type { LayerWithKerasName } from './weights.js';

const PREFIX = 'loadKerasModel';

/** The model config inside a `modelTopology` (tensorflowjs_converter wraps it in `model_config`). */
function modelConfigOf(topology: Record<string, unknown>): Record<string, unknown> {
  const inner = topology.model_config;
  if (inner !== undefined) {
    if (!isObject(inner)) {
      throw new SeqmodelError(
        `${PREFIX}: modelTopology.model_config: expected an object, received ${describeValue(inner)}`,
      );
    }
    return inner;
  }
  return topology;
}

function usesKeras3Style(value: unknown, depth = 0): boolean {
  if (depth > 6 || !isObject(value)) return false;
  if (typeof value.module === 'string' || 'registered_name' in value || 'batch_shape' in value) return true;
  if (value.class_name === 'DTypePolicy') return true;
  return Object.values(value).some((v) =>
    Array.isArray(v) ? v.some((x) => usesKeras3Style(x, depth + 1)) : usesKeras3Style(v, depth + 1),
  );
}

/**
 * The dialect of a topology: from `keras_version` (`tfjs-layers ...` and seqmodel's own exports → tfjs-layers
 * conventions; `2.x` → Keras 2; `3.x` and later → Keras 3); without one, Keras 3 when the config is written in Keras 3
 * style (`module` / `registered_name` fields, `batch_shape`, `DTypePolicy`), tfjs-layers when `generatedBy` says so,
 * and Keras 2 otherwise.
 */
export function detectDialect(topology: Record<string, unknown>, generatedBy?: string): KerasDialect {
  const config = modelConfigOf(topology);
  const version = topology.keras_version ?? config.keras_version;
  if (typeof version === 'string') {
    if (/^tfjs-layers\b/i.test(version) || version.startsWith(SEQMODEL_KERAS_VERSION_PREFIX)) return 'tfjs';
    const major = /^(\d+)\./.exec(version.trim());
    if (major !== null) return Number(major[1]) >= 3 ? 'keras3' : 'keras2';
  }
  if (usesKeras3Style(config)) return 'keras3';
  if (typeof generatedBy === 'string' && /tfjs-layers/i.test(generatedBy)) return 'tfjs';
  return 'keras2';
}

/** A loaded model with its layers in the file's weight order. */
export interface BuiltKerasModel<T> {
  readonly model: Model<T>;
  readonly layers: LayerWithKerasName[];
}

export interface BuildOptions<T> {
  readonly backend: Backend<T>;
  readonly seed?: number | string;
}

function layerName(json: KerasLayerJson): string | undefined {
  if (typeof json.config.name === 'string') return json.config.name;
  return typeof json.name === 'string' ? json.name : undefined;
}

function shapeFrom(value: unknown): ShapeSpec | undefined {
  if (Array.isArray(value) && value.every((d) => d === null || (Number.isInteger(d) && d >= 1))) return value;
  return undefined;
}

/** Builds the model a topology describes, on `options.backend` (weights freshly initialized, to be replaced). */
export function modelFromKerasTopology<T>(
  topology: Record<string, unknown>,
  context: KerasReadOptions,
  options: BuildOptions<T>,
): BuiltKerasModel<T> {
  const modelJson = modelConfigOf(topology);
  const className = modelJson.class_name;
  if (className === 'Sequential') return sequentialFromKeras(modelJson, context, options);
  if (className === 'Model' || className === 'Functional')
    return functionalFromKeras(modelJson, context, options);
  throw new SeqmodelError(
    `${PREFIX}: model class ${describeValue(className)} is not supported; expected "Sequential" or a functional model ("Model" / "Functional")`,
  );
}

function withCleanup<R>(created: readonly { layer: Layer }[], build: () => R): R {
  try {
    return build();
  } catch (error) {
    for (const entry of created) entry.layer.dispose();
    throw error;
  }
}

function sequentialFromKeras<T>(
  modelJson: Record<string, unknown>,
  context: KerasReadOptions,
  options: BuildOptions<T>,
): BuiltKerasModel<T> {
  const config = modelJson.config;
  const list = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(list)) {
    throw new SeqmodelError(
      `${PREFIX}: Sequential config.layers: expected an array of layers, received ${describeValue(list)}`,
    );
  }
  const name = isObject(config) && typeof config.name === 'string' ? config.name : undefined;
  const created: LayerWithKerasName[] = [];
  return withCleanup(created, () => {
    let batchShape: ShapeSpec | undefined;
    list.forEach((raw, i) => {
      const json = checkLayerJson(raw, `Sequential layers[${i}]`);
      if (json.class_name === 'InputLayer') {
        if (i !== 0) {
          throw new SeqmodelError(
            `${PREFIX}: ${describeKerasLayer(json)}: an InputLayer must be a Sequential model's first layer`,
          );
        }
        batchShape = inputFromKeras(json, context).batchShape;
        return;
      }
      if (created.length === 0 && batchShape === undefined) batchShape = declaredInputShape(json, context);
      created.push({
        kerasName: layerName(json) ?? '',
        kerasClass: json.class_name,
        layer: layerFromKeras(json, context, `Sequential layers[${i}]`),
      });
    });
    if (created.length === 0) throw new SeqmodelError(`${PREFIX}: the Sequential model has no layers`);
    if (batchShape === undefined && isObject(config)) batchShape = shapeFrom(config.build_input_shape);
    if (batchShape === undefined) {
      const first = list.find((l) => isObject(l) && l.class_name !== 'InputLayer') as Record<string, unknown>;
      batchShape = shapeFrom(isObject(first.build_config) ? first.build_config.input_shape : undefined);
    }
    if (batchShape === undefined) {
      throw new SeqmodelError(
        `${PREFIX}: the Sequential model does not declare its input shape (no InputLayer, batch_input_shape, batch_shape or build_input_shape)`,
      );
    }
    const model = new Sequential<T>(
      created.map((c) => c.layer),
      {
        backend: options.backend,
        batchInputShape: batchShape,
        ...(name === undefined ? {} : { name }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      },
    );
    return { model, layers: created.map((c) => ({ ...c, kerasName: c.kerasName || c.layer.name })) };
  });
}

/** `[name, nodeIndex, tensorIndex]`. */
type Ref = readonly [string, number, number];

function parseRef(value: unknown, where: string): Ref {
  if (isObject(value) && value.class_name === '__keras_tensor__' && isObject(value.config)) {
    return parseRef(value.config.keras_history, where);
  }
  if (
    Array.isArray(value) &&
    value.length >= 3 &&
    typeof value[0] === 'string' &&
    Number.isInteger(value[1]) &&
    Number.isInteger(value[2])
  ) {
    return [value[0], value[1] as number, value[2] as number];
  }
  throw new SeqmodelError(
    `${PREFIX}: ${where}: expected a tensor reference [layer, node, index], received ${describeValue(value)}`,
  );
}

/** `input_layers` / `output_layers`: a list of references, or one reference (Keras 3 with a single tensor). */
function parseRefList(value: unknown, where: string): Ref[] {
  if (Array.isArray(value) && typeof value[0] === 'string') return [parseRef(value, where)];
  if (!Array.isArray(value)) {
    throw new SeqmodelError(
      `${PREFIX}: ${where}: expected a list of tensor references, received ${describeValue(value)}`,
    );
  }
  return value.map((v, i) => parseRef(v, `${where}[${i}]`));
}

interface NodeSpec {
  readonly inputs: Ref[];
  readonly initialState: Ref[];
}

/** Whether a call keyword names an input's mask (`mask`, `query_mask`, `value_mask`, ...). */
function isMaskKeyword(key: string, call: KerasCallSpec | undefined): boolean {
  return key === 'mask' || (call?.inputs.some((name) => key === `${name}_mask`) ?? false);
}

/** The tensor reference a keyword holds, if it holds one (null and absent hold none). */
function keywordRef(value: unknown, where: string): Ref | undefined {
  return value === undefined || value === null ? undefined : parseRef(value, where);
}

/** `[positional tensors, keyword arguments]` of a node, in either spelling. */
function nodeArguments(node: unknown, where: string): [unknown[], Record<string, unknown>] {
  if (Array.isArray(node)) {
    // Keras 2 / tfjs-layers: [[name, node, index, kwargs], ...], the call's keywords copied onto each tensor.
    const kwargs = node
      .map((r) => (Array.isArray(r) ? r[3] : undefined))
      .find((k) => isObject(k) && Object.keys(k).length > 0);
    return [node, (kwargs as Record<string, unknown> | undefined) ?? {}];
  }
  if (isObject(node) && Array.isArray(node.args)) {
    // Keras 3: { args: [tensor, ...] or [[tensors]], kwargs: { ... } }.
    const kwargs = node.kwargs ?? {};
    if (!isObject(kwargs)) {
      throw new SeqmodelError(
        `${PREFIX}: ${where}: expected keyword arguments, received ${describeValue(kwargs)}`,
      );
    }
    const first: unknown = node.args[0];
    const list = node.args.length === 1 && Array.isArray(first) && typeof first[0] !== 'string';
    return [list ? (first as unknown[]) : node.args, kwargs];
  }
  throw new SeqmodelError(`${PREFIX}: ${where}: expected an inbound node, received ${describeValue(node)}`);
}

/**
 * The call options (`call.options` keywords) of a layer's inbound nodes: the value every call gives (absent: none),
 * to be added to the config its mapping reads. Calls that disagree are an error (seqmodel keeps them as layer options).
 */
function callOptionsOf(
  nodes: readonly unknown[],
  call: KerasCallSpec | undefined,
  what: string,
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const key of call?.options ?? []) {
    const values = nodes.map((node, i) => nodeArguments(node, `${what} inbound node ${i}`)[1][key] ?? null);
    const distinct = [...new Set(values.map((v) => JSON.stringify(v)))];
    if (distinct.length > 1) {
      throw new SeqmodelError(
        `${PREFIX}: ${what} call argument ${key}: expected the same value in every call (seqmodel keeps it as a layer option), received ${distinct.join(' and ')}`,
      );
    }
    if (values.length > 0 && values[0] !== null) options[key] = values[0];
  }
  return options;
}

function parseStateRefs(value: unknown, where: string): Ref[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) && !isObject(value)) {
    throw new SeqmodelError(
      `${PREFIX}: ${where}: expected a list of tensors, received ${describeValue(value)}`,
    );
  }
  const list = Array.isArray(value) && typeof value[0] !== 'string' ? value : [value];
  return list.map((v, i) => parseRef(v, `${where}[${i}]`));
}

function parseNode(
  node: unknown,
  layer: Layer,
  call: KerasCallSpec | undefined,
  where: string,
  isModelTensor: (name: string) => boolean,
): NodeSpec {
  const [positional, kwargs] = nodeArguments(node, where);
  const refs: (Ref | undefined)[] = positional.map((r, i) => parseRef(r, `${where} input ${i}`));
  let statesValue: unknown;
  for (const [key, value] of Object.entries(kwargs)) {
    const index = call?.inputs.indexOf(key) ?? -1;
    if (key === 'training' || call?.options?.includes(key)) continue;
    if (key === 'initial_state') statesValue = value;
    else if (index > 0) {
      const ref = keywordRef(value, `${where} ${key}`);
      if (ref !== undefined) refs[index] = ref;
    } else if (isMaskKeyword(key, call)) {
      // Keras 3 writes the masks it propagated (made by its own mask ops) into the call; seqmodel propagates the same
      // masks itself. A mask fed from a model input or layer would be a tensor argument seqmodel does not take.
      // A list-input layer (Keras' `Attention`) gets one mask per input.
      const list = Array.isArray(value) && typeof value[0] !== 'string' ? value : [value];
      for (const [i, item] of list.entries()) {
        const ref = keywordRef(item, `${where} ${key}${list.length > 1 ? `[${i}]` : ''}`);
        if (ref !== undefined && isModelTensor(ref[0])) {
          throw new SeqmodelError(
            `${PREFIX}: ${where}: call argument ${key} is a tensor of the model (${ref[0]}); explicit mask tensors are not supported (seqmodel passes masks from layer to layer)`,
          );
        }
      }
    } else if (value !== null && value !== undefined) {
      const supported = call === undefined ? [] : [...call.inputs.slice(1), ...(call.options ?? [])];
      throw new SeqmodelError(
        `${PREFIX}: ${where}: call argument ${key} is not supported (seqmodel passes masks from layer to layer and supports initial_state${supported.map((k) => `, ${k}`).join('')})`,
      );
    }
  }
  const missing = refs.findIndex((r) => r === undefined);
  if (missing >= 0) {
    throw new SeqmodelError(
      `${PREFIX}: ${where}: input ${call?.inputs[missing] ?? missing} is missing although a later one is given`,
    );
  }
  let inputs = refs as Ref[];
  let initialState = parseStateRefs(statesValue, `${where} initial_state`);
  if (inputs.length > 1 && isRecurrentLayer(layer) && initialState.length === 0) {
    // Keras 2 and tfjs-layers list a recurrent layer's initial states after its input.
    initialState = inputs.slice(1);
    inputs = inputs.slice(0, 1);
  }
  const [min, max] = [layer.inputCount, Math.max(layer.inputCount, layer.maxInputCount)];
  if (inputs.length < min || inputs.length > max) {
    const expected =
      min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `${min} or more` : `${min} to ${max}`;
    const names = call === undefined ? '' : ` (${call.inputs.slice(0, max).join(', ')})`;
    throw new SeqmodelError(
      `${PREFIX}: ${where}: expected ${expected} input tensor${max === 1 ? '' : 's'}${names}, received ${inputs.length}`,
    );
  }
  if (initialState.length > 0 && !isRecurrentLayer(layer)) {
    throw new SeqmodelError(`${PREFIX}: ${where}: only recurrent layers take initial_state`);
  }
  return { inputs, initialState };
}

function functionalFromKeras<T>(
  modelJson: Record<string, unknown>,
  context: KerasReadOptions,
  options: BuildOptions<T>,
): BuiltKerasModel<T> {
  const config = modelJson.config;
  if (!isObject(config) || !Array.isArray(config.layers)) {
    throw new SeqmodelError(
      `${PREFIX}: functional model config.layers: expected an array of layers, received ${describeValue(isObject(config) ? config.layers : config)}`,
    );
  }
  const created: LayerWithKerasName[] = [];
  return withCleanup(created, () => {
    const outputsOf = new Map<string, SymbolicTensor[][]>();
    const pending: {
      entry: LayerWithKerasName;
      nodes: unknown[];
      next: number;
      call: KerasCallSpec | undefined;
    }[] = [];
    (config.layers as unknown[]).forEach((raw, i) => {
      const json = checkLayerJson(raw, `functional model layers[${i}]`);
      const name = layerName(json);
      if (name === undefined)
        throw new SeqmodelError(
          `${PREFIX}: ${describeKerasLayer(json)}: a functional model's layers need names`,
        );
      if (outputsOf.has(name) || created.some((c) => c.kerasName === name)) {
        throw new SeqmodelError(`${PREFIX}: two layers are named ${JSON.stringify(name)}`);
      }
      if (json.class_name === 'InputLayer') {
        const spec = inputFromKeras(json, context);
        outputsOf.set(name, [[input({ batchShape: spec.batchShape, name, dtype: spec.dtype })]]);
        return;
      }
      const nodes = (raw as Record<string, unknown>).inbound_nodes ?? [];
      if (!Array.isArray(nodes)) {
        throw new SeqmodelError(
          `${PREFIX}: ${describeKerasLayer(json)} inbound_nodes: expected an array, received ${describeValue(nodes)}`,
        );
      }
      const call = callSpecOf(json);
      // Call options (an attention layer's `use_causal_mask`, ...) are layer options here: read with the config.
      const options = callOptionsOf(nodes, call, describeKerasLayer(json));
      const withOptions =
        Object.keys(options).length > 0 ? { ...json, config: { ...json.config, ...options } } : json;
      const entry = {
        kerasName: name,
        kerasClass: json.class_name,
        layer: layerFromKeras(withOptions, context, `functional model layers[${i}]`),
      };
      created.push(entry);
      pending.push({ entry, nodes, next: 0, call });
    });
    const resolve = (ref: Ref): SymbolicTensor | undefined => outputsOf.get(ref[0])?.[ref[1]]?.[ref[2]];
    const layerNames = new Set(
      (config.layers as unknown[]).map((l) =>
        isObject(l) ? layerName(l as unknown as KerasLayerJson) : undefined,
      ),
    );
    const isModelTensor = (name: string): boolean => layerNames.has(name);
    // Apply nodes as soon as their inputs exist (layers are not always listed in dependency order).
    let progress = true;
    while (progress) {
      progress = false;
      for (const item of pending) {
        while (item.next < item.nodes.length) {
          const where = `layer ${item.entry.kerasName} (${item.entry.kerasClass}) inbound node ${item.next}`;
          const spec = parseNode(item.nodes[item.next], item.entry.layer, item.call, where, isModelTensor);
          const inputs = spec.inputs.map(resolve);
          const states = spec.initialState.map(resolve);
          if (inputs.some((x) => x === undefined) || states.some((x) => x === undefined)) break;
          const out = item.entry.layer.apply(inputs as SymbolicTensor[], {
            ...(states.length > 0 ? { initialState: states as SymbolicTensor[] } : {}),
          });
          const list = outputsOf.get(item.entry.kerasName) ?? [];
          list.push(Array.isArray(out) ? out : [out]);
          outputsOf.set(item.entry.kerasName, list);
          item.next++;
          progress = true;
        }
      }
    }
    const stuck = pending.find((p) => p.next < p.nodes.length);
    if (stuck !== undefined) {
      throw new SeqmodelError(
        `${PREFIX}: layer ${stuck.entry.kerasName} (${stuck.entry.kerasClass}) inbound node ${stuck.next}: refers to tensors no layer produces (${JSON.stringify(stuck.nodes[stuck.next])})`,
      );
    }
    const lookup = (ref: Ref, where: string): SymbolicTensor => {
      const tensor = resolve(ref);
      if (tensor === undefined)
        throw new SeqmodelError(`${PREFIX}: ${where}: no tensor ${JSON.stringify(ref)}`);
      return tensor;
    };
    const inputs = parseRefList(config.input_layers, 'input_layers').map((r) => lookup(r, 'input_layers'));
    const outputs = parseRefList(config.output_layers, 'output_layers').map((r) =>
      lookup(r, 'output_layers'),
    );
    const model = new Functional<T>({
      inputs,
      outputs,
      backend: options.backend,
      ...(typeof config.name === 'string' ? { name: config.name } : {}),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    return { model, layers: created };
  });
}
