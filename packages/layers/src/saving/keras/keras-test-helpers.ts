/**
 * Helpers for the Keras import / export tests (not exported): tfjs-layers models with seeded weights, their artifacts
 * in memory and as real files, and predictions of both libraries on the same inputs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { RefTensor } from '@seqmodel/core';
import type { Model } from '../../models/model.js';
import {
  expectClose,
  type newBackend,
  paddedValues,
  randomValues,
  tf,
  tfl,
  values,
} from '../../test-helpers.js';
import type { KerasArtifacts, KerasModelJson } from './artifacts.js';
import { saveKerasModel } from './save.js';

/** The shape of the interop tests' inputs: `[batch, time, features]`, sequence lengths for the padded ones. */
export const batch = 3;
export const time = 5;
export const features = 3;
export const lengths = [5, 3, 1];

/** Seeded inputs `[batch, time, features]`, zero after each sequence's length when `padded`. */
export function sequences(seed: number, padded: boolean): number[][][] {
  const v = padded
    ? paddedValues(lengths, time, features, seed)
    : randomValues(batch * time * features, seed);
  return Array.from({ length: batch }, (_, b) =>
    Array.from({ length: time }, (_, t) =>
      Array.from(v.subarray((b * time + t) * features, (b * time + t + 1) * features)),
    ),
  );
}

/**
 * Every activation a Dense layer can take in the Keras interop: imported, and exported but for `geluNew` (tfjs-layers
 * cannot read back the `gelu_new` it writes).
 */
export const denseActivations = [
  'linear',
  'tanh',
  'sigmoid',
  'relu',
  'hardSigmoid',
  'softmax',
  'softplus',
  'softsign',
  'elu',
  'selu',
  'gelu',
  'geluNew',
  'swish',
  'mish',
  'relu6',
] as const;

/** Token ids `[batch, time]` with 0 as post-padding. */
export const ids = [
  [3, 7, 1, 9, 2],
  [5, 2, 8, 0, 0],
  [4, 0, 0, 0, 0],
];

/** Gives every weight of a tfjs-layers model seeded values in [-0.5, 0.5). */
export function randomizeTfjsWeights(model: tfl.LayersModel, seed: number): void {
  const tensors = model.weights.map((w, i) => {
    const shape = w.shape as number[];
    const v = randomValues(
      shape.reduce((a, b) => a * b, 1),
      `${seed}/${i}`,
    ).map((x) => x / 2);
    return tf.tensor(v, shape);
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** What `model.save` hands to an IO handler. */
export async function tfjsArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

const directories: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirectories`. */
export async function tempDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'seqmodel-keras-'));
  directories.push(dir);
  return dir;
}

export async function removeTempDirectories(): Promise<void> {
  for (const d of directories.splice(0)) await rm(d, { recursive: true, force: true });
}

/**
 * Writes artifacts as tfjs does: `model.json` with a `weightsManifest`, and the weights split into `shards` files
 * (`group1-shard1of2.bin`, ...). Returns the path of `model.json`.
 */
export async function writeTfjsFiles(
  artifacts: tf.io.ModelArtifacts | KerasArtifacts,
  directory: string,
  shards = 1,
): Promise<string> {
  const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
  const size = Math.ceil(data.byteLength / shards);
  const paths: string[] = [];
  for (let i = 0; i < shards; i++) {
    const name = `group1-shard${i + 1}of${shards}.bin`;
    paths.push(name);
    await writeFile(
      join(directory, name),
      data.subarray(i * size, Math.min((i + 1) * size, data.byteLength)),
    );
  }
  const modelJson: KerasModelJson = {
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? '',
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology as Record<string, unknown>,
    weightsManifest: [
      { paths, weights: (artifacts.weightSpecs ?? []) as KerasModelJson['weightsManifest'][0]['weights'] },
    ],
  };
  const jsonPath = join(directory, 'model.json');
  await writeFile(jsonPath, JSON.stringify(modelJson));
  return jsonPath;
}

/** Serves `directory` over HTTP on localhost; resolves to the base URL and a function that stops the server. */
export async function serveDirectory(
  directory: string,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname));
    try {
      const body = await readFile(join(directory, path));
      response.writeHead(200, {
        'content-type': extname(path) === '.json' ? 'application/json' : 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** tfjs-layers' predictions (every output) as flat float32 arrays. */
export function tfjsOutputs(model: tfl.LayersModel, inputs: tf.Tensor | tf.Tensor[]): Float32Array[] {
  const out = model.predict(inputs);
  const list = Array.isArray(out) ? out : [out];
  const result = list.map((t) => t.dataSync() as Float32Array);
  tf.dispose(list);
  return result;
}

/** Our predictions (every output) as flat float64 arrays; frees them. */
export function ourOutputs(model: Model<RefTensor>, inputs: RefTensor | RefTensor[]): Float64Array[] {
  const ref = model.backend;
  const out = model.predict(inputs);
  const list = Array.isArray(out) ? out : [out];
  const result = list.map((t) => values(ref as ReturnType<typeof newBackend>, t));
  ref.dispose(list);
  return result;
}

/** A layer's entry in saved artifacts' topology. */
export interface SavedLayerConfig {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
}

/**
 * Saves `model` for tfjs-layers, loads the artifacts into tfjs-layers and checks that it predicts what `model` does
 * on `inputs` (each `{ values, shape }`; atol 1e-5, float32 against the float64 reference). Returns the artifacts and
 * their layers' configs.
 */
export async function expectTfjsReloadAgrees(
  label: string,
  model: Model<RefTensor>,
  inputs: readonly { readonly values: Float32Array; readonly shape: number[] }[],
): Promise<{ artifacts: KerasArtifacts; layers: SavedLayerConfig[] }> {
  const artifacts = await saveKerasModel(model);
  const theirs = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  const tfInputs = inputs.map((x) => tf.tensor(x.values, x.shape));
  const got = theirs.predict(tfInputs.length === 1 ? tfInputs[0]! : tfInputs) as tf.Tensor;
  const ref = model.backend as ReturnType<typeof newBackend>;
  const ours = model.predict(
    inputs.length === 1
      ? ref.tensor(inputs[0]!.values, inputs[0]!.shape)
      : inputs.map((x) => ref.tensor(x.values, x.shape)),
  ) as RefTensor;
  expectClose(label, values(ref, ours), got.dataSync() as Float32Array);
  tf.dispose([got, ...tfInputs]);
  theirs.dispose();
  const layers = (artifacts.modelTopology as { config: { layers: SavedLayerConfig[] } }).config.layers;
  return { artifacts, layers };
}
