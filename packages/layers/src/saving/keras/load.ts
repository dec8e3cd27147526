/**
 * `loadKerasModel`: a Keras / tfjs-layers model (`model.json` with its weight files) as a seqmodel model on any
 * backend. The model is rebuilt from its config (`import-model.ts`, `import-layer.ts` and the layers' mappings), then every weight is taken
 * from the file by order and checked against the layer's shape (`weights.ts`). Anything that cannot be loaded exactly
 * is an error naming the layer and the option; a failed load frees whatever it created.
 */
import { type Backend, invalidArgument, optionKeys, SeqmodelError } from '@seqmodel/core';
import type { Model } from '../../models/model.js';
import { checkLoadOptions } from '../files.js';
import { type KerasModelSource, type LoadedKerasArtifacts, readKerasArtifacts } from './artifacts.js';
import { detectDialect, modelFromKerasTopology } from './import-model.js';
import type { KerasDialect, UnknownKeyPolicy } from './option-reader.js';
import { restoreKerasTraining } from './training-config.js';
import { decodeKerasWeightGroups, matchKerasWeights } from './weights.js';

export interface LoadKerasOptions<T> {
  /** The backend the model runs on. */
  readonly backend: Backend<T>;
  /** Seed of the model's dropout stream in training (weights come from the file). Random when omitted. */
  readonly seed?: number | string;
  /**
   * Config keys this loader does not know, on layers it supports: `error` (default), since they might change what the
   * layer computes, or `ignore`.
   */
  readonly unknownConfigKeys?: UnknownKeyPolicy;
  /**
   * Which conventions the file follows, when `keras_version` does not tell (see the README): `tfjs`, `keras2`,
   * `keras3`. Decides `hard_sigmoid` and Bidirectional's outputs at masked steps.
   */
  readonly dialect?: KerasDialect;
  /**
   * Whether to compile the model from the file's `trainingConfig` (tfjs-layers' `includeOptimizer`) and restore its
   * optimizer's state, as tfjs-layers' `loadLayersModel` does. Default: when the file has one and it can be restored
   * (otherwise a warning says why and the model comes back uncompiled); `true`: an error when it cannot; `false`: never.
   */
  readonly compile?: boolean;
}

const LOAD_KERAS_KEYS = optionKeys<LoadKerasOptions<unknown>>({
  backend: true,
  seed: true,
  unknownConfigKeys: true,
  dialect: true,
  compile: true,
});

/** Builds the model from artifacts already in memory (see `loadKerasModel`). */
function modelFromKerasArtifacts<T>(artifacts: LoadedKerasArtifacts, options: LoadKerasOptions<T>): Model<T> {
  const dialect = options.dialect ?? detectDialect(artifacts.modelTopology, artifacts.generatedBy);
  if (!['tfjs', 'keras2', 'keras3'].includes(dialect)) {
    invalidArgument('loadKerasModel options.dialect', dialect, '"tfjs", "keras2" or "keras3"');
  }
  const unknownKeys = options.unknownConfigKeys ?? 'error';
  if (unknownKeys !== 'error' && unknownKeys !== 'ignore') {
    invalidArgument('loadKerasModel options.unknownConfigKeys', unknownKeys, '"error" or "ignore"');
  }
  const compile = options.compile;
  if (compile !== undefined && typeof compile !== 'boolean') {
    invalidArgument('loadKerasModel options.compile', compile, 'a boolean');
  }
  // Decode first: a bad weights buffer fails before any tensor exists.
  const decoded = decodeKerasWeightGroups(artifacts.weightSpecs, artifacts.weightData);
  const { model, layers } = modelFromKerasTopology(
    artifacts.modelTopology,
    { dialect, unknownKeys },
    { backend: options.backend, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  );
  try {
    model.setWeightsByName(matchKerasWeights(layers, decoded.model));
    if (compile === true && artifacts.trainingConfig === undefined) {
      throw new SeqmodelError(
        `loadKerasModel: ${artifacts.origin} has no trainingConfig (saved without includeOptimizer), so compile: true has nothing to restore`,
      );
    }
    if (compile !== false && artifacts.trainingConfig !== undefined) {
      try {
        restoreKerasTraining(
          model,
          artifacts.trainingConfig,
          decoded.optimizer,
          `loadKerasModel: ${artifacts.origin}`,
        );
      } catch (error) {
        if (compile === true) throw error;
        console.warn(
          `${(error as Error).message}; the model is loaded without compiling it (compile it yourself, or pass compile: false)`,
        );
      }
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * Loads a Keras / tfjs-layers model on `backend`.
 *
 * @param source - a path to `model.json` (or its directory) in Node, a URL (browsers: any string), tfjs
 *   `ModelArtifacts` in memory (`{ modelTopology, weightSpecs, weightData }`), `{ modelJson, weights }`, or an object
 *   with `load()` returning either (a tfjs `IOHandler` works).
 *
 * @example
 * const model = await loadKerasModel('./exported/model.json', { backend });
 * const probs = model.predict([[3, 8, 1, 0, 0]]); // nested arrays or backend tensors
 * console.log(backend.toArray(probs));
 */
export async function loadKerasModel<T>(
  source: KerasModelSource,
  options: LoadKerasOptions<T>,
): Promise<Model<T>> {
  checkLoadOptions('loadKerasModel', options, LOAD_KERAS_KEYS);
  return modelFromKerasArtifacts(await readKerasArtifacts(source), options);
}
