/**
 * `saveKerasModel`: a seqmodel model as tfjs layers-model artifacts (`model.json` + `group1-shard1of1.bin`) that
 * tfjs-layers' `loadLayersModel` loads and runs identically, and `loadKerasModel` loads back exactly. What tfjs-layers
 * cannot reproduce is refused (see `export-model.ts` and the layers' mappings); seqmodel's own `saveModel` stores everything.
 */
import { invalidArgument } from '@seqmodel/core';
import type { Model } from '../../models/model.js';
import { type ArtifactsSink, isSink, writeFiles } from '../files.js';
import type { KerasArtifacts, KerasModelJson } from './artifacts.js';
import { kerasWeightNames, modelJson, SEQMODEL_KERAS_VERSION } from './export-model.js';
import { encodeKerasWeights } from './weights.js';

/** Name of the weights file `saveKerasModel` writes next to `model.json` (tfjs-layers' own naming). */
export const KERAS_WEIGHTS_FILE = 'group1-shard1of1.bin';

/** The artifacts of a built model, in tfjs `ModelArtifacts` shape (`tf.io.fromMemory` takes them). */
export function kerasArtifactsFromModel<T>(model: Model<T>): KerasArtifacts {
  const topology = {
    ...modelJson(model),
    keras_version: SEQMODEL_KERAS_VERSION,
    backend: 'seqmodel',
  };
  const data = model.getWeightData();
  const names = model.layers.flatMap((layer) => kerasWeightNames(layer));
  const { specs, data: weightData } = encodeKerasWeights(data.map((d, i) => ({ name: names[i]!, data: d })));
  return {
    modelTopology: topology,
    weightSpecs: specs,
    weightData,
    format: 'layers-model',
    generatedBy: '@seqmodel/layers',
    convertedBy: null,
  };
}

/** The `model.json` document for artifacts whose weights are in one file, `weightsPath`. */
function kerasModelJson(artifacts: KerasArtifacts, weightsPath = KERAS_WEIGHTS_FILE): KerasModelJson {
  return {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? '@seqmodel/layers',
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
}

/**
 * Saves a built model as a Keras / tfjs-layers model: into the directory `target` (Node: `model.json` and
 * `group1-shard1of1.bin`; a path ending in `.json` names the JSON file itself), to a sink (any object with
 * `save(artifacts)`, tfjs `IOHandler`s included), or nowhere. Resolves to the artifacts either way.
 *
 * @example
 * await saveKerasModel(model, './exported');   // then in tfjs: tf.loadLayersModel('.../exported/model.json')
 * const artifacts = await saveKerasModel(model); // tf.loadLayersModel(tf.io.fromMemory(artifacts))
 */
export async function saveKerasModel<T>(
  model: Model<T>,
  target?: string | ArtifactsSink<KerasArtifacts>,
): Promise<KerasArtifacts> {
  if (target !== undefined && typeof target !== 'string' && !isSink(target)) {
    invalidArgument(
      'saveKerasModel target',
      target,
      'a directory path, a path to model.json, an object with save(artifacts), or nothing',
    );
  }
  const artifacts = kerasArtifactsFromModel(model);
  if (typeof target === 'string') {
    const path = await import('node:path');
    const isJson = target.toLowerCase().endsWith('.json');
    const directory = isJson ? path.dirname(target) : target;
    const jsonName = isJson ? path.basename(target) : 'model.json';
    await writeFiles(directory, [
      { name: jsonName, data: `${JSON.stringify(kerasModelJson(artifacts), null, 2)}\n` },
      { name: KERAS_WEIGHTS_FILE, data: new Uint8Array(artifacts.weightData as ArrayBuffer) },
    ]);
  } else if (target !== undefined) {
    await target.save(artifacts);
  }
  return artifacts;
}
