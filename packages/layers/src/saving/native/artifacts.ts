/**
 * seqmodel's own model format: a JSON document (the model's config plus a manifest of its weights) and one binary
 * weights buffer (every weight as float32 little-endian, back to back, in the model's weight order). Loading rebuilds
 * the model from the config on a backend and sets every weight by name, so predictions are identical to the saved
 * model's on the same backend. Carried states of stateful layers and streams are not saved (as Keras).
 *
 * `model.json`:
 * ```json
 * { "format": "seqmodel-layers", "formatVersion": 1, "generatedBy": "@seqmodel/layers",
 *   "model": { "className": "Sequential", "config": { ... } }, "seed": 42,
 *   "weights": { "path": "weights.bin", "byteLength": 1234,
 *                "entries": [{ "name": "lstm/kernel", "shape": [3, 32], "dtype": "float32", "offset": 0, "byteLength": 384 }] } }
 * ```
 */
import {
  type Backend,
  formatShape,
  invalidArgument,
  SeqmodelError,
  shapesEqual,
  sizeOfShape,
} from '@seqmodel/core';
import { deserializeLayer } from '../../engine/registry.js';
import { Functional } from '../../models/functional.js';
import type { Model, SerializedModel } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import { packFloat32 } from '../files.js';

export const MODEL_FORMAT = 'seqmodel-layers';
export const MODEL_FORMAT_VERSION = 1;
/** File names inside a saved model's directory. */
export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** One weight's place in the weights buffer. */
export interface WeightsManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  /** Byte offset in the buffer. */
  readonly offset: number;
  readonly byteLength: number;
}

/** The JSON half of a saved model. */
export interface ModelJSON {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  readonly generatedBy: string;
  readonly model: SerializedModel;
  /** The model's seed (drives its default dropout stream after loading). */
  readonly seed: number | string;
  readonly weights: {
    readonly path: string;
    readonly byteLength: number;
    readonly entries: readonly WeightsManifestEntry[];
  };
}

/** A saved model in memory: what `saveModel` writes and `loadModel` reads. */
export interface ModelArtifacts {
  readonly modelJSON: ModelJSON;
  /** The weights, float32 little-endian (see `modelJSON.weights.entries`). */
  readonly weightData: ArrayBuffer;
}

/** The model's config and weights as artifacts (the model must be built). */
export function serializeModel<T>(model: Model<T>): ModelArtifacts {
  const weights = model.getWeightData();
  const { buffer, offsets } = packFloat32(weights.map((w) => w.values));
  const entries: WeightsManifestEntry[] = weights.map((w, i) => ({
    name: w.name,
    shape: [...w.shape],
    dtype: 'float32',
    offset: offsets[i]!,
    byteLength: 4 * w.values.length,
  }));
  return {
    modelJSON: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      generatedBy: '@seqmodel/layers',
      model: model.toJSON(),
      seed: model.seed,
      weights: { path: WEIGHTS_FILE, byteLength: buffer.byteLength, entries },
    },
    weightData: buffer,
  };
}

/** Rebuilds a model from its config alone (fresh weights from `seed`), bound to `backend`. */
export function modelFromJSON<T>(
  serialized: SerializedModel,
  options: { readonly backend: Backend<T>; readonly seed?: number | string },
): Model<T> {
  if (typeof serialized !== 'object' || serialized === null) {
    invalidArgument('model JSON', serialized, 'an object with className and config');
  }
  const args = { backend: options.backend, ...(options.seed === undefined ? {} : { seed: options.seed }) };
  switch (serialized.className) {
    case 'Sequential':
      return Sequential.fromConfig<T>(serialized.config, deserializeLayer, args);
    case 'Functional':
      return Functional.fromConfig<T>(serialized.config, deserializeLayer, args);
    default:
      throw new SeqmodelError(
        `model JSON className: expected "Sequential" or "Functional", received ${JSON.stringify(serialized.className)}`,
      );
  }
}

/** A model from artifacts, on `backend`, with the saved weights. */
export function deserializeModel<T>(
  artifacts: ModelArtifacts,
  options: { readonly backend: Backend<T> },
): Model<T> {
  const json = artifacts?.modelJSON;
  if (typeof json !== 'object' || json === null) {
    invalidArgument('loadModel artifacts.modelJSON', json, 'the JSON document of a saved model');
  }
  if (json.format !== MODEL_FORMAT) {
    throw new SeqmodelError(
      `loadModel: expected a ${JSON.stringify(MODEL_FORMAT)} document, received format ${JSON.stringify(json.format)} (Keras and tfjs-layers model.json files need loadKerasModel)`,
    );
  }
  if (json.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new SeqmodelError(
      `loadModel: format version ${json.formatVersion} is not supported (this version reads ${MODEL_FORMAT_VERSION})`,
    );
  }
  const data = artifacts.weightData;
  if (!(data instanceof ArrayBuffer))
    invalidArgument('loadModel artifacts.weightData', data, 'an ArrayBuffer');
  if (data.byteLength !== json.weights.byteLength) {
    throw new SeqmodelError(
      `loadModel: the weights buffer has ${data.byteLength} bytes, the manifest says ${json.weights.byteLength}`,
    );
  }
  // The buffer is read before the model is built, so a bad manifest entry leaves no weights behind.
  const view = new DataView(data);
  const values = new Map<string, Float32Array>();
  for (const entry of json.weights.entries) {
    if (entry.dtype !== 'float32') {
      throw new SeqmodelError(
        `loadModel weight ${entry.name}: dtype ${JSON.stringify(entry.dtype)} is not supported`,
      );
    }
    const size = sizeOfShape(entry.shape);
    if (
      entry.byteLength !== size * 4 ||
      entry.offset < 0 ||
      entry.offset + entry.byteLength > data.byteLength
    ) {
      throw new SeqmodelError(
        `loadModel weight ${entry.name}: shape ${formatShape(entry.shape)} at offset ${entry.offset} (${entry.byteLength} bytes) does not fit the ${data.byteLength}-byte buffer`,
      );
    }
    const array = new Float32Array(size);
    for (let k = 0; k < size; k++) array[k] = view.getFloat32(entry.offset + 4 * k, true);
    values.set(entry.name, array);
  }
  const model = modelFromJSON(json.model, { backend: options.backend, seed: json.seed });
  try {
    for (const w of model.weights) {
      const entry = json.weights.entries.find((e) => e.name === w.name);
      if (entry !== undefined && !shapesEqual(entry.shape, w.shape)) {
        throw new SeqmodelError(
          `loadModel weight ${w.name}: saved with shape ${formatShape(entry.shape)}, the model's config gives ${formatShape(w.shape)}`,
        );
      }
    }
    model.setWeightsByName(values);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}
