/**
 * `saveKerasModel`: a seqmodel model as tfjs layers-model artifacts (`model.json` + `group1-shard1of1.<content hash>.bin`) that
 * tfjs-layers' `loadLayersModel` loads and runs identically, and `loadKerasModel` loads back exactly. What tfjs-layers
 * cannot reproduce is refused (see `export-model.ts` and the layers' mappings); seqmodel's own `saveModel` stores everything.
 */
import { invalidArgument } from '@seqmodel/core';
import type { Model } from '../../models/model.js';
import { contentName, dataFilesNamedBy, writeIndexed } from '../atomic-write.js';
import { type ArtifactsSink, isObject, isSink } from '../files.js';
import { checkBuilt } from '../native/artifacts.js';
import { joinBuffers, type KerasArtifacts, type KerasModelJson } from './artifacts.js';
import { kerasWeightNames, modelJson, SEQMODEL_KERAS_VERSION } from './export-model.js';
import { kerasOptimizerArtifacts } from './training-config.js';
import { encodeKerasWeights } from './weights.js';

/**
 * Weight files `saveKerasModel` writes or replaces: tfjs-layers' own names (`group1-shard1of1.bin`), with the content's
 * hash before the extension (`group1-shard1of1.0123456789abcdef.bin`) so that a save never overwrites the weights of
 * the model it replaces before it is complete.
 */
const KERAS_WEIGHTS_PATTERN = /^group\d+-shard\d+of\d+(\.[0-9a-f]{16})?\.bin$/;

/** Options of `saveKerasModel`. */
export interface SaveKerasOptions {
  /**
   * Also save the optimizer, its state and the loss and metrics (tfjs-layers' `includeOptimizer`; default false, as
   * tfjs-layers): `loadLayersModel` and `loadKerasModel` then return a compiled model that resumes training. Only
   * what tfjs-layers can hold is accepted (see `training-config.ts`); anything else is an error.
   */
  readonly includeOptimizer?: boolean;
}

/** The artifacts of a built model, in tfjs `ModelArtifacts` shape (`tf.io.fromMemory` takes them). */
export function kerasArtifactsFromModel<T>(model: Model<T>, options: SaveKerasOptions = {}): KerasArtifacts {
  checkBuilt(model as Model<unknown>, 'saveKerasModel');
  if (!isObject(options))
    invalidArgument('saveKerasModel options', options, 'an object { includeOptimizer? }');
  const include = options.includeOptimizer ?? false;
  if (typeof include !== 'boolean')
    invalidArgument('saveKerasModel options.includeOptimizer', include, 'a boolean');
  const topology = {
    ...modelJson(model),
    keras_version: SEQMODEL_KERAS_VERSION,
    backend: 'seqmodel',
  };
  const data = model.getWeightData();
  const names = model.layers.flatMap((layer) => kerasWeightNames(layer));
  const encoded = encodeKerasWeights(data.map((d, i) => ({ name: names[i]!, data: d })));
  const training = include ? kerasOptimizerArtifacts(model, names) : undefined;
  return {
    modelTopology: topology,
    weightSpecs: training === undefined ? encoded.specs : [...encoded.specs, ...training.specs],
    weightData: training === undefined ? encoded.data : joinBuffers([encoded.data, training.data]),
    ...(training === undefined ? {} : { trainingConfig: training.trainingConfig }),
    format: 'layers-model',
    generatedBy: '@seqmodel/layers',
    convertedBy: null,
  };
}

/** The `model.json` document for artifacts whose weights are in one file, `weightsPath`. */
function kerasModelJson(artifacts: KerasArtifacts, weightsPath: string): KerasModelJson {
  return {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? '@seqmodel/layers',
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
    ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
  };
}

/**
 * Saves a built model as a Keras / tfjs-layers model: into the directory `target` (Node: `model.json` and
 * a `group1-shard1of1.<hash>.bin` weights file, written atomically; a path ending in `.json` names the JSON file itself), to a sink (any object with
 * `save(artifacts)`, tfjs `IOHandler`s included), or nowhere. Resolves to the artifacts either way.
 *
 * @example
 * await saveKerasModel(model, './exported');   // then in tfjs: tf.loadLayersModel('.../exported/model.json')
 * const artifacts = await saveKerasModel(model); // tf.loadLayersModel(tf.io.fromMemory(artifacts))
 */
export async function saveKerasModel<T>(
  model: Model<T>,
  target?: string | ArtifactsSink<KerasArtifacts>,
  options?: SaveKerasOptions,
): Promise<KerasArtifacts> {
  if (target !== undefined && typeof target !== 'string' && !isSink(target)) {
    invalidArgument(
      'saveKerasModel target',
      target,
      'a directory path, a path to model.json, an object with save(artifacts), or nothing',
    );
  }
  const artifacts = kerasArtifactsFromModel(model, options);
  if (typeof target === 'string') {
    const path = await import('node:path');
    const isJson = target.toLowerCase().endsWith('.json');
    const directory = isJson ? path.dirname(target) : target;
    const jsonName = isJson ? path.basename(target) : 'model.json';
    const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const weightsName = await contentName('group1-shard1of1', bytes);
    await writeIndexed(
      {
        directory,
        data: [{ name: weightsName, bytes }],
        index: {
          name: jsonName,
          text: `${JSON.stringify(kerasModelJson(artifacts, weightsName), null, 2)}\n`,
        },
        previousData: (previous) =>
          isObject(previous) && isObject(previous.modelTopology)
            ? dataFilesNamedBy(previous).filter((p) => KERAS_WEIGHTS_PATTERN.test(p))
            : [],
      },
      'saveKerasModel',
    );
  } else if (target !== undefined) {
    await target.save(artifacts);
  }
  return artifacts;
}
