/**
 * One Keras layer's JSON to a seqmodel layer, through the mapping registered for its class (`registry.ts`), and the
 * input shapes a model's first layers declare. Reads the three dialects found in `model.json` files:
 * - tfjs-layers (`keras_version: "tfjs-layers x.y.z"`) and seqmodel's own export (`"seqmodel-layers x.y.z"`),
 * - Keras 2 / tf.keras as written by `tensorflowjs_converter` (`batch_input_shape`, `{ class_name, config }`
 *   initializers, `dtype: "float32"` or `Policy` objects),
 * - Keras 3 (`batch_shape`, `{ module, class_name, config, registered_name }` objects, `DTypePolicy` objects).
 *
 * Every option of a supported layer is either mapped, accepted and ignored because it cannot change a prediction
 * (regularizers, constraints, `unroll`, `implementation`, `use_cudnn`, seeds), or rejected with an error that names
 * the layer and the option when the value would give a different model (`time_major: true`, a `swish` activation, a
 * float16 dtype policy, ...). Unknown options are errors too, unless the caller asks to ignore them.
 */
import { describeValue, didYouMean, SeqmodelError } from '@seqmodel/core';
import { Layer } from '../../engine/layer.js';
import type { ShapeSpec } from '../../engine/shape-spec.js';
import { isObject } from '../files.js';
import type { KerasCallSpec, KerasImportContext, NestedKerasOptions } from './mapping.js';
import { dtypeName, KerasConfigReader, type KerasReadOptions } from './option-reader.js';
import { findKerasLayerMapping, listKerasLayerClasses, mappingFailure } from './registry.js';

const PREFIX = 'loadKerasModel';

/** A layer's JSON in a Keras model config. */
export interface KerasLayerJson {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
  readonly module?: string;
  readonly registered_name?: string | null;
  readonly name?: string;
  readonly inbound_nodes?: unknown;
  readonly build_config?: unknown;
}

function describeLayerJson(json: unknown): { className: string; name: string } {
  const className = isObject(json) && typeof json.class_name === 'string' ? json.class_name : '?';
  const config = isObject(json) && isObject(json.config) ? json.config : {};
  const name =
    typeof config.name === 'string'
      ? config.name
      : isObject(json) && typeof json.name === 'string'
        ? json.name
        : '(unnamed)';
  return { className, name };
}

/** `layer lstm_1 (LSTM)`. */
export function describeKerasLayer(json: unknown): string {
  const { className, name } = describeLayerJson(json);
  return `layer ${name} (${className})`;
}

/** Checks the outer shape of a layer's JSON: `{ class_name, config }`. */
export function checkLayerJson(json: unknown, where: string): KerasLayerJson {
  if (!isObject(json) || typeof json.class_name !== 'string') {
    throw new SeqmodelError(
      `${PREFIX}: ${where}: expected a layer { class_name, config }, received ${describeValue(json)}`,
    );
  }
  if (json.config !== undefined && !isObject(json.config)) {
    throw new SeqmodelError(`${PREFIX}: ${describeKerasLayer(json)}: config is not an object`);
  }
  return { ...(json as unknown as KerasLayerJson), config: (json.config as Record<string, unknown>) ?? {} };
}

/**
 * The name a layer's mapping is registered under: its `class_name`, or for a Keras 3 layer from a module outside
 * Keras (a custom layer), its `registered_name` (`package>Name`), as Keras 3 itself looks custom objects up.
 */
function registryKey(json: KerasLayerJson): { key: string | undefined; custom: boolean } {
  const module = json.module;
  if (typeof module === 'string' && !module.startsWith('keras')) {
    const registered = json.registered_name;
    return { key: typeof registered === 'string' ? registered : undefined, custom: true };
  }
  return { key: json.class_name, custom: false };
}

/** The call spec of the mapping a layer JSON loads with (layers with several inputs or call options), if any. */
export function callSpecOf(json: KerasLayerJson): KerasCallSpec | undefined {
  const { key } = registryKey(json);
  return key === undefined ? undefined : findKerasLayerMapping(key)?.call;
}

function unsupported(json: KerasLayerJson, key: string | undefined, custom: boolean): SeqmodelError {
  const loadable = listKerasLayerClasses('load');
  const what = describeKerasLayer(json);
  if (custom || key === undefined) {
    const hint =
      key === undefined
        ? 'it has no registered_name to look a mapping up by'
        : `register a Keras mapping named ${JSON.stringify(key)} with registerKerasLayer to load it`;
    return new SeqmodelError(
      `${PREFIX}: ${what}: custom layer class from module ${JSON.stringify(json.module)} (registered as ${JSON.stringify(json.registered_name)}) is not supported; ${hint}`,
    );
  }
  if (['Sequential', 'Functional', 'Model'].includes(key)) {
    return new SeqmodelError(
      `${PREFIX}: ${what}: nested models are not supported (flatten them into one model); supported: ${loadable.join(', ')} (and InputLayer)`,
    );
  }
  const saveOnly = findKerasLayerMapping(key) === undefined ? '' : ' (its Keras mapping only saves)';
  return new SeqmodelError(
    `${PREFIX}: ${what}: layer class ${key} is not supported${saveOnly}; supported: ${loadable.join(', ')} (and InputLayer)${didYouMean(key, loadable)}; other packages add classes with registerKerasLayer`,
  );
}

