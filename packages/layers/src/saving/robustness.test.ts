/**
 * The saving part of the robustness suite: bad model files, manifests and artifacts, one row each, against every
 * reader (`loadModel`, `loadWeights`, `loadKerasModel`; directories and artifacts in memory) and the savers. Each row
 * is classified by core's rule (`robustnessChecks` from `@seqmodel/core/testing`) and must be a clear error: a
 * `SeqmodelError` whose message names the entry point and the field (its path in the document) and says what was
 * received or expected; nothing may crash, hang or read without end (20 s), no tensor may be left behind, and a
 * failed save must leave the directory byte for byte as it was (`changed` otherwise).
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RobustnessCase, robustnessChecks } from '@seqmodel/core/testing';
import { afterAll, describe, it } from 'vitest';
import '../layers/builtins.js';
import { dense } from '../layers/dense.js';
import { lstm } from '../layers/rnn.js';
import type { Model } from '../models/model.js';
import { sequential } from '../models/sequential.js';
import { sgd } from '../training/optimizers/sgd.js';
import { cpuBackend, seeded } from '../training/test-helpers.js';
import { serveDirectory } from './keras/keras-test-helpers.js';
import { loadKerasModel } from './keras/load.js';
import { saveKerasModel } from './keras/save.js';
import type { ModelArtifacts } from './native/artifacts.js';
import { loadModel, loadWeights, saveModel, saveWeights } from './native/save-load.js';

const backend = cpuBackend();
const root = await mkdtemp(join(tmpdir(), 'seqmodel-robust-'));
/** Directories with a compiled, trained model saved by `saveModel`, its `saveWeights` and its `saveKerasModel`. */
const fixtures = { native: join(root, 'native'), weights: join(root, 'weights'), keras: join(root, 'keras') };
/** A file outside every model directory, which no manifest may reach. */
const outside = join(root, 'outside.bin');

function makeModel(built = true): Model<unknown> {
  return sequential([lstm({ units: 3 }), dense({ units: 2 })], {
    backend,
    seed: 4,
    ...(built ? { inputShape: [4, 2] } : {}),
  }) as Model<unknown>;
}

const memory: ModelArtifacts = await (async () => {
  const m = makeModel();
  m.compile({ optimizer: 'adam', loss: 'mse' });
  const x = backend.tensor(Float32Array.from(seeded(3 * 4 * 2, 'x')), [3, 4, 2]);
  const y = backend.tensor(Float32Array.from(seeded(3 * 2, 'y')), [3, 2]);
  m.trainOnBatch(x, y);
  const saved = await saveModel(m, fixtures.native);
  await saveWeights(m, fixtures.weights);
  await saveKerasModel(m, fixtures.keras);
  m.dispose();
  backend.dispose([x, y]);
  await writeFile(
    outside,
    new Uint8Array((await readFile(join(fixtures.native, saved.modelJSON.weights.path))).byteLength),
  );
  return saved;
})();
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let copies = 0;
/** A fresh copy of a fixture directory. */
async function copyOf(fixture: string): Promise<string> {
  const dir = join(root, `case-${copies++}`);
  await cp(fixture, dir, { recursive: true });
  return dir;
}

// biome-ignore lint/suspicious/noExplicitAny: the rows edit parsed documents into every wrong shape there is.
type Json = Record<string, any>;

/** Serves `dir` over HTTP while `use` runs. */
async function withServer<R>(dir: string, use: (url: string) => Promise<R>): Promise<R> {
  const server = await serveDirectory(dir);
  try {
    return await use(server.url);
  } finally {
    await server.close();
  }
}

