/**
 * Keras / tfjs-layers model artifacts: the tfjs "layers-model" `model.json` (`modelTopology` holding the Keras model
 * config, `weightsManifest` listing each weight's name, shape and dtype and the files holding them) and the weights,
 * little-endian and back to back across the shard files in manifest order. This module reads them from wherever they
 * are (a Node path, a URL, tfjs `ModelArtifacts` in memory, `{ modelJson, weights }`, or a source with `load()`) into
 * one in-memory shape, and holds the types the loader and saver share.
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import { readIndexed } from '../atomic-write.js';
import {
  type ArtifactsSource,
  type CheckedFile,
  checkRelativePath,
  fetchBytes,
  isDirectory,
  isNode,
  isObject,
  isSource,
  isUrl,
  MAX_JSON_BYTES,
  parseJson,
  readExactly,
  statInside,
  toArrayBuffer,
} from '../files.js';
import { DocumentChecker } from '../manifest-checks.js';

/** Keras version string seqmodel writes in its exports (`loadKerasModel` reads them with tfjs-layers conventions). */
export const SEQMODEL_KERAS_VERSION_PREFIX = 'seqmodel-layers';

/** How a weight is quantized in the file (tfjs converter's `--quantize_*` options). */
export interface KerasQuantization {
  readonly dtype: 'uint8' | 'uint16' | 'float16';
  readonly scale?: number;
  readonly min?: number;
}

/** One weight in a manifest: tfjs `WeightsManifestEntry`. */
export interface KerasWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: KerasQuantization;
  /** `optimizer` for optimizer state that some savers append; such weights are skipped on load. */
  readonly group?: string;
}

/** One group of the manifest: the files holding its weights, in order. */
export interface KerasWeightsGroup {
  readonly paths: readonly string[];
  readonly weights: readonly KerasWeightSpec[];
}

/** A `model.json` file of the tfjs layers-model format. */
export interface KerasModelJson {
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  readonly modelTopology: Record<string, unknown>;
  readonly weightsManifest: readonly KerasWeightsGroup[];
  readonly [key: string]: unknown;
}

/**
 * Artifacts in memory, in the shape of tfjs' `ModelArtifacts`: what `saveKerasModel` writes to sinks and returns, and
 * what tfjs `IOHandler`s (`tf.io.fromMemory`, `tf.io.withSaveHandler`) exchange.
 */
export interface KerasArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly weightSpecs: readonly KerasWeightSpec[];
  /** The weights of every spec, back to back (several buffers are joined in order). */
  readonly weightData: ArrayBuffer | readonly ArrayBuffer[];
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
  /** tfjs-layers' `trainingConfig` (loss, metrics, optimizer), written with `includeOptimizer`. */
  readonly trainingConfig?: unknown;
}

/** A `model.json` with its weight files in memory. */
export interface KerasModelFiles {
  /** The `model.json` document, parsed or as text. */
  readonly modelJson: KerasModelJson | string;
  /**
   * The weight files: one buffer (all of them joined), an array (the manifest's paths in order), or a map / record
   * from the manifest's paths to their contents.
   */
  readonly weights:
    | ArrayBuffer
    | ArrayBufferView
    | readonly (ArrayBuffer | ArrayBufferView)[]
    | ReadonlyMap<string, ArrayBuffer | ArrayBufferView>
    | Readonly<Record<string, ArrayBuffer | ArrayBufferView>>;
}

/** Everything `loadKerasModel` reads from. */
export type KerasModelSource =
  | string
  | URL
  | KerasArtifacts
  | KerasModelFiles
  | ArtifactsSource<KerasArtifacts | KerasModelFiles>;

/** Artifacts normalized for loading: one buffer. */
export interface LoadedKerasArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly weightSpecs: readonly KerasWeightSpec[];
  readonly weightData: ArrayBuffer;
  /** Read when the topology has no `keras_version` (see `detectDialect`). */
  readonly generatedBy?: string;
  /** tfjs-layers' `trainingConfig`, when the file has one. */
  readonly trainingConfig?: unknown;
  /** Where the artifacts came from, for errors. */
  readonly origin: string;
}

const WHAT = 'loadKerasModel';

