/**
 * seqmodel's own model format in memory: a JSON document (the model's config, a manifest of its weights, and when the
 * model was compiled its optimizer, the optimizer's state and the compile arguments; see `manifest.ts`) and one binary
 * buffer (every weight and optimizer slot as float32 little-endian). Loading rebuilds the model from the config on a
 * backend and sets every weight by name, so predictions are identical to the saved model's on the same backend; with
 * the optimizer state restored, training resumes exactly where it stopped. Carried states of stateful layers and
 * streams are not saved (as Keras).
 */
import { type Backend, invalidArgument, optionKeys, SeqmodelError, shapesEqual } from '@seqmodel/core';
import { deserializeLayer } from '../../engine/registry.js';
import { Functional } from '../../models/functional.js';
import type { Model, SerializedModel } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import type { CompileArgs } from '../../training/compile.js';
import { getOptimizer } from '../../training/optimizers/index.js';
import { deserializeOptimizer, serializeOptimizer } from '../../training/optimizers/serialization.js';
import { checkLoadOptions, isObject, packFloat32 } from '../files.js';
import { DocumentChecker } from '../manifest-checks.js';
import { deserializeCompile, serializeCompile } from './compile-config.js';
import {
  checkModelJSON,
  checkWeightsJSON,
  LEGACY_WEIGHTS_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelJSON,
  type SlotManifestEntry,
  type TrainingJSON,
  WEIGHTS_FORMAT,
  type WeightsJSON,
  type WeightsManifest,
  type WeightsManifestEntry,
} from './manifest.js';

/** A saved model in memory: what `saveModel` writes and `loadModel` reads. */
export interface ModelArtifacts {
  readonly modelJSON: ModelJSON;
  /** The weights and optimizer slots, float32 little-endian (see `modelJSON.weights.entries`, `training.slots`). */
  readonly weightData: ArrayBuffer;
}

/** Saved weights in memory: what `saveWeights` writes and `loadWeights` reads. */
export interface WeightsArtifacts {
  readonly weightsJSON: WeightsJSON;
  readonly weightData: ArrayBuffer;
}

/** Options of `saveModel` (and of `serializeModel`). */
export interface SaveModelOptions {
  /**
   * Save the optimizer, its state (step count, moments, accumulators) and the compile arguments, so that `loadModel`
   * returns a compiled model that resumes training exactly (Keras' `include_optimizer`). Default: when the model is
   * compiled. `true` on a model that is not compiled is an error.
   */
  readonly includeOptimizer?: boolean;
}

/** Options of `loadModel` (and of `deserializeModel`). */
export interface LoadModelOptions<T> {
  /** The backend the model runs on. */
  readonly backend: Backend<T>;
  /**
   * `true` (default): when the model was saved with its optimizer, compile it again and restore the optimizer's state
   * (Keras' `compile=True`); `false`: load the model uncompiled; an object: compile it with these arguments, each
   * replacing the saved one (custom losses and metrics, saved by name only, are given here; a given optimizer gets the
   * saved state).
   */
  readonly compile?: boolean | Partial<CompileArgs>;
}

export const LOAD_MODEL_KEYS = optionKeys<LoadModelOptions<unknown>>({ backend: true, compile: true });

/**
 * Throws unless `model` is a built model: an unbuilt one has no weights to save (`load: false`) or to load into
 * (`load: true`).
 */
export function checkBuilt(model: Model<unknown>, what: string, load = false): void {
  if (!isObject(model) || typeof model.toJSON !== 'function') {
    invalidArgument(`${what} model`, model, 'a seqmodel model');
  }
  if (!model.built) {
    throw new SeqmodelError(
      load
        ? `${what}: ${model.describe()} is not built, so it has no weights to load into (expected a built model); build it first (give inputShape, call build(), or run it once)`
        : `${what}: ${model.describe()} is not built, so it has no weights to save (expected a built model); build it first (give inputShape, call build(), or run it once); nothing was written`,
    );
  }
}

/** The packed buffer and manifest entries of `arrays`, with a place for each. */
function pack<E>(
  items: readonly { readonly values: ArrayLike<number>; readonly shape: readonly number[] }[],
  entry: (index: number, offset: number, byteLength: number) => E,
): { buffer: ArrayBuffer; entries: E[] } {
  const { buffer, offsets } = packFloat32(items.map((w) => w.values));
  return { buffer, entries: items.map((w, i) => entry(i, offsets[i]!, 4 * w.values.length)) };
}