/** A server that answers `/model.json` with `json` and everything else with bytes that never end (no length). */
async function withEndlessServer<R>(json: string, use: (url: string) => Promise<R>): Promise<R> {
  const server = createServer((request, response) => {
    if (request.url === '/model.json') {
      response.end(json);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = new Uint8Array(64 * 1024);
    const pump = () => {
      while (!response.destroyed && response.write(chunk)) {}
      if (!response.destroyed) response.once('drain', pump);
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  try {
    return await use(`http://127.0.0.1:${port}/`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The names and bytes of what `dir` holds: a failed save must leave them as they were. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    out.push(
      name,
      await readFile(join(dir, name)).then(
        (b) => b.toString('base64'),
        () => 'directory',
      ),
    );
  }
  return out;
}

interface Case {
  /** `entry: what is wrong`. */
  readonly label: string;
  /** Makes the bad input and calls the entry point; resolves to what it resolved to. */
  readonly run: () => Promise<unknown>;
  /** Texts the message must contain: the field (first), the entry point, and what was received or expected. */
  readonly says: readonly string[];
  /** What the failed call must leave alone (see `RobustnessCase.observe`). */
  readonly observe?: () => Promise<readonly unknown[]> | readonly unknown[];
}

type Edit = (json: Json, dir: string) => void | Promise<void>;

/** Rows that edit a copy of a saved directory's model.json (and the files beside it), then load the directory. */
const fileCase =
  (entry: string, fixture: () => string, load: (dir: string) => Promise<unknown>) =>
  (label: string, edit: Edit, says: readonly string[]): Case => ({
    label: `${entry}: ${label}`,
    run: async () => {
      const dir = await copyOf(fixture());
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      await edit(json, dir);
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      return load(dir);
    },
    says: [...says, entry],
  });

const nativeFile = fileCase(
  'loadModel',
  () => fixtures.native,
  (dir) => loadModel(dir, { backend }),
);
const kerasFile = fileCase(
  'loadKerasModel',
  () => fixtures.keras,
  (dir) => loadKerasModel(dir, { backend }),
);

const nativeMemory = (
  label: string,
  edit: (json: Json) => void,
  says: readonly string[],
  weightData?: () => unknown,
): Case => ({
  label: `loadModel(artifacts): ${label}`,
  run: async () => {
    const modelJSON = structuredClone(memory.modelJSON) as Json;
    edit(modelJSON);
    return loadModel({ modelJSON, weightData: weightData?.() ?? memory.weightData } as never, { backend });
  },
  says: [...says, 'loadModel: artifacts.modelJSON'],
});

const entry = (json: Json, i: number) => json.weights.entries[i];
const spec = (json: Json, i: number) => json.weightsManifest[0].weights[i];

/** A model whose weights do not fit the saved ones; loading them must leave its own alone. */
const other = sequential([lstm({ units: 5 }), dense({ units: 2 })], {
  backend,
  seed: 1,
  inputShape: [4, 2],
}) as Model<unknown>;

const CASES: Case[] = [
  // Paths that leave the directory.
  nativeFile(
    'weights path into /dev/zero',
    (j) => {
      j.weights.path = '../../../../dev/zero';
    },
    ['weights.path: expected a file name inside the model directory', 'received "../../../../dev/zero"'],
  ),
  // Each of these is refused by its text alone, before any file is looked at.
  ...[
    '../outside.bin',
    '/etc/passwd',
    '..\\outside.bin',
    'file:///etc/passwd',
    '%2e%2e/outside.bin',
    'sub/../../outside.bin',
    'a/%2F../../outside.bin',
  ].map((path) =>
    nativeFile(
      `weights path ${JSON.stringify(path)}`,
      (j) => {
        j.weights.path = path;
      },
      ['weights.path: expected a file name inside the model directory', `received ${JSON.stringify(path)}`],
    ),
  ),
  nativeFile(
    'symbolic link leading out of the directory',
    async (j, dir) => {
      await symlink(outside, join(dir, 'link.bin'));
      j.weights.path = 'link.bin';
    },
    ['weights.path: "link.bin" leads to', 'outside the model directory'],
  ),
  nativeFile(
    'symbolic link to /dev/zero',
    async (j, dir) => {
      await symlink('/dev/zero', join(dir, 'zero.bin'));
      j.weights.path = 'zero.bin';
    },
    ['weights.path: "zero.bin" leads to /dev/zero, outside the model directory'],
  ),
  nativeFile(
    'weights path naming a directory',
    async (j, dir) => {
      await mkdir(join(dir, 'sub'));
      j.weights.path = 'sub';
    },
    ['weights.path: "sub"', 'is not a regular file'],
  ),
  nativeFile(
    'weights file missing',
    (j) => {
      j.weights.path = 'missing.bin';
    },
    ['weights.path: cannot read "missing.bin"', 'no such file'],
  ),
  kerasFile(
    'weight file path into /dev/zero',
    (j) => {
      j.weightsManifest[0].paths = ['../../../../dev/zero'];
    },
    [
      'weightsManifest[0].paths[0]: expected a file name inside the model directory',
      'received "../../../../dev/zero"',
    ],
  ),
  kerasFile(
    'absolute weight file path',
    (j) => {
      j.weightsManifest[0].paths = ['/etc/hostname'];
    },
    ['weightsManifest[0].paths[0]', 'received "/etc/hostname"'],
  ),
  kerasFile(
    'http URL as a weight file',
    (j) => {
      j.weightsManifest[0].paths = ['http://example.com/x.bin'];
    },
    ['weightsManifest[0].paths[0]', 'received "http://example.com/x.bin"'],
  ),
  kerasFile(
    'symbolic link leading out of the directory',
    async (j, dir) => {
      await symlink(outside, join(dir, 'link.bin'));
      j.weightsManifest[0].paths = ['link.bin'];
    },
    ['weight file 0 (link.bin): "link.bin" leads to', 'outside the model directory'],
  ),
  {
    label: 'loadKerasModel: model.json path that is a device',
    run: () => loadKerasModel('/dev/zero', { backend }),
    says: ['loadKerasModel: /dev/zero is not a regular file'],
  },
  {
    label: 'loadKerasModel({ modelJson, weights }): traversal in memory too',
    run: async () => {
      const json = JSON.parse(await readFile(join(fixtures.keras, 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['../x.bin'];
      return loadKerasModel({ modelJson: json, weights: { '../x.bin': new ArrayBuffer(8) } }, { backend });
    },
    says: ['loadKerasModel: modelJson: weightsManifest[0].paths[0]', 'received "../x.bin"'],
  },
  {
    label: 'loadKerasModel({ modelJson, weights }): a path that is an Object.prototype key',
    run: async () => {
      const json = JSON.parse(await readFile(join(fixtures.keras, 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['constructor'];
      return loadKerasModel({ modelJson: json, weights: {} }, { backend });
    },
    says: ['loadKerasModel weights: no contents for the weight file "constructor"'],
  },

  {
    label: 'loadKerasModel(URL): a weight file larger than the manifest declares is not read to its end',
    run: async () => {
      const dir = await copyOf(fixtures.keras);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      await writeFile(join(dir, json.weightsManifest[0].paths[0]), new Uint8Array(1 << 20));
      return withServer(dir, (url) => loadKerasModel(`${url}model.json`, { backend }));
    },
    says: [
      'loadKerasModel: http://127.0.0.1:',
      'bytes, expected at most',
      '(the size the manifest declares)',
    ],
  },
  {
    label: 'loadKerasModel(URL): an endless weight stream is cut at the declared size',
    run: async () => {
      const json = JSON.parse(await readFile(join(fixtures.keras, 'model.json'), 'utf8'));
      return withEndlessServer(JSON.stringify(json), (url) =>
        loadKerasModel(`${url}model.json`, { backend }),
      );
    },
    says: ['loadKerasModel: http://127.0.0.1:', 'has more than', 'bytes, expected at most'],
  },

  // Declared sizes against real sizes.
  nativeFile(
    'declared size larger than the file',
    (j) => {
      j.weights.byteLength += 4;
    },
    ['weights.byteLength: declares', 'but weights.', 'has'],
  ),
  nativeFile(
    'declared size smaller than the file',
    (j) => {
      // The last two slots (the dense bias's moments) leave the buffer; everything left fits the smaller size.
      j.weights.byteLength -= 4;
      j.training.slots.splice(-2);
    },
    ['weights.byteLength: declares'],
  ),
  nativeFile(
    'truncated weights file',
    async (j, dir) => {
      const bytes = await readFile(join(dir, j.weights.path));
      await writeFile(join(dir, j.weights.path), bytes.subarray(0, bytes.byteLength - 10));
    },
    ['weights.byteLength: declares', 'truncated'],
  ),
  kerasFile(
    'truncated weight shard',
    async (j, dir) => {
      const name = j.weightsManifest[0].paths[0];
      const bytes = await readFile(join(dir, name));
      await writeFile(join(dir, name), bytes.subarray(0, 12));
    },
    ['weightsManifest: the weights take', 'the weight files hold 12'],
  ),
  kerasFile(
    'weight shard with bytes to spare',
    async (j, dir) => {
      const name = j.weightsManifest[0].paths[0];
      await writeFile(join(dir, name), new Uint8Array(1 << 20));
    },
    ['weightsManifest: the weights take', `hold ${1 << 20}`],
  ),
  nativeFile(
    'huge shape',
    (j) => {
      entry(j, 0).shape = [1e9, 1e9];
    },
    ['weights.entries[0].shape: expected a shape of at most', 'received [1000000000, 1000000000]'],
  ),
  nativeFile(
    'shape larger than the buffer',
    (j) => {
      entry(j, 0).shape = [100000, 100000];
      entry(j, 0).byteLength = 4e10;
    },
    ['weights.entries[0]: bytes 0 to 40000000000 do not fit in the'],
  ),
  kerasFile(
    'huge Keras shape',
    (j) => {
      spec(j, 0).shape = [1e8, 1e8, 1e8];
    },
    [
      'weightsManifest[0].weights[0].shape: expected a shape of at most',
      'received [100000000, 100000000, 100000000]',
    ],
  ),
  nativeMemory(
    'weightData shorter than declared',
    () => undefined,
    ['weights.byteLength: the manifest declares', 'weightData has 8'],
    () => new ArrayBuffer(8),
  ),
  nativeMemory(
    'weightData not a buffer',
    () => undefined,
    ['weightData: expected an ArrayBuffer, received [1, 2, 3]'],
    () => [1, 2, 3],
  ),

  // Offsets.
  nativeFile(
    'fractional offset',
    (j) => {
      entry(j, 1).offset = 190.5;
    },
    ['weights.entries[1].offset: expected an integer >= 0, received 190.5'],
  ),
  nativeFile(
    'null offset',
    (j) => {
      entry(j, 1).offset = null;
    },
    ['weights.entries[1].offset: expected an integer >= 0, received null'],
  ),
  nativeFile(
    'negative offset',
    (j) => {
      entry(j, 1).offset = -4;
    },
    ['weights.entries[1].offset: expected an integer >= 0, received -4'],
  ),
  nativeFile(
    'offset as a string',
    (j) => {
      entry(j, 1).offset = '0';
    },
    ['weights.entries[1].offset: expected an integer >= 0, received "0"'],
  ),
  nativeFile(
    'overlapping offsets',
    (j) => {
      entry(j, 1).offset = entry(j, 0).offset + 4;
    },
    ['weights.entries[1]: bytes', 'overlap weights.entries[0]'],
  ),
  nativeFile(
    'offset past the end',
    (j) => {
      entry(j, 2).offset = j.weights.byteLength;
    },
    ['weights.entries[2]: bytes', 'do not fit in the'],
  ),
  nativeFile(
    'byte length that does not match the shape',
    (j) => {
      entry(j, 0).byteLength -= 4;
    },
    ['weights.entries[0].byteLength: expected', '4 bytes for each of the'],
  ),
  nativeFile(
    'slot overlapping a weight',
    (j) => {
      j.training.slots[0].offset = 0;
    },
    ['training.slots[0]: bytes 0', 'overlap'],
  ),

  // Duplicates.
  nativeFile(
    'duplicate weight names',
    (j) => {
      entry(j, 1).name = entry(j, 0).name;
    },
    ['weights.entries[1].name: duplicate weight name', '(also at weights.entries[0].name)'],
  ),
  nativeFile(
    'duplicate slots',
    (j) => {
      j.training.slots[1].slot = j.training.slots[0].slot;
    },
    ['training.slots[1]: duplicate slot'],
  ),
  kerasFile(
    'duplicate Keras weight names',
    (j) => {
      spec(j, 1).name = spec(j, 0).name;
    },
    ['weightsManifest[0].weights[1].name: duplicate weight name'],
  ),
  kerasFile(
    'the same weight file twice',
    (j) => {
      j.weightsManifest[0].paths.push(j.weightsManifest[0].paths[0]);
    },
    ['weightsManifest[0].paths[1]: duplicate weight file'],
  ),

  // Missing fields and wrong types.
  nativeFile(
    'no weights',
    (j) => {
      delete j.weights;
    },
    ['weights: expected a value', 'received nothing (the field is missing)'],
  ),
  nativeFile(
    'entry without a shape',
    (j) => {
      delete entry(j, 0).shape;
    },
    ['weights.entries[0].shape: expected a value', 'received nothing'],
  ),
  nativeFile(
    'shape as a string',
    (j) => {
      entry(j, 0).shape = '[3, 12]';
    },
    ['weights.entries[0].shape: expected a shape (an array of integers >= 0), received "[3, 12]"'],
  ),
  nativeFile(
    'negative dimension',
    (j) => {
      entry(j, 0).shape = [-3, 12];
    },
    ['weights.entries[0].shape[0]: expected an integer >= 0, received -3'],
  ),
  nativeFile(
    'fractional dimension',
    (j) => {
      entry(j, 0).shape = [2.5, 12];
    },
    ['weights.entries[0].shape[0]: expected an integer >= 0, received 2.5'],
  ),
  nativeFile(
    'name as a number',
    (j) => {
      entry(j, 0).name = 7;
    },
    ['weights.entries[0].name: expected a non-empty string, received 7'],
  ),
  nativeFile(
    'model without a class name',
    (j) => {
      delete j.model.className;
    },
    ['model.className: expected a value'],
  ),
  nativeFile(
    'seed as an object',
    (j) => {
      j.seed = { a: 1 };
    },
    ['seed: expected an integer', 'received object'],
  ),
  nativeFile(
    'a misspelt field',
    (j) => {
      entry(j, 0).ofset = entry(j, 0).offset;
    },
    [
      'weights.entries[0].ofset: unknown field; expected one of the known fields: name, shape, dtype, offset, byteLength',
    ],
  ),
  nativeFile(
    'iterations not an integer',
    (j) => {
      j.training.iterations = 1.5;
    },
    ['training.iterations: expected an integer >= 0, received 1.5'],
  ),
  nativeFile(
    'slot of an unknown weight',
    (j) => {
      j.training.slots[0].variable = 'lstm/nothing';
    },
    ['training.slots[0].variable: expected a trainable weight of', 'received "lstm/nothing"'],
  ),
  nativeFile(
    'unknown optimizer class',
    (j) => {
      j.training.optimizer.className = 'Lion';
    },
    [
      'training.optimizer.className: expected one of SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, received "Lion"',
    ],
  ),
  nativeFile(
    'unknown loss class',
    (j) => {
      j.training.compile.loss = { className: 'Dice', config: {} };
    },
    ['training.compile.loss.className: expected one of', 'received "Dice"'],
  ),
  nativeFile(
    'entry of a weight the model does not have',
    (j) => {
      entry(j, 0).name = 'other/kernel';
    },
    ['weights.entries[0].name: expected the name of a weight of', 'received "other/kernel"'],
  ),
  nativeFile(
    'shape that differs from the config',
    (j) => {
      entry(j, 0).shape = [4, 6];
    },
    ['weights.entries[0].shape: expected [2, 12], the shape of lstm/kernel', 'received [4, 6]'],
  ),
  kerasFile(
    'spec without a name',
    (j) => {
      delete spec(j, 0).name;
    },
    ['weightsManifest[0].weights[0].name: expected a value'],
  ),
  kerasFile(
    'spec with a null shape',
    (j) => {
      spec(j, 0).shape = null;
    },
    ['weightsManifest[0].weights[0].shape: expected a shape', 'received null'],
  ),
  kerasFile(
    'weightsManifest not an array',
    (j) => {
      j.weightsManifest = { paths: [] };
    },
    ['weightsManifest: expected an array, received object'],
  ),
  kerasFile(
    'group without paths',
    (j) => {
      delete j.weightsManifest[0].paths;
    },
    ['weightsManifest[0].paths: expected a value'],
  ),
  kerasFile(
    'spec with an unknown field',
    (j) => {
      spec(j, 0).offset = 0;
    },
    [
      'weightsManifest[0].weights[0].offset: unknown field; expected one of the known fields: name, shape, dtype, quantization, group',
    ],
  ),

  // Dtypes.
  nativeFile(
    'unknown dtype',
    (j) => {
      entry(j, 0).dtype = 'float64';
    },
    ['weights.entries[0].dtype: expected one of "float32", received "float64"'],
  ),
  kerasFile(
    'string weights',
    (j) => {
      spec(j, 0).dtype = 'string';
    },
    ['weightsManifest[0].weights[0].dtype: expected one of "float32", "int32"', 'received "string"'],
  ),
  kerasFile(
    'unknown quantization',
    (j) => {
      spec(j, 0).quantization = { dtype: 'int4' };
    },
    [
      'weightsManifest[0].weights[0].quantization.dtype: expected one of "uint8", "uint16", "float16", received "int4"',
    ],
  ),
  kerasFile(
    'uint8 quantization without a scale',
    (j) => {
      spec(j, 0).quantization = { dtype: 'uint8', min: 0 };
    },
    ['weightsManifest[0].weights[0].quantization.scale: expected a finite number, received nothing'],
  ),

  // Broken documents.
  {
    label: 'loadModel: truncated model.json',
    run: async () => {
      const dir = await copyOf(fixtures.native);
      const text = await readFile(join(dir, 'model.json'), 'utf8');
      await writeFile(join(dir, 'model.json'), text.slice(0, text.length / 2));
      return loadModel(dir, { backend });
    },
    says: ['loadModel: ', 'model.json is not valid JSON'],
  },
  {
    label: 'loadKerasModel: empty model.json',
    run: async () => {
      const dir = await copyOf(fixtures.keras);
      await writeFile(join(dir, 'model.json'), '');
      return loadKerasModel(dir, { backend });
    },
    says: ['loadKerasModel: ', 'model.json is not valid JSON'],
  },
  {
    label: 'loadModel: model.json holding an array',
    run: async () => {
      const dir = await copyOf(fixtures.native);
      await writeFile(join(dir, 'model.json'), '[1, 2]');
      return loadModel(dir, { backend });
    },
    says: ['loadModel: ', 'model.json: expected an object, received [1, 2]'],
  },
  nativeFile(
    'format version from the future',
    (j) => {
      j.formatVersion = 2;
    },
    ['formatVersion: expected 1 (the version this release reads), received 2'],
  ),
  {
    label: 'loadModel: a Keras model.json',
    run: async () => loadModel(await copyOf(fixtures.keras), { backend }),
    says: [
      'loadModel: ',
      'format: expected "seqmodel-layers" (a tfjs model: load layers models with loadKerasModel), received "layers-model"',
    ],
  },
  {
    label: 'loadWeights: weights of another architecture',
    run: () => loadWeights(other, fixtures.weights),
    says: [
      'weights.json: weights.entries[0].shape: expected [2, 20], the shape of lstm/kernel',
      'loadWeights: ',
      'received [2, 12]',
    ],
    // The model's own weights stay as they were.
    observe: () => other.getWeightData().flatMap((w) => [w.name, ...w.shape, ...w.values]),
  },
  {
    label: 'loadWeights: a whole model directory',
    run: async () => {
      const m = makeModel();
      try {
        return await loadWeights(m, await copyOf(fixtures.native));
      } finally {
        m.dispose();
      }
    },
    says: ['loadWeights: cannot read', 'weights.json'],
  },
  // What every entry point that takes a backend checks, before any file is read.
  ...(
    [
      ['loadModel', (options: unknown) => loadModel(fixtures.native, options as never)],
      ['loadKerasModel', (options: unknown) => loadKerasModel(fixtures.keras, options as never)],
    ] as const
  ).flatMap(([name, load]): Case[] => [
    ...(
      [
        ["a backend's name", 'cpu', 'a backend is an object made by a factory, not its name'],
        ['an empty object', {}, 'Make one with createCpuBackend()'],
        ['undefined', undefined, 'received undefined'],
      ] as const
    ).map(([what, value, hint]) => ({
      label: `${name}: options.backend ${what}`,
      run: () => load({ backend: value }),
      says: [`${name} options.backend: expected a seqmodel Backend`, hint],
    })),
    {
      label: `${name}: no options`,
      run: () => load(undefined),
      says: [`${name} options.backend: expected a seqmodel Backend`, 'received undefined'],
    },
    {
      label: `${name}: a misspelt option`,
      run: () => load({ backend, compiled: false }),
      says: [`${name} options: unknown option "compiled"`, 'did you mean "compile"?'],
    },
  ]),
  {
    label: 'loadWeights: a backend in place of the model',
    run: () => loadWeights(backend as never, fixtures.weights),
    says: ['loadWeights model: expected a seqmodel model'],
  },
  {
    label: 'loadWeights: an unbuilt model',
    run: async () => {
      const m = makeModel(false);
      try {
        return await loadWeights(m, fixtures.weights);
      } finally {
        m.dispose();
      }
    },
    says: ['loadWeights: ', 'is not built, so it has no weights to load into (expected a built model)'],
  },
];

/** Saves that must fail and leave the directory exactly as it was. */
interface SaveCase {
  readonly label: string;
  readonly fixture: () => string;
  /** Changes the directory before its snapshot is taken. */
  readonly prepare?: (dir: string) => Promise<void>;
  readonly model: () => Model<unknown>;
  readonly save: (m: Model<unknown>, dir: string) => Promise<unknown>;
  readonly says: readonly string[];
}

const compiledWithFunctionRate = () => {
  const m = makeModel();
  m.compile({ optimizer: sgd({ learningRate: (step) => 0.1 / (1 + step) }), loss: 'mse' });
  return m;
};

const SAVES: SaveCase[] = [
  {
    label: 'saveModel: a model never built, over an existing model',
    fixture: () => fixtures.native,
    model: () => makeModel(false),
    save: (m, dir) => saveModel(m, dir),
    says: [
      'saveModel: sequential (Sequential) is not built, so it has no weights to save',
      'nothing was written',
    ],
  },
  {
    label: 'saveKerasModel: a model never built, over an existing model',
    fixture: () => fixtures.keras,
    model: () => makeModel(false),
    save: (m, dir) => saveKerasModel(m, dir),
    says: ['saveKerasModel: sequential (Sequential) is not built'],
  },
  {
    label: 'saveWeights: a model never built, over existing weights',
    fixture: () => fixtures.weights,
    model: () => makeModel(false),
    save: (m, dir) => saveWeights(m, dir),
    says: ['saveWeights: sequential (Sequential) is not built'],
  },
  {
    label: 'saveModel: model.json is a directory',
    fixture: () => fixtures.weights,
    prepare: (dir) => mkdir(join(dir, 'model.json')),
    model: () => makeModel(),
    save: (m, dir) => saveModel(m, dir),
    says: ['saveModel: cannot write', 'the model already there (if any) is unchanged'],
  },
  {
    label: 'saveModel: an optimizer whose learning rate cannot be saved',
    fixture: () => fixtures.native,
    model: compiledWithFunctionRate,
    save: (m, dir) => saveModel(m, dir),
    says: ['saveModel: the optimizer learningRate: a function cannot be saved'],
  },
  {
    label: 'saveModel: includeOptimizer on a model not compiled',
    fixture: () => fixtures.native,
    model: () => makeModel(),
    save: (m, dir) => saveModel(m, dir, { includeOptimizer: true }),
    says: ['saveModel options.includeOptimizer: sequential (Sequential) is not compiled'],
  },
  {
    label: 'saveModel: a target that is neither a path nor a sink',
    fixture: () => fixtures.native,
    model: () => makeModel(),
    save: (m) => saveModel(m, { write: () => undefined } as never),
    says: [
      'saveModel target: expected a directory path, an object with save(artifacts), or nothing, received object',
    ],
  },
];

/** A save row as a case: the directory is copied (and prepared) now, and watched byte for byte. */
async function saveCase(c: SaveCase): Promise<Case> {
  const dir = await copyOf(c.fixture());
  await c.prepare?.(dir);
  return {
    label: c.label,
    run: async () => {
      const m = c.model();
      try {
        return await c.save(m, dir);
      } finally {
        m.dispose();
      }
    },
    says: c.says,
    observe: () => snapshot(dir),
  };
}

/** `entry: what is wrong` as core's case: the first text is the argument, the others must be said too. */
function toCase({ label, run, says, observe }: Case): RobustnessCase {
  const at = label.indexOf(': ');
  return {
    entry: label.slice(0, at),
    received: label.slice(at + 2),
    argument: says[0]!,
    says: says.slice(1),
    call: run,
    ...(observe === undefined ? {} : { observe }),
  };
}

const cases = [...CASES, ...(await Promise.all(SAVES.map(saveCase)))].map(toCase);
const checks = await robustnessChecks(cases, {
  suite: '@seqmodel/layers saving',
  liveTensors: () => backend.memory().numTensors,
  timeoutMs: 20_000,
  minimum: 40,
});
other.dispose();

describe('bad model files, manifests and artifacts get clear errors; failed saves leave the directory unchanged', () => {
  for (const check of checks) it(check.name, check.run);
});
