/**
 * `saveModel` / `loadModel` (the whole model) and `saveWeights` / `loadWeights` (weights into a model built from code):
 * seqmodel's own format (`artifacts.ts`, `manifest.ts`) in a directory in Node (`model.json` or `weights.json`, and a
 * weights file named by its content), through any sink or source (browser storage, a network upload), or in memory.
 * Directory saves are atomic (`atomic-write.ts`): a failed save leaves the model already there loadable and unchanged.
 * Directory loads read only files inside the directory, and only the bytes the manifest declares.
 */
import { invalidArgument } from '@seqmodel/core';
import type { Model } from '../../models/model.js';
import { contentName, dataFilesNamedBy, readIndexed, writeIndexed } from '../atomic-write.js';
import {
  type ArtifactsSink as AnyArtifactsSink,
  type ArtifactsSource as AnyArtifactsSource,
  checkLoadOptions,
  isObject,
  isSink,
  isSource,
  parseJson,
  readExactly,
  statInside,
} from '../files.js';
import { DocumentChecker } from '../manifest-checks.js';
import {
  checkBuilt,
  deserializeModel,
  deserializeWeights,
  LOAD_MODEL_KEYS,
  type LoadModelOptions,
  type ModelArtifacts,
  type SaveModelOptions,
  serializeModel,
  serializeWeights,
  type WeightsArtifacts,
} from './artifacts.js';
import {
  checkModelJSON,
  checkWeightsJSON,
  MODEL_JSON_FILE,
  WEIGHTS_FILE_PATTERN,
  WEIGHTS_JSON_FILE,
  type WeightsManifest,
} from './manifest.js';

/** Somewhere artifacts can be written (IndexedDB, an upload, ...). */
export type ArtifactsSink<A = ModelArtifacts> = AnyArtifactsSink<A>;

/** Somewhere artifacts can be read from. */
export type ArtifactsSource<A = ModelArtifacts> = AnyArtifactsSource<A>;

/**
 * Writes a document and its weights buffer into `directory` atomically; returns the document as written (its
 * `weights.path` names the weights file, `weights.<content hash>.bin`).
 */
async function writeDirectory<D extends { readonly format: string; readonly weights: WeightsManifest }>(
  directory: string,
  indexName: string,
  document: D,
  weightData: ArrayBuffer,
  what: string,
): Promise<D> {
  const bytes = new Uint8Array(weightData);
  const name = await contentName('weights', bytes);
  const written = { ...document, weights: { ...document.weights, path: name } };
  await writeIndexed(
    {
      directory,
      data: [{ name, bytes }],
      index: { name: indexName, text: `${JSON.stringify(written, null, 2)}\n` },
      // Only weight files this format names are removed with the document that named them.
      previousData: (previous) =>
        isObject(previous) && previous.format === document.format
          ? dataFilesNamedBy(previous).filter((p) => WEIGHTS_FILE_PATTERN.test(p))
          : [],
    },
    what,
  );
  return written;
}

/**
 * Reads a document and the weights it names from `directory`: the weights file must lie inside the directory (no
 * `..`, no absolute path, no symbolic link leading out), be a regular file, and have exactly the declared size; only
 * those bytes are read.
 */
async function readDirectory<D extends { readonly weights: WeightsManifest }>(
  directory: string,
  indexName: string,
  what: string,
  check: (json: unknown, where: string) => D,
): Promise<{ document: D; weightData: ArrayBuffer; origin: string }> {
  if (typeof directory !== 'string' || directory.length === 0) {
    invalidArgument(`${what} source`, directory, 'a directory path');
  }
  const path = await import('node:path');
  const origin = path.join(directory, indexName);
  return readIndexed(origin, what, async (text) => {
    const where = `${what}: ${origin}`;
    const document = check(parseJson(text, origin, what), where);
    const declared = document.weights.byteLength;
    const file = await statInside(directory, document.weights.path, `${origin}: weights.path`, what);
    if (file.size !== declared) {
      new DocumentChecker(where).error(
        'weights.byteLength',
        `declares ${declared} bytes, but ${document.weights.path} has ${file.size}; expected the two to agree (truncated, or a different model's weights?)`,
      );
    }
    return { document, weightData: await readExactly(file.path, declared, what), origin };
  });
}

function checkTarget(what: string, target: unknown): void {
  if (target !== undefined && typeof target !== 'string' && !isSink(target)) {
    invalidArgument(`${what} target`, target, 'a directory path, an object with save(artifacts), or nothing');
  }
}