/** Joins buffers into one. */
export function joinBuffers(buffers: readonly ArrayBuffer[]): ArrayBuffer {
  if (buffers.length === 1) return buffers[0]!;
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

const DTYPES = ['float32', 'int32'] as const;
const QUANTIZED = ['uint8', 'uint16', 'float16'] as const;

/** Bytes per entry of a checked spec. */
function bytesPerEntry(spec: KerasWeightSpec): number {
  const q = spec.quantization?.dtype;
  return q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : 4;
}

/**
 * Checks one weight spec (tfjs `WeightsManifestEntry`) whole: name, shape, a known dtype, a quantization with what it
 * needs, nothing unknown. Returns its size in bytes.
 */
function checkSpec(check: DocumentChecker, field: string, value: unknown): number {
  const spec = check.object(field, value, ['name', 'shape', 'dtype'], ['quantization', 'group']);
  check.string(`${field}.name`, spec.name);
  if (spec.dtype !== undefined && !(DTYPES as readonly unknown[]).includes(spec.dtype)) {
    check.fail(
      `${field}.dtype`,
      spec.dtype,
      `one of ${DTYPES.map((d) => JSON.stringify(d)).join(', ')} (weights of other dtypes cannot be loaded)`,
    );
  }
  if (spec.group !== undefined) check.string(`${field}.group`, spec.group);
  if (spec.quantization !== undefined) {
    const q = check.object(
      `${field}.quantization`,
      spec.quantization,
      ['dtype'],
      ['scale', 'min', 'original_dtype'],
    );
    const dtype = check.oneOf(`${field}.quantization.dtype`, q.dtype, QUANTIZED);
    if (dtype !== 'float16') {
      check.number(`${field}.quantization.scale`, q.scale);
      check.number(`${field}.quantization.min`, q.min);
    }
  }
  const bytes = bytesPerEntry(spec as unknown as KerasWeightSpec);
  return check.shape(`${field}.shape`, spec.shape, bytes) * bytes;
}

/** Checks specs and that their names are unique; returns the bytes they take in all. */
function checkSpecs(check: DocumentChecker, specs: readonly { field: string; value: unknown }[]): number {
  let total = 0;
  for (const { field, value } of specs) total += checkSpec(check, field, value);
  if (!Number.isSafeInteger(total))
    check.error('weights', `the weights take ${total} bytes, more than can be loaded`);
  check.unique(
    'weight name',
    specs.map(({ field, value }) => ({ field: `${field}.name`, value: (value as { name: string }).name })),
  );
  return total;
}

function checkFormat(format: unknown, origin: string): void {
  if (format === undefined || format === null || format === 'layers-model') return;
  if (format === 'graph-model') {
    throw new SeqmodelError(
      `${WHAT}: ${origin} is a tfjs graph model (format "graph-model", a converted SavedModel); only Keras / tfjs-layers models (format "layers-model") can be loaded`,
    );
  }
  if (format === 'seqmodel-layers') {
    throw new SeqmodelError(`${WHAT}: ${origin} is in seqmodel's own format; load it with loadModel`);
  }
  throw new SeqmodelError(`${WHAT}: ${origin} has format ${JSON.stringify(format)}; expected "layers-model"`);
}

/** A checked model.json, with the weight file paths in manifest order and the bytes its weights take. */
interface CheckedModelJson {
  readonly json: KerasModelJson;
  readonly paths: readonly string[];
  readonly bytes: number;
}

/**
 * Checks a whole `model.json` before anything is read by it: the format, a topology, and a manifest whose groups list
 * paths inside the model's directory (relative, no `..`, none twice) and weight specs that are whole and unique.
 */
function checkModelJson(json: unknown, origin: string): CheckedModelJson {
  if (!isObject(json) || Array.isArray(json))
    throw new SeqmodelError(`${WHAT}: ${origin} is not a JSON object`);
  checkFormat(json.format, origin);
  if (!isObject(json.modelTopology)) {
    throw new SeqmodelError(
      `${WHAT}: ${origin} has no modelTopology object (expected a tfjs layers-model model.json${json.format === undefined ? '' : `, received format ${JSON.stringify(json.format)}`})`,
    );
  }
  const check: DocumentChecker = new DocumentChecker(`${WHAT}: ${origin}`);
  const manifest = check.array('weightsManifest', json.weightsManifest ?? []);
  const paths: { field: string; value: string }[] = [];
  const specs: { field: string; value: unknown }[] = [];
  manifest.forEach((g, i) => {
    const field = `weightsManifest[${i}]`;
    const group = check.object(field, g, ['paths', 'weights']);
    check.array(`${field}.paths`, group.paths).forEach((p, k) => {
      const pathField = `${field}.paths[${k}]`;
      try {
        checkRelativePath(pathField, p);
      } catch {
        check.fail(pathField, p, 'a file name inside the model directory (relative, "/"-separated, no "..")');
      }
      paths.push({ field: pathField, value: p as string });
    });
    check.array(`${field}.weights`, group.weights).forEach((w, k) => {
      specs.push({ field: `${field}.weights[${k}]`, value: w });
    });
  });
  check.unique('weight file', paths);
  const bytes = checkSpecs(check, specs);
  return {
    json: { ...json, weightsManifest: manifest } as unknown as KerasModelJson,
    paths: paths.map((p) => p.value),
    bytes,
  };
}

/** The artifacts of a checked model.json whose weight files (in manifest order) hold `buffers`. */
function loaded(
  { json, bytes }: CheckedModelJson,
  buffers: readonly ArrayBuffer[],
  origin: string,
): LoadedKerasArtifacts {
  const data = joinBuffers(buffers);
  checkTotal(bytes, data.byteLength, origin);
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((group) => [...group.weights]),
    weightData: data,
    ...(json.generatedBy === undefined ? {} : { generatedBy: json.generatedBy }),
    ...(json.trainingConfig === undefined || json.trainingConfig === null
      ? {}
      : { trainingConfig: json.trainingConfig }),
    origin,
  };
}