/** The model's config, weights and (see `SaveModelOptions`) optimizer as artifacts; the model must be built. */
export function serializeModel<T>(
  model: Model<T>,
  options: SaveModelOptions = {},
  what = 'saveModel',
): ModelArtifacts {
  checkBuilt(model as Model<unknown>, what);
  if (!isObject(options)) invalidArgument(`${what} options`, options, 'an object { includeOptimizer? }');
  const include = options.includeOptimizer ?? model.compiled;
  if (typeof include !== 'boolean') invalidArgument(`${what} options.includeOptimizer`, include, 'a boolean');
  if (include && !model.compiled) {
    throw new SeqmodelError(
      `${what} options.includeOptimizer: ${model.describe()} is not compiled, so it has no optimizer to save (expected a compiled model); compile it or leave includeOptimizer out`,
    );
  }
  const weights = model.getWeightData();
  const state = include ? model.optimizer.getState(model.trainableWeights) : undefined;
  const slots = state?.slots ?? [];
  const { buffer, entries } = pack([...weights, ...slots], (i, offset, byteLength) => ({
    shape: [...(i < weights.length ? weights[i]! : slots[i - weights.length]!).shape],
    dtype: 'float32' as const,
    offset,
    byteLength,
  }));
  const weightEntries: WeightsManifestEntry[] = weights.map((w, i) => ({ name: w.name, ...entries[i]! }));
  const training: TrainingJSON | undefined =
    state === undefined
      ? undefined
      : {
          optimizer: serializeOptimizer(model.optimizer, `${what}: the optimizer`),
          iterations: state.iterations,
          ...(model.compileArgs === undefined ? {} : { compile: serializeCompile(model.compileArgs) }),
          slots: slots.map(
            (s, i): SlotManifestEntry => ({
              variable: s.variable,
              slot: s.slot,
              ...entries[weights.length + i]!,
            }),
          ),
        };
  return {
    modelJSON: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      generatedBy: '@seqmodel/layers',
      model: model.toJSON(),
      seed: model.seed,
      weights: { path: LEGACY_WEIGHTS_FILE, byteLength: buffer.byteLength, entries: weightEntries },
      ...(training === undefined ? {} : { training }),
    },
    weightData: buffer,
  };
}

