/**
 * The JSON documents of seqmodel's own format and their validation. A document is checked whole before anything is
 * read by it: every field present and of its type, offsets and lengths integers inside the weights buffer and not
 * overlapping, names unique, dtypes known, shapes matching byte lengths, the weights path inside the model's
 * directory. Errors name the field by its path (`model.json: weights.entries[2].offset`), what it held and what was
 * expected.
 *
 * `model.json`:
 * ```json
 * { "format": "seqmodel-layers", "formatVersion": 1, "generatedBy": "@seqmodel/layers",
 *   "model": { "className": "Sequential", "config": { ... } }, "seed": 42,
 *   "weights": { "path": "weights.0123456789abcdef.bin", "byteLength": 1234,
 *                "entries": [{ "name": "lstm/kernel", "shape": [3, 32], "dtype": "float32", "offset": 0, "byteLength": 384 }] },
 *   "training": { "optimizer": { "className": "Adam", "config": { ... } }, "iterations": 120,
 *                 "compile": { "loss": "mse", "metrics": ["mae"] },
 *                 "slots": [{ "variable": "lstm/kernel", "slot": "m", "shape": [3, 32], "dtype": "float32", "offset": 1234, "byteLength": 384 }] } }
 * ```
 * `training` (the optimizer, its state and the compile arguments) is there when the model was saved compiled. A
 * weights-only save (`saveWeights`) writes `weights.json`: `format` `seqmodel-weights` and `weights` alone.
 */
import type { SerializedModel } from '../../models/model.js';
import type { SerializedOptimizer } from '../../training/optimizers/serialization.js';
import { checkRelativePath } from '../files.js';
import { type ByteRange, checkRanges, DocumentChecker } from '../manifest-checks.js';
import { checkSerializedCompile, type SerializedCompile } from './compile-config.js';

export const MODEL_FORMAT = 'seqmodel-layers';
export const WEIGHTS_FORMAT = 'seqmodel-weights';
export const MODEL_FORMAT_VERSION = 1;
/** File names inside a saved model's directory. */
export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_JSON_FILE = 'weights.json';
/** The weights file's name before saves named it by content; still read, and replaced by later saves. */
export const LEGACY_WEIGHTS_FILE = 'weights.bin';
/** Weight files this format writes: `weights.<16 hex digits>.bin`, or the legacy name. */
export const WEIGHTS_FILE_PATTERN = /^weights(\.[0-9a-f]{16})?\.bin$/;

/** One weight's place in the weights buffer. */
export interface WeightsManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  /** Byte offset in the buffer. */
  readonly offset: number;
  readonly byteLength: number;
}

/** One optimizer slot's place in the weights buffer. */
export interface SlotManifestEntry {
  /** The weight the slot belongs to. */
  readonly variable: string;
  /** The slot's name (`m`, `v`, ...). */
  readonly slot: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  readonly offset: number;
  readonly byteLength: number;
}

/** The weights part of a document. */
export interface WeightsManifest {
  readonly path: string;
  readonly byteLength: number;
  readonly entries: readonly WeightsManifestEntry[];
}

/** What is needed to resume training: the optimizer, its state, and the compile arguments. */
export interface TrainingJSON {
  readonly optimizer: SerializedOptimizer;
  readonly iterations: number;
  readonly slots: readonly SlotManifestEntry[];
  /** Absent when the model was compiled with arguments that cannot be saved. */
  readonly compile?: SerializedCompile;
}

/** The JSON half of a saved model. */
export interface ModelJSON {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  readonly generatedBy: string;
  readonly model: SerializedModel;
  /** The model's seed (drives its default dropout stream after loading). */
  readonly seed: number | string;
  readonly weights: WeightsManifest;
  readonly training?: TrainingJSON;
}

/** The JSON half of saved weights (`saveWeights`). */
export interface WeightsJSON {
  readonly format: typeof WEIGHTS_FORMAT;
  readonly formatVersion: number;
  readonly generatedBy: string;
  readonly weights: WeightsManifest;
}

const DTYPES = ['float32'] as const;

/** Checks `format` and `formatVersion`, which decide how the rest is read. */
function checkFormat(check: DocumentChecker, doc: Record<string, unknown>, expected: string): void {
  if (doc.format !== expected) {
    const hint =
      doc.format === undefined && 'modelTopology' in doc
        ? ' (a Keras / tfjs-layers model.json: load it with loadKerasModel)'
        : doc.format === MODEL_FORMAT
          ? ' (a whole model: load it with loadModel)'
          : doc.format === WEIGHTS_FORMAT
            ? ' (weights only: load them into a model with loadWeights)'
            : doc.format === 'layers-model' || doc.format === 'graph-model'
              ? ' (a tfjs model: load layers models with loadKerasModel)'
              : '';
    check.fail('format', doc.format, `${JSON.stringify(expected)}${hint}`);
  }
  if (doc.formatVersion !== MODEL_FORMAT_VERSION) {
    check.fail(
      'formatVersion',
      doc.formatVersion,
      `${MODEL_FORMAT_VERSION} (the version this release reads)`,
    );
  }
}