/** Throws unless the weight files hold exactly the bytes the manifest's weights take. */
function checkTotal(declared: number, actual: number, origin: string, files = ''): void {
  if (declared !== actual) {
    throw new SeqmodelError(
      `${WHAT}: ${origin}: weightsManifest: the weights take ${declared} bytes, the weight files hold ${actual}${files}; expected the two to agree (truncated or mismatched weight files?)`,
    );
  }
}

/**
 * Reads a model.json and its weight files from a Node path. Every weight file must lie inside the model.json's
 * directory and be a regular file; their sizes are checked against the manifest before any is read.
 */
async function fromPath(filePath: string): Promise<LoadedKerasArtifacts> {
  const path = await import('node:path');
  const jsonPath = (await isDirectory(filePath)) ? path.join(filePath, 'model.json') : filePath;
  const directory = path.dirname(jsonPath);
  return readIndexed(jsonPath, WHAT, async (text) => {
    const checked = checkModelJson(parseJson(text, jsonPath, WHAT), jsonPath);
    const files: CheckedFile[] = [];
    for (const [k, p] of checked.paths.entries()) {
      files.push(await statInside(directory, p, `${jsonPath}: weight file ${k} (${p})`, WHAT));
    }
    const sizes = files.map((f, k) => `${checked.paths[k]}: ${f.size}`).join(', ');
    checkTotal(
      checked.bytes,
      files.reduce((n, f) => n + f.size, 0),
      jsonPath,
      ` (${sizes})`,
    );
    const buffers: ArrayBuffer[] = [];
    for (const f of files) buffers.push(await readExactly(f.path, f.size, WHAT));
    return loaded(checked, buffers, jsonPath);
  });
}

/** `p` resolved against the model.json's URL; it must stay on the same origin and under the model.json's folder. */
function resolveUrl(p: string, base: URL, field: string): URL {
  const url = new URL(p, base);
  const folder = base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1);
  if (url.origin !== base.origin || !url.pathname.startsWith(folder)) {
    throw new SeqmodelError(
      `${WHAT}: ${base.href}: ${field}: ${JSON.stringify(p)} resolves to ${url.href}, outside ${base.origin}${folder}; expected a file beside the model.json`,
    );
  }
  return url;
}

async function fromUrl(url: string | URL): Promise<LoadedKerasArtifacts> {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const base = new URL(String(url), page);
  const text = new TextDecoder().decode(await fetchBytes(base, WHAT, MAX_JSON_BYTES));
  const checked = checkModelJson(parseJson(text, base.href, WHAT), base.href);
  const urls = checked.paths.map((p, k) => resolveUrl(p, base, `weight file ${k}`));
  const buffers: ArrayBuffer[] = [];
  let remaining = checked.bytes;
  for (const u of urls) {
    // No file may hold more than the bytes still expected: a server cannot make this read without end.
    const bytes = await fetchBytes(u, WHAT, remaining);
    remaining -= bytes.byteLength;
    buffers.push(bytes);
  }
  return loaded(checked, buffers, base.href);
}