/** What a file is read with: how layers nested in a wrapper's config are built. */
function importContext(options: KerasReadOptions, nested: NestedKerasOptions = {}): KerasImportContext {
  return {
    dialect: options.dialect,
    unknownKeys: options.unknownKeys,
    ...nested,
    layerFromKeras: (json, where, innerNested) => layerFromKeras(json, options, where, innerNested),
  };
}

/** Builds the seqmodel layer for one Keras layer (not `InputLayer`), unbuilt. */
export function layerFromKeras(
  json: unknown,
  options: KerasReadOptions,
  where = 'layer',
  nested: NestedKerasOptions = {},
): Layer {
  const layerJson = checkLayerJson(json, where);
  const { key, custom } = registryKey(layerJson);
  const fromKeras = key === undefined ? undefined : findKerasLayerMapping(key)?.fromKeras;
  if (key === undefined || fromKeras === undefined) throw unsupported(layerJson, key, custom);
  const what = describeKerasLayer(layerJson);
  const reader = new KerasConfigReader(what, layerJson.config, options);
  let layer: Layer;
  try {
    layer = fromKeras(reader, importContext(options, nested));
  } catch (error) {
    throw mappingFailure(PREFIX, what, key, error);
  }
  if (!(layer instanceof Layer)) {
    throw new SeqmodelError(
      `${PREFIX}: ${what}: the Keras mapping for ${key} returned ${describeValue(layer)}, expected a Layer`,
    );
  }
  try {
    reader.finish();
  } catch (error) {
    layer.dispose();
    throw error;
  }
  return layer;
}

/** A batch shape from a config (`batch_input_shape` / `batch_shape`, or `input_shape` with `batch_size`). */
function batchShapeOf(reader: KerasConfigReader): ShapeSpec | undefined {
  const batchShape = reader.shape('batch_input_shape') ?? reader.shape('batch_shape');
  if (batchShape !== undefined) return batchShape;
  const sample = reader.shape('input_shape');
  if (sample === undefined) return undefined;
  return [reader.optionalPositiveInteger('batch_size') ?? null, ...sample];
}

/** What an `InputLayer` declares: the batch shape, the dtype and its name. */
export interface KerasInput {
  readonly name: string | undefined;
  readonly batchShape: ShapeSpec;
  readonly dtype: 'float32' | 'int32';
}

/** Reads an `InputLayer`'s config. */
export function inputFromKeras(json: KerasLayerJson, options: KerasReadOptions): KerasInput {
  const reader = new KerasConfigReader(describeKerasLayer(json), json.config, options);
  const name = reader.get('name');
  const batchShape = batchShapeOf(reader);
  if (batchShape === undefined)
    return reader.fail('batch_shape', undefined, 'the input shape (batch_shape or batch_input_shape)');
  const dtype = dtypeName(reader.get('dtype')) ?? 'float32';
  if (!['float32', 'int32', 'int64'].includes(dtype)) {
    reader.fail('dtype', dtype, '"float32", "int32" or "int64"');
  }
  reader.expect('sparse', [false], 'false (sparse inputs are not supported)');
  reader.expect('ragged', [false], 'false (ragged inputs are not supported; pad and mask instead)');
  reader.expect('optional', [false], 'false (optional inputs are not supported)');
  reader.ignore('input_tensor', 'trainable');
  reader.finish();
  return {
    name: typeof name === 'string' ? name : undefined,
    batchShape,
    dtype: dtype === 'float32' ? 'float32' : 'int32',
  };
}

/**
 * The input shape a Sequential model's first layer declares, if any: `batch_input_shape` / `batch_shape` /
 * `input_shape`, or an Embedding's `input_length`.
 */
export function declaredInputShape(json: KerasLayerJson, options: KerasReadOptions): ShapeSpec | undefined {
  const reader = new KerasConfigReader(describeKerasLayer(json), json.config, {
    ...options,
    unknownKeys: 'ignore',
  });
  const shape = batchShapeOf(reader);
  if (shape !== undefined) return shape;
  if (json.class_name === 'Embedding') return [null, reader.optionalPositiveInteger('input_length') ?? null];
  return undefined;
}