/** Checks one `{ shape, dtype, offset, byteLength }` entry; returns its byte range. */
function checkPlacement(check: DocumentChecker, field: string, entry: Record<string, unknown>): ByteRange {
  check.oneOf(`${field}.dtype`, entry.dtype, DTYPES);
  const size = check.shape(`${field}.shape`, entry.shape, 4);
  const offset = check.integer(`${field}.offset`, entry.offset);
  const byteLength = check.integer(`${field}.byteLength`, entry.byteLength);
  if (byteLength !== size * 4) {
    check.fail(
      `${field}.byteLength`,
      byteLength,
      `${size * 4} (4 bytes for each of the ${size} float32 entries of shape [${(entry.shape as number[]).join(', ')}])`,
    );
  }
  return { field, offset, byteLength };
}

function checkWeights(
  check: DocumentChecker,
  value: unknown,
): { manifest: WeightsManifest; ranges: ByteRange[] } {
  const weights = check.object('weights', value, ['path', 'byteLength', 'entries']);
  checkRelativePathField(check, 'weights.path', weights.path);
  check.integer('weights.byteLength', weights.byteLength);
  const entries = check.array('weights.entries', weights.entries);
  const ranges = entries.map((e, i) => {
    const field = `weights.entries[${i}]`;
    const entry = check.object(field, e, ['name', 'shape', 'dtype', 'offset', 'byteLength']);
    check.string(`${field}.name`, entry.name);
    return checkPlacement(check, field, entry);
  });
  check.unique(
    'weight name',
    entries.map((e, i) => ({ field: `weights.entries[${i}].name`, value: (e as { name: string }).name })),
  );
  return { manifest: weights as unknown as WeightsManifest, ranges };
}

function checkRelativePathField(check: DocumentChecker, field: string, value: unknown): void {
  try {
    checkRelativePath(field, value);
  } catch {
    check.fail(field, value, 'a file name inside the model directory (relative, "/"-separated, no "..")');
  }
}

function checkTraining(
  check: DocumentChecker,
  value: unknown,
): { training: TrainingJSON; ranges: ByteRange[] } {
  const training = check.object('training', value, ['optimizer', 'iterations', 'slots'], ['compile']);
  const optimizer = check.object('training.optimizer', training.optimizer, ['className', 'config']);
  check.string('training.optimizer.className', optimizer.className);
  check.object('training.optimizer.config', optimizer.config, [], [], true);
  check.integer('training.iterations', training.iterations);
  const slots = check.array('training.slots', training.slots);
  const ranges = slots.map((s, i) => {
    const field = `training.slots[${i}]`;
    const slot = check.object(field, s, ['variable', 'slot', 'shape', 'dtype', 'offset', 'byteLength']);
    check.string(`${field}.variable`, slot.variable);
    check.string(`${field}.slot`, slot.slot);
    return checkPlacement(check, field, slot);
  });
  check.unique(
    'slot',
    slots.map((s, i) => {
      const slot = s as { variable: string; slot: string };
      return { field: `training.slots[${i}]`, value: `${slot.variable}:${slot.slot}` };
    }),
  );
  if (training.compile !== undefined) checkSerializedCompile(check, 'training.compile', training.compile);
  return { training: training as unknown as TrainingJSON, ranges };
}

/**
 * Checks a whole `model.json` document; `where` names it in errors (`loadModel: /models/a/model.json`). Offsets are
 * checked against `weights.byteLength`; the caller checks that against the buffer or file.
 */
export function checkModelJSON(value: unknown, where: string): ModelJSON {
  const check: DocumentChecker = new DocumentChecker(where);
  // The format first: it tells what the rest should be (and which loader a document of another format needs).
  const doc = check.object('', value, [], [], true);
  checkFormat(check, doc, MODEL_FORMAT);
  check.object('', doc, ['format', 'formatVersion', 'model', 'seed', 'weights'], ['generatedBy', 'training']);
  if (doc.generatedBy !== undefined) check.string('generatedBy', doc.generatedBy);
  const model = check.object('model', doc.model, ['className', 'config']);
  check.string('model.className', model.className);
  check.object('model.config', model.config, [], [], true);
  if (typeof doc.seed !== 'string') check.integer('seed', doc.seed, Number.MIN_SAFE_INTEGER);
  const { ranges } = checkWeights(check, doc.weights);
  if (doc.training !== undefined) ranges.push(...checkTraining(check, doc.training).ranges);
  checkRanges(check, ranges, (doc.weights as WeightsManifest).byteLength);
  return doc as unknown as ModelJSON;
}

/** Checks a whole `weights.json` document (see `checkModelJSON`). */
export function checkWeightsJSON(value: unknown, where: string): WeightsJSON {
  const check: DocumentChecker = new DocumentChecker(where);
  const doc = check.object('', value, [], [], true);
  checkFormat(check, doc, WEIGHTS_FORMAT);
  check.object('', doc, ['format', 'formatVersion', 'weights'], ['generatedBy']);
  if (doc.generatedBy !== undefined) check.string('generatedBy', doc.generatedBy);
  const { ranges } = checkWeights(check, doc.weights);
  checkRanges(check, ranges, (doc.weights as WeightsManifest).byteLength);
  return doc as unknown as WeightsJSON;
}