function fromFiles(files: KerasModelFiles): LoadedKerasArtifacts {
  const origin = 'modelJson';
  const raw =
    typeof files.modelJson === 'string' ? parseJson(files.modelJson, origin, WHAT) : files.modelJson;
  const checked = checkModelJson(raw, origin);
  const paths = checked.paths;
  const weights = files.weights;
  let buffers: ArrayBuffer[];
  if (weights instanceof ArrayBuffer || ArrayBuffer.isView(weights)) {
    buffers = [toArrayBuffer(weights, `${WHAT} weights`)];
  } else if (Array.isArray(weights)) {
    if (weights.length !== paths.length) {
      throw new SeqmodelError(
        `${WHAT} weights: the manifest lists ${paths.length} weight files (${paths.join(', ')}), received ${weights.length} buffers`,
      );
    }
    buffers = weights.map((w, i) => toArrayBuffer(w, `${WHAT} weights[${i}]`));
  } else if (isObject(weights)) {
    // Own entries only: a path such as "constructor" must not find Object.prototype's.
    const lookup =
      weights instanceof Map
        ? (p: string) => weights.get(p)
        : (p: string) =>
            Object.hasOwn(weights, p)
              ? (weights as Record<string, ArrayBuffer | ArrayBufferView>)[p]
              : undefined;
    buffers = paths.map((p) => {
      const data = lookup(p) ?? lookup(p.split('/').pop()!);
      if (data === undefined) {
        throw new SeqmodelError(
          `${WHAT} weights: no contents for the weight file ${JSON.stringify(p)}; expected an entry for every path of the manifest`,
        );
      }
      return toArrayBuffer(data, `${WHAT} weights[${JSON.stringify(p)}]`);
    });
  } else {
    invalidArgument(
      `${WHAT} weights`,
      weights,
      'an ArrayBuffer, an array of them (one per weight file) or a map from file paths to them',
    );
  }
  return loaded(checked, buffers, origin);
}

function fromArtifacts(artifacts: KerasArtifacts, origin: string): LoadedKerasArtifacts {
  checkFormat(artifacts.format, origin);
  const topology = artifacts.modelTopology as unknown;
  if (topology instanceof ArrayBuffer) {
    throw new SeqmodelError(
      `${WHAT}: ${origin} holds a binary modelTopology (a tfjs graph model); only Keras / tfjs-layers models can be loaded`,
    );
  }
  if (!isObject(topology)) invalidArgument(`${WHAT} ${origin}.modelTopology`, topology, 'an object');
  const specs = artifacts.weightSpecs ?? [];
  const check: DocumentChecker = new DocumentChecker(`${WHAT}: ${origin}`);
  const declared = checkSpecs(
    check,
    check.array('weightSpecs', specs).map((value, i) => ({ field: `weightSpecs[${i}]`, value })),
  );
  const data = artifacts.weightData;
  let buffer: ArrayBuffer;
  if (data === undefined || data === null) {
    if (specs.length > 0) {
      throw new SeqmodelError(
        `${WHAT}: ${origin} lists ${specs.length} weights but has no weightData (a model.json without its weight files?)`,
      );
    }
    buffer = new ArrayBuffer(0);
  } else if (Array.isArray(data)) {
    buffer = joinBuffers(data.map((b, i) => toArrayBuffer(b, `${WHAT} ${origin}.weightData[${i}]`)));
  } else {
    buffer = toArrayBuffer(data as ArrayBuffer, `${WHAT} ${origin}.weightData`);
  }
  checkTotal(declared, buffer.byteLength, origin);
  return {
    modelTopology: topology,
    weightSpecs: specs,
    weightData: buffer,
    ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
    ...(artifacts.trainingConfig === undefined || artifacts.trainingConfig === null
      ? {}
      : { trainingConfig: artifacts.trainingConfig }),
    origin,
  };
}

function fromObject(source: unknown, origin: string): LoadedKerasArtifacts {
  if (isObject(source) && 'modelJson' in source) return fromFiles(source as unknown as KerasModelFiles);
  if (isObject(source) && 'modelTopology' in source) {
    if ('weightsManifest' in source && !('weightData' in source)) {
      throw new SeqmodelError(
        `${WHAT}: ${origin} is a model.json without its weights; pass { modelJson, weights }, a path or a URL`,
      );
    }
    return fromArtifacts(source as unknown as KerasArtifacts, origin);
  }
  invalidArgument(
    `${WHAT} source`,
    source,
    'a path or URL of a model.json, tfjs ModelArtifacts ({ modelTopology, weightSpecs, weightData }), { modelJson, weights }, or an object with load()',
  );
}

/** Reads Keras artifacts from any supported source. */
export async function readKerasArtifacts(source: KerasModelSource): Promise<LoadedKerasArtifacts> {
  if (typeof source === 'string' || source instanceof URL) {
    if (isNode() && /^file:/i.test(String(source))) {
      const { fileURLToPath } = await import('node:url');
      return fromPath(fileURLToPath(String(source)));
    }
    return isUrl(source) ? fromUrl(source) : fromPath(String(source));
  }
  if (isSource<KerasArtifacts | KerasModelFiles>(source)) {
    return fromObject(await source.load(), 'the artifacts from source.load()');
  }
  return fromObject(source, 'artifacts');
}