/**
 * Saves a built model: to the directory `target` (Node; created if needed; `model.json` and a weights file named by
 * content, written atomically), to a sink, or nowhere (just returns the artifacts). When the model is compiled its
 * optimizer, the optimizer's state and the compile arguments are saved too, so that training can resume after
 * `loadModel` (see `SaveModelOptions.includeOptimizer`). Resolves to the artifacts as written.
 *
 * @example
 * await saveModel(model, './my-model');                 // ./my-model/model.json + ./my-model/weights.<hash>.bin
 * const artifacts = await saveModel(model);             // in memory (browsers)
 */
export async function saveModel<T>(
  model: Model<T>,
  target?: string | ArtifactsSink,
  options?: SaveModelOptions,
): Promise<ModelArtifacts> {
  checkTarget('saveModel', target);
  const artifacts = serializeModel(model, options);
  if (typeof target === 'string') {
    const modelJSON = await writeDirectory(
      target,
      MODEL_JSON_FILE,
      artifacts.modelJSON,
      artifacts.weightData,
      'saveModel',
    );
    return { modelJSON, weightData: artifacts.weightData };
  }
  if (target !== undefined) await target.save(artifacts);
  return artifacts;
}

/** Reads artifacts from a directory written by `saveModel` (Node), checked whole. */
export async function readArtifacts(directory: string, what = 'loadModel'): Promise<ModelArtifacts> {
  const { document, weightData } = await readDirectory(directory, MODEL_JSON_FILE, what, checkModelJSON);
  return { modelJSON: document, weightData };
}

/**
 * Loads a model saved with `saveModel`, on `options.backend`: from a directory (Node), a source, or artifacts in memory.
 * A model saved with its optimizer comes back compiled, its optimizer's state restored (see `LoadModelOptions`).
 *
 * @example
 * const model = await loadModel('./my-model', { backend });
 * await model.fit(x, y, { epochs: 10, initialEpoch: 5 });   // resumes training
 */
export async function loadModel<T>(
  source: string | ModelArtifacts | ArtifactsSource,
  options: LoadModelOptions<T>,
): Promise<Model<T>> {
  // Before any file is read: a wrong backend or option fails at once.
  checkLoadOptions('loadModel', options, LOAD_MODEL_KEYS);
  if (typeof source === 'string') {
    const { document, weightData, origin } = await readDirectory(
      source,
      MODEL_JSON_FILE,
      'loadModel',
      checkModelJSON,
    );
    return deserializeModel({ modelJSON: document, weightData }, options, 'loadModel', origin);
  }
  if (isSource<ModelArtifacts>(source)) {
    return deserializeModel(await source.load(), options, 'loadModel', 'the artifacts from source.load()');
  }
  if (isObject(source) && 'modelJSON' in source) return deserializeModel(source as ModelArtifacts, options);
  invalidArgument('loadModel source', source, 'a directory path, artifacts, or an object with load()');
}

/**
 * Saves a built model's weights only (Keras' `save_weights`): to the directory `target` (`weights.json` and a weights
 * file, atomically), to a sink, or nowhere. `loadWeights` puts them into a model built the same way.
 */
export async function saveWeights<T>(
  model: Model<T>,
  target?: string | ArtifactsSink<WeightsArtifacts>,
): Promise<WeightsArtifacts> {
  checkTarget('saveWeights', target);
  const artifacts = serializeWeights(model);
  if (typeof target === 'string') {
    const weightsJSON = await writeDirectory(
      target,
      WEIGHTS_JSON_FILE,
      artifacts.weightsJSON,
      artifacts.weightData,
      'saveWeights',
    );
    return { weightsJSON, weightData: artifacts.weightData };
  }
  if (target !== undefined) await target.save(artifacts);
  return artifacts;
}

/**
 * Sets a built model's weights from `saveWeights`' output (a directory, a source, or artifacts): every weight by
 * name, with its shape; checked whole first, so a failure changes nothing.
 */
export async function loadWeights<T>(
  model: Model<T>,
  source: string | WeightsArtifacts | ArtifactsSource<WeightsArtifacts>,
): Promise<void> {
  // Before any file is read: weights need a built model to go into.
  checkBuilt(model as Model<unknown>, 'loadWeights', true);
  if (typeof source === 'string') {
    const { document, weightData, origin } = await readDirectory(
      source,
      WEIGHTS_JSON_FILE,
      'loadWeights',
      checkWeightsJSON,
    );
    deserializeWeights(model, { weightsJSON: document, weightData }, origin);
    return;
  }
  if (isSource<WeightsArtifacts>(source)) {
    deserializeWeights(model, await source.load(), 'the artifacts from source.load()');
    return;
  }
  if (isObject(source) && 'weightsJSON' in source) {
    deserializeWeights(model, source as WeightsArtifacts);
    return;
  }
  invalidArgument(
    'loadWeights source',
    source,
    'a directory path, weights artifacts, or an object with load()',
  );
}
