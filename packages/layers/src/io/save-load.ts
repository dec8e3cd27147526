/**
 * `saveModel` / `loadModel`: the own format (`artifacts.ts`) to a directory in Node (`model.json` + `weights.bin`),
 * to any sink (browser storage, a network upload), or kept in memory. Node's file system is imported only when a
 * path is given, so the package runs in browsers.
 */
import { type Backend, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { Model } from '../engine/model.js';
import {
  deserializeModel,
  MODEL_JSON_FILE,
  type ModelArtifacts,
  type ModelJSON,
  serializeModel,
} from './artifacts.js';

/** Somewhere artifacts can be written (IndexedDB, an upload, ...). */
export interface ArtifactsSink {
  save(artifacts: ModelArtifacts): void | Promise<void>;
}

/** Somewhere artifacts can be read from. */
export interface ArtifactsSource {
  load(): ModelArtifacts | Promise<ModelArtifacts>;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

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
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    await fs.mkdir(target, { recursive: true });
    await fs.writeFile(
      path.join(target, MODEL_JSON_FILE),
      `${JSON.stringify(artifacts.modelJSON, null, 2)}\n`,
    );
    await fs.writeFile(
      path.join(target, artifacts.modelJSON.weights.path),
      new Uint8Array(artifacts.weightData),
    );
    return artifacts;
  }
  if (isObject(target) && typeof target.save === 'function') {
    await target.save(artifacts);
    return artifacts;
  }
  invalidArgument('saveModel target', target, 'a directory path, an object with save(artifacts), or nothing');
}

/** Reads artifacts from a directory written by `saveModel` (Node). */
export async function readArtifacts(directory: string): Promise<ModelArtifacts> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  let modelJSON: ModelJSON;
  const jsonPath = path.join(directory, MODEL_JSON_FILE);
  try {
    modelJSON = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as ModelJSON;
  } catch (error) {
    throw new SeqmodelError(`loadModel: cannot read ${jsonPath}: ${(error as Error).message}`);
  }
  const weightsPath = path.join(directory, modelJSON.weights?.path ?? 'weights.bin');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(weightsPath);
  } catch (error) {
    throw new SeqmodelError(`loadModel: cannot read ${weightsPath}: ${(error as Error).message}`);
  }
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { modelJSON, weightData };
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
  else if (isObject(source) && typeof (source as ArtifactsSource).load === 'function') {
    artifacts = await (source as ArtifactsSource).load();
  } else if (isObject(source) && 'modelJSON' in source) artifacts = source as ModelArtifacts;
  else invalidArgument('loadModel source', source, 'a directory path, artifacts, or an object with load()');
  return deserializeModel(artifacts, options);
}