/** The weights of a built model as artifacts (no config, no optimizer). */
export function serializeWeights<T>(model: Model<T>, what = 'saveWeights'): WeightsArtifacts {
  checkBuilt(model as Model<unknown>, what);
  const weights = model.getWeightData();
  const { buffer, entries } = pack(weights, (i, offset, byteLength) => ({
    name: weights[i]!.name,
    shape: [...weights[i]!.shape],
    dtype: 'float32' as const,
    offset,
    byteLength,
  }));
  return {
    weightsJSON: {
      format: WEIGHTS_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      generatedBy: '@seqmodel/layers',
      weights: { path: LEGACY_WEIGHTS_FILE, byteLength: buffer.byteLength, entries },
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

/** Checks that `data` is an ArrayBuffer of exactly the bytes `manifest` declares. */
function checkData(data: unknown, manifest: WeightsManifest, where: string, field: string): ArrayBuffer {
  if (!(data instanceof ArrayBuffer)) invalidArgument(`${where} ${field}`, data, 'an ArrayBuffer');
  if (data.byteLength !== manifest.byteLength) {
    throw new SeqmodelError(
      `${where}: weights.byteLength: the manifest declares ${manifest.byteLength} bytes, ${field} has ${data.byteLength}; expected the two to agree (truncated or mismatched weights?)`,
    );
  }
  return data;
}

/** The float32 values of one checked entry. */
function read(view: DataView, entry: { readonly offset: number; readonly byteLength: number }): Float32Array {
  const out = new Float32Array(entry.byteLength / 4);
  for (let k = 0; k < out.length; k++) out[k] = view.getFloat32(entry.offset + 4 * k, true);
  return out;
}

/**
 * Sets `model`'s weights from checked entries: every weight of the model must be there, by name, with its shape, and
 * nothing else (errors name the entry). Values were read before, so a failure changes nothing.
 */
function setWeightsFrom<T>(
  model: Model<T>,
  manifest: WeightsManifest,
  view: DataView,
  where: string,
  field: string,
): void {
  const check: DocumentChecker = new DocumentChecker(where);
  const byName = new Map(model.weights.map((w) => [w.name, w]));
  const values = new Map<string, Float32Array>();
  manifest.entries.forEach((entry, i) => {
    const w = byName.get(entry.name);
    if (w === undefined) {
      check.fail(
        `${field}[${i}].name`,
        entry.name,
        `the name of a weight of ${model.describe()} (${[...byName.keys()].join(', ')})`,
      );
    }
    if (!shapesEqual(entry.shape, w.shape)) {
      check.fail(
        `${field}[${i}].shape`,
        entry.shape,
        `[${w.shape.join(', ')}], the shape of ${w.name} in the model's config`,
      );
    }
    values.set(entry.name, read(view, entry));
  });
  const missing = [...byName.keys()].filter((name) => !values.has(name));
  if (missing.length > 0) {
    check.error(
      field,
      `no entry for ${missing.join(', ')} (the model has ${byName.size} weights, the file ${manifest.entries.length})`,
    );
  }
  model.setWeightsByName(values);
}

/** Compiles a loaded model and restores its optimizer as `options.compile` says (see `LoadModelOptions`). */
function restoreTraining<T>(
  model: Model<T>,
  training: TrainingJSON | undefined,
  compile: LoadModelOptions<T>['compile'],
  view: DataView,
  what: string,
  where: string,
): void {
  if (compile === false) return;
  if (compile !== undefined && compile !== true && !isObject(compile)) {
    invalidArgument(
      `${what} options.compile`,
      compile,
      'a boolean or compile arguments { loss, metrics, optimizer }',
    );
  }
  const given: Partial<CompileArgs> = isObject(compile) ? compile : {};
  if (training === undefined) {
    if (compile === true) {
      throw new SeqmodelError(
        `${where}: the model was saved without its optimizer (not compiled, or includeOptimizer: false), so compile: true has nothing to restore; pass compile arguments instead`,
      );
    }
    if (isObject(compile)) model.compile(compile as CompileArgs);
    return;
  }
  const check: DocumentChecker = new DocumentChecker(where);
  const variables = new Map(model.trainableWeights.map((w) => [w.name, w]));
  training.slots.forEach((s, i) => {
    const w = variables.get(s.variable);
    if (w === undefined) {
      check.fail(
        `training.slots[${i}].variable`,
        s.variable,
        `a trainable weight of ${model.describe()} (${[...variables.keys()].join(', ')})`,
      );
    }
    if (!shapesEqual(s.shape, w.shape))
      check.fail(`training.slots[${i}].shape`, s.shape, `[${w.shape.join(', ')}], the shape of ${w.name}`);
  });
  if (training.compile === undefined && given.loss === undefined) {
    throw new SeqmodelError(
      `${where}: training.compile is absent (the compile arguments could not be saved); pass them in options.compile ({ loss, metrics }), or compile: false`,
    );
  }
  const optimizer =
    given.optimizer === undefined
      ? deserializeOptimizer(training.optimizer, `${where}: training.optimizer`)
      : getOptimizer(given.optimizer, `${what} options.compile.optimizer`);
  const args =
    training.compile === undefined
      ? (given as CompileArgs)
      : deserializeCompile(training.compile, given, where);
  model.compile({ ...args, optimizer });
  optimizer.setState(model.backend, model.trainableWeights, {
    iterations: training.iterations,
    slots: training.slots.map((s) => ({
      variable: s.variable,
      slot: s.slot,
      shape: s.shape,
      values: read(view, s),
    })),
  });
}

/**
 * A model from artifacts, on `options.backend`, with the saved weights and (see `LoadModelOptions`) its optimizer.
 * The document is checked whole before anything is built; a failure frees whatever was created. `where` names the
 * document in errors (`loadModel: /models/a/model.json`).
 */
export function deserializeModel<T>(
  artifacts: ModelArtifacts,
  options: LoadModelOptions<T>,
  what = 'loadModel',
  origin = 'artifacts.modelJSON',
): Model<T> {
  if (!isObject(artifacts))
    invalidArgument(`${what} artifacts`, artifacts, 'an object { modelJSON, weightData }');
  checkLoadOptions(what, options, LOAD_MODEL_KEYS);
  const where = `${what}: ${origin}`;
  const json = checkModelJSON(artifacts.modelJSON, where);
  const data = checkData(artifacts.weightData, json.weights, where, 'weightData');
  const view = new DataView(data);
  const model = modelFromJSON(json.model, { backend: options.backend, seed: json.seed });
  try {
    setWeightsFrom(model, json.weights, view, where, 'weights.entries');
    restoreTraining(model, json.training, options.compile, view, what, where);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Sets `model`'s weights from weights artifacts (checked whole first; a failure changes nothing). */
export function deserializeWeights<T>(
  model: Model<T>,
  artifacts: WeightsArtifacts,
  origin = 'artifacts.weightsJSON',
): void {
  checkBuilt(model as Model<unknown>, 'loadWeights', true);
  if (!isObject(artifacts))
    invalidArgument('loadWeights artifacts', artifacts, 'an object { weightsJSON, weightData }');
  const where = `loadWeights: ${origin}`;
  const json = checkWeightsJSON(artifacts.weightsJSON, where);
  const data = checkData(artifacts.weightData, json.weights, where, 'weightData');
  setWeightsFrom(model, json.weights, new DataView(data), where, 'weights.entries');
}
