/**
 * `saveModel` / `loadModel`: the own format (`artifacts.ts`) to a directory in Node (`model.json` + `weights.bin`),
 * to any sink (browser storage, a network upload), or kept in memory. File and sink handling is shared with the Keras
 * format (`files.ts`).
 */
import { type Backend, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { Model } from '../../models/model.js';
import {
  type ArtifactsSink as AnyArtifactsSink,
  type ArtifactsSource as AnyArtifactsSource,
  isObject,
  isSink,
  isSource,
  parseJson,
  readFileBytes,
  readFileText,
  writeFiles,
} from '../files.js';
import {
  deserializeModel,
  MODEL_JSON_FILE,
  type ModelArtifacts,
  type ModelJSON,
  serializeModel,
  WEIGHTS_FILE,
} from './artifacts.js';

/** Somewhere artifacts can be written (IndexedDB, an upload, ...). */
export type ArtifactsSink<A = ModelArtifacts> = AnyArtifactsSink<A>;

/** Somewhere artifacts can be read from. */
export type ArtifactsSource<A = ModelArtifacts> = AnyArtifactsSource<A>;

/**
 * Saves a built model: to the directory `target` (Node; created if needed), to a sink, or nowhere (just returns the
 * artifacts). Resolves to the artifacts either way.
 *
 * @example
 * await saveModel(model, './my-model');                 // ./my-model/model.json + ./my-model/weights.bin
 * const artifacts = await saveModel(model);             // in memory (browsers)
 */
export async function saveModel<T>(
  model: Model<T>,
  target?: string | ArtifactsSink,
): Promise<ModelArtifacts> {
  const artifacts = serializeModel(model);
  if (target === undefined) return artifacts;
  if (typeof target === 'string') {
    await writeFiles(target, [
      { name: MODEL_JSON_FILE, data: `${JSON.stringify(artifacts.modelJSON, null, 2)}\n` },
      { name: artifacts.modelJSON.weights.path, data: new Uint8Array(artifacts.weightData) },
    ]);
    return artifacts;
  }
  if (isSink<ModelArtifacts>(target)) {
    await target.save(artifacts);
    return artifacts;
  }
  invalidArgument('saveModel target', target, 'a directory path, an object with save(artifacts), or nothing');
}

/** Reads artifacts from a directory written by `saveModel` (Node). */
export async function readArtifacts(directory: string): Promise<ModelArtifacts> {
  const path = await import('node:path');
  const jsonPath = path.join(directory, MODEL_JSON_FILE);
  const modelJSON = parseJson(await readFileText(jsonPath, 'loadModel'), jsonPath, 'loadModel') as ModelJSON;
  if (!isObject(modelJSON)) {
    throw new SeqmodelError(`loadModel: ${jsonPath} does not hold a JSON object`);
  }
  const weightsPath = path.join(directory, modelJSON.weights?.path ?? WEIGHTS_FILE);
  return { modelJSON, weightData: await readFileBytes(weightsPath, 'loadModel') };
}

/**
 * Loads a model saved with `saveModel`, on `backend`: from a directory (Node), a source, or artifacts in memory.
 *
 * @example
 * const model = await loadModel('./my-model', { backend });
 */
export async function loadModel<T>(
  source: string | ModelArtifacts | ArtifactsSource,
  options: { readonly backend: Backend<T> },
): Promise<Model<T>> {
  if (!isObject(options) || options.backend === undefined) {
    invalidArgument('loadModel options.backend', options?.backend, 'a backend');
  }
  let artifacts: ModelArtifacts;
  if (typeof source === 'string') artifacts = await readArtifacts(source);
  else if (isSource<ModelArtifacts>(source)) artifacts = await source.load();
  else if (isObject(source) && 'modelJSON' in source) artifacts = source as ModelArtifacts;
  else invalidArgument('loadModel source', source, 'a directory path, artifacts, or an object with load()');
  return deserializeModel(artifacts, options);
}
