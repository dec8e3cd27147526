/**
 * Keras / tfjs-layers model artifacts: the tfjs "layers-model" `model.json` (`modelTopology` holding the Keras model
 * config, `weightsManifest` listing each weight's name, shape and dtype and the files holding them) and the weights,
 * little-endian and back to back across the shard files in manifest order. This module reads them from wherever they
 * are (a Node path, a URL, tfjs `ModelArtifacts` in memory, `{ modelJson, weights }`, or a source with `load()`) into
 * one in-memory shape, and holds the types the loader and saver share.
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import {
  type ArtifactsSource,
  fetchBytes,
  isDirectory,
  isNode,
  isObject,
  isSource,
  isUrl,
  parseJson,
  readFileBytes,
  readFileText,
  toArrayBuffer,
} from '../files.js';

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
}

const WHAT = 'loadKerasModel';

/** Joins buffers into one. */
function joinBuffers(buffers: readonly ArrayBuffer[]): ArrayBuffer {
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

function checkModelJson(json: unknown, origin: string): KerasModelJson {
  if (!isObject(json)) throw new SeqmodelError(`${WHAT}: ${origin} is not a JSON object`);
  checkFormat(json.format, origin);
  if (!isObject(json.modelTopology)) {
    throw new SeqmodelError(
      `${WHAT}: ${origin} has no modelTopology object (expected a tfjs layers-model model.json${json.format === undefined ? '' : `, received format ${JSON.stringify(json.format)}`})`,
    );
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) invalidArgument(`${WHAT} ${origin} weightsManifest`, manifest, 'an array');
  manifest.forEach((group, i) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      invalidArgument(`${WHAT} ${origin} weightsManifest[${i}]`, group, 'an object with paths and weights');
    }
    for (const p of group.paths) {
      if (typeof p !== 'string')
        invalidArgument(`${WHAT} ${origin} weightsManifest[${i}].paths`, p, 'strings');
    }
  });
  return { ...json, weightsManifest: manifest } as unknown as KerasModelJson;
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

/** The artifacts of a checked model.json whose weight files (in manifest order) hold `buffers`. */
function loaded(json: KerasModelJson, buffers: readonly ArrayBuffer[]): LoadedKerasArtifacts {
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((group) => [...group.weights]),
    weightData: joinBuffers(buffers),
    ...(json.generatedBy === undefined ? {} : { generatedBy: json.generatedBy }),
  };
}

function pathsOf(json: KerasModelJson): string[] {
  return json.weightsManifest.flatMap((group) => [...group.paths]);
}

async function fromPath(filePath: string): Promise<LoadedKerasArtifacts> {
  const path = await import('node:path');
  const jsonPath = (await isDirectory(filePath)) ? path.join(filePath, 'model.json') : filePath;
  const json = checkModelJson(parseJson(await readFileText(jsonPath, WHAT), jsonPath, WHAT), jsonPath);
  const directory = path.dirname(jsonPath);
  const buffers: ArrayBuffer[] = [];
  for (const p of pathsOf(json)) buffers.push(await readFileBytes(path.join(directory, p), WHAT));
  return loaded(json, buffers);
}

async function fromUrl(url: string | URL): Promise<LoadedKerasArtifacts> {
  const page = (globalThis as { location?: { href?: string } }).location?.href;
  const base = new URL(String(url), page);
  const text = new TextDecoder().decode(await fetchBytes(base, WHAT));
  const json = checkModelJson(parseJson(text, base.href, WHAT), base.href);
  const buffers: ArrayBuffer[] = [];
  for (const p of pathsOf(json)) buffers.push(await fetchBytes(new URL(p, base), WHAT));
  return loaded(json, buffers);
}

function fromFiles(files: KerasModelFiles): LoadedKerasArtifacts {
  const origin = 'modelJson';
  const raw =
    typeof files.modelJson === 'string' ? parseJson(files.modelJson, origin, WHAT) : files.modelJson;
  const json = checkModelJson(raw, origin);
  const paths = pathsOf(json);
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
    const lookup =
      weights instanceof Map
        ? (p: string) => weights.get(p)
        : (p: string) => (weights as Record<string, ArrayBuffer | ArrayBufferView>)[p];
    buffers = paths.map((p) => {
      const data = lookup(p) ?? lookup(p.split('/').pop()!);
      if (data === undefined) {
        throw new SeqmodelError(`${WHAT} weights: no contents for the weight file ${JSON.stringify(p)}`);
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
  return loaded(json, buffers);
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
  if (!Array.isArray(specs)) invalidArgument(`${WHAT} ${origin}.weightSpecs`, specs, 'an array');
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
  return {
    modelTopology: topology,
    weightSpecs: specs,
    weightData: buffer,
    ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
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
