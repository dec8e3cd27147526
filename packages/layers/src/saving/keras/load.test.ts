import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RefTensor } from '@seqmodel/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Bidirectional } from '../../layers/bidirectional.js';
import type { GRU, LSTM } from '../../layers/rnn.js';
import {
  expectClose,
  expectOutputsClose,
  newBackend,
  tf,
  tfjsChain,
  tfl,
  useTfjsCpu,
} from '../../test-helpers.js';
import type { KerasArtifacts } from './artifacts.js';
import {
  batch,
  denseActivations,
  features,
  ids,
  ourOutputs,
  randomizeTfjsWeights,
  removeTempDirectories,
  sequences,
  serveDirectory,
  tempDirectory,
  tfjsArtifacts,
  tfjsOutputs,
  writeTfjsFiles,
} from './keras-test-helpers.js';
import { loadKerasModel } from './load.js';

beforeAll(useTfjsCpu);
afterAll(removeTempDirectories);

const zeros = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;

/** Saves `theirs` to in-memory artifacts, loads them into seqmodel and compares predictions on `x`. */
async function expectSamePredictions(
  label: string,
  theirs: tfl.LayersModel,
  x: number[][] | number[][][] | (number[][] | number[][][])[],
  seed = 1,
) {
  randomizeTfjsWeights(theirs, seed);
  const artifacts = await tfjsArtifacts(theirs);
  const ref = newBackend();
  const ours = await loadKerasModel<RefTensor>(artifacts as KerasArtifacts, { backend: ref });
  // The same artifacts as real files: model.json and two weight shards.
  const fromFiles = await loadKerasModel<RefTensor>(
    await writeTfjsFiles(artifacts, await tempDirectory(), 2),
    {
      backend: ref,
    },
  );
  const several = theirs.inputs.length > 1;
  const inputs = several ? (x as number[][][][]) : [x as number[][][]];
  const expected = tfjsOutputs(
    theirs,
    inputs.map((v) => tf.tensor(v as number[][][])),
  );
  const actual = ourOutputs(
    ours,
    inputs.map((v) => ref.tensor(v)),
  );
  expectOutputsClose(label, actual, expected);
  expect(
    ourOutputs(
      fromFiles,
      inputs.map((v) => ref.tensor(v)),
    ),
  ).toEqual(actual);
  theirs.dispose();
  return { ref, ours, artifacts };
}

type Kind = 'simpleRNN' | 'lstm' | 'gru';

function tfjsRecurrent(kind: Kind, options: Record<string, unknown>) {
  const args = { units: 4, ...zeros, ...options } as never;
  if (kind === 'lstm') return tfl.layers.lstm(args);
  if (kind === 'gru') return tfl.layers.gru(args);
  return tfl.layers.simpleRNN(args);
}

describe('loadKerasModel: tfjs-layers models predict the same in seqmodel (atol 1e-5)', () => {
  for (const kind of ['simpleRNN', 'lstm', 'gru'] as Kind[]) {
    for (const returnSequences of [true, false]) {
      for (const goBackwards of [false, true]) {
        for (const masked of [false, true]) {
          const label = `${kind} returnSequences ${returnSequences} goBackwards ${goBackwards}${masked ? ' masked' : ''}`;
          it(label, async () => {
            const theirs = tfl.sequential({
              layers: [
                ...(masked ? [tfl.layers.masking({ inputShape: [null, features] })] : []),
                tfjsRecurrent(kind, {
                  returnSequences,
                  goBackwards,
                  ...(masked ? {} : { inputShape: [null, features] }),
                  ...(kind === 'simpleRNN'
                    ? {}
                    : { recurrentActivation: goBackwards ? 'sigmoid' : 'hardSigmoid' }),
                }),
              ],
            });
            await expectSamePredictions(label, theirs, sequences(2, masked));
          });
        }
      }
    }
  }

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave', null] as const) {
    for (const masked of [false, true]) {
      const label = `Bidirectional mergeMode ${mergeMode}${masked ? ' masked' : ''}`;
      it(label, async () => {
        const kind: Kind = mergeMode === 'sum' ? 'gru' : mergeMode === 'mul' ? 'simpleRNN' : 'lstm';
        const layers = [
          ...(masked ? [tfl.layers.masking({})] : []),
          tfl.layers.bidirectional({
            layer: tfjsRecurrent(kind, { returnSequences: true }) as never,
            mergeMode: mergeMode as never,
          }),
        ];
        // tfjs' Sequential refuses two outputs (mergeMode null): that one is a functional model.
        const theirs =
          mergeMode === null
            ? tfjsChain([null, features], layers)
            : tfl.sequential({
                layers: [tfl.layers.inputLayer({ batchInputShape: [null, null, features] }), ...layers],
              });
        const { ours } = await expectSamePredictions(label, theirs, sequences(3, masked));
        const bidi = ours.layers.find((l) => l instanceof Bidirectional) as Bidirectional;
        expect(bidi.mergeMode).toBe(mergeMode);
        expect(bidi.forwardLayer.zeroOutputForMask).toBe(false);
      });
    }
  }

  it('Bidirectional returning states, in a functional model', async () => {
    const theirs = tfjsChain(
      [null, features],
      [
        tfl.layers.bidirectional({
          layer: tfjsRecurrent('lstm', { returnState: true }) as never,
          mergeMode: 'ave',
        }),
      ],
    );
    await expectSamePredictions('Bidirectional returnState', theirs, sequences(4, false));
  });

  it('Embedding with mask_zero into stacked recurrent layers, TimeDistributed(Dense), Dropout, Activation', async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true, inputShape: [null] }),
        tfl.layers.lstm({ units: 4, returnSequences: true, ...zeros }),
        tfl.layers.dropout({ rate: 0.3 }),
        tfl.layers.gru({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', ...zeros }),
        tfl.layers.simpleRNN({ units: 3, returnSequences: true, activation: 'relu', ...zeros }),
        tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 4, activation: 'softmax' }) }),
        tfl.layers.activation({ activation: 'softplus' }),
      ],
    });
    const { ours } = await expectSamePredictions('embedding stack', theirs, ids);
    expect(ours.layers.map((l) => l.className)).toEqual([
      'Embedding',
      'LSTM',
      'Dropout',
      'GRU',
      'SimpleRNN',
      'TimeDistributed',
      'Activation',
    ]);
    expect((ours.layers[1] as LSTM).cellOptions.recurrentActivation).toBe('hardSigmoid');
    expect((ours.layers[3] as GRU).cellOptions.resetAfter).toBe(false);
  });

  it('Dense on masked sequences with every supported activation', async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.masking({ maskValue: 0, inputShape: [null, features] }),
        // tfjs-layers saves gelu_new, which its own loader misses; seqmodel reads it.
        ...denseActivations.map((activation) =>
          tfl.layers.dense({
            units: 3,
            activation: (activation === 'geluNew' ? 'gelu_new' : activation) as never,
          }),
        ),
        tfl.layers.lstm({ units: 3, ...zeros }),
        tfl.layers.dense({ units: 2, useBias: false }),
      ],
    });
    await expectSamePredictions('dense activations', theirs, sequences(5, true));
  });

  it('RepeatVector and Flatten', async () => {
    // No mask here: tfjs-layers 4.22 hands a Masking layer's mask on to recurrent layers after RepeatVector, which
    // Keras (and seqmodel) do not.
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.lstm({ units: 3, inputShape: [null, features], ...zeros }),
        tfl.layers.repeatVector({ n: 2 }),
        tfl.layers.simpleRNN({ units: 2, returnSequences: true, ...zeros }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    await expectSamePredictions('repeat and flatten', theirs, sequences(13, false));
  });

  it('Conv1D (valid, same, strided, dilated), MaxPooling1D and AveragePooling1D', async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.conv1d({ filters: 4, kernelSize: 2, padding: 'same', inputShape: [null, features] }),
        tfl.layers.maxPooling1d({ poolSize: 2, strides: 1, padding: 'same' }),
        tfl.layers.averagePooling1d({ poolSize: 2, strides: 1 }),
        tfl.layers.conv1d({ filters: 3, kernelSize: 2, dilationRate: 2, activation: 'relu' }),
        tfl.layers.conv1d({ filters: 2, kernelSize: 2, strides: 2, useBias: false }),
        tfl.layers.globalMaxPooling1d({}),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    await expectSamePredictions('conv1d', theirs, sequences(15, false));
  });

  it('GlobalAveragePooling1D and GlobalMaxPooling1D', async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.gru({ units: 3, returnSequences: true, inputShape: [null, features], ...zeros }),
        tfl.layers.globalMaxPooling1d({}),
        tfl.layers.repeatVector({ n: 3 }),
        tfl.layers.simpleRNN({ units: 2, returnSequences: true, ...zeros }),
        tfl.layers.globalAveragePooling1d({}),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    await expectSamePredictions('global pooling', theirs, sequences(14, false));
  });

  it('a functional encoder-decoder whose decoder starts from the encoder states', async () => {
    // tfjs-layers warns that it keeps initialState out of the kwargs it serializes (it lists the states as inputs).
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const source = tfl.input({ shape: [null, features], name: 'source' });
    const target = tfl.input({ shape: [null, 2], name: 'target' });
    const [, h, c] = tfl.layers
      .lstm({ units: 4, returnState: true, name: 'encoder', ...zeros })
      .apply(source) as tfl.SymbolicTensor[];
    const decoded = tfl.layers
      .lstm({ units: 4, returnSequences: true, name: 'decoder', ...zeros })
      .apply(target, { initialState: [h!, c!] }) as tfl.SymbolicTensor;
    const probs = tfl.layers
      .timeDistributed({ layer: tfl.layers.dense({ units: 2, activation: 'softmax' }) })
      .apply(decoded) as tfl.SymbolicTensor;
    const theirs = tfl.model({ inputs: [source, target], outputs: [probs, h!] });
    const targets = sequences(6, false).map((seq) => seq.slice(0, 4).map((step) => step.slice(0, 2)));
    const { ours } = await expectSamePredictions('encoder-decoder', theirs, [sequences(7, false), targets]);
    expect(ours.className).toBe('Functional');
    expect(ours.inputs.map((x) => x.shape)).toEqual([
      [null, null, features],
      [null, null, 2],
    ]);
    warn.mockRestore();
  });

  it('a layer shared by two inputs (two inbound nodes)', async () => {
    const a = tfl.input({ shape: [null, features], name: 'a' });
    const b = tfl.input({ shape: [null, features], name: 'b' });
    const shared = tfl.layers.gru({ units: 3, name: 'shared', ...zeros });
    const head = tfl.layers.dense({ units: 2, name: 'head' });
    const ya = head.apply(shared.apply(a)) as tfl.SymbolicTensor;
    const yb = shared.apply(b) as tfl.SymbolicTensor;
    const theirs = tfl.model({ inputs: [a, b], outputs: [ya, yb] });
    const { ours } = await expectSamePredictions('shared layer', theirs, [
      sequences(14, false),
      sequences(15, false),
    ]);
    expect(ours.layers.map((l) => l.name)).toEqual(['shared', 'head']);
  });

  it('Add, Multiply, and Concatenate along the features and the time axis on masked branches', async () => {
    // Masks only through Concatenate: tfjs-layers 4.22's Add and Multiply hand on a mask of the wrong shape
    // ([1, batch, time], leaving out the last input's mask), where Keras 3 and seqmodel give the AND of the masks.
    const x = tfl.input({ shape: [null, features], name: 'x' });
    const masked = tfl.layers.masking({ maskValue: 0 }).apply(x) as tfl.SymbolicTensor;
    const a = tfl.layers.dense({ units: 3, name: 'a' }).apply(masked) as tfl.SymbolicTensor;
    const b = tfl.layers.dense({ units: 3, name: 'b' }).apply(masked) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate({ name: 'features' }).apply([a, b]) as tfl.SymbolicTensor;
    const steps = tfl.layers.concatenate({ axis: 1, name: 'steps' }).apply([joined, joined]);
    const last = tfl.layers.lstm({ units: 2, ...zeros }).apply(steps) as tfl.SymbolicTensor;
    const y = tfl.input({ shape: [null, features], name: 'y' });
    const c = tfl.layers.dense({ units: 3, name: 'c' }).apply(y) as tfl.SymbolicTensor;
    const d = tfl.layers.dense({ units: 3, name: 'd' }).apply(y) as tfl.SymbolicTensor;
    const sum = tfl.layers.add({ name: 'sum' }).apply([c, d, c]) as tfl.SymbolicTensor;
    const product = tfl.layers.multiply({ name: 'product' }).apply([sum, d]) as tfl.SymbolicTensor;
    const theirs = tfl.model({ inputs: [x, y], outputs: [last, product] });
    const { ours } = await expectSamePredictions('merge layers', theirs, [
      sequences(16, true),
      sequences(17, false),
    ]);
    expect(ours.layers.map((l) => l.className)).toEqual([
      'Masking',
      'Dense',
      'Dense',
      'Concatenate',
      'Concatenate',
      'LSTM',
      'Dense',
      'Dense',
      'Add',
      'Multiply',
    ]);
  });

  it('stateful layers carry their state across predict calls as in tfjs-layers', async () => {
    const theirs = tfl.sequential({
      layers: [tfl.layers.gru({ units: 3, stateful: true, batchInputShape: [batch, 2, features], ...zeros })],
    });
    randomizeTfjsWeights(theirs, 8);
    const artifacts = await tfjsArtifacts(theirs);
    const ref = newBackend();
    const ours = await loadKerasModel<RefTensor>(artifacts as KerasArtifacts, { backend: ref });
    const x = sequences(9, false);
    const first = x.map((s) => s.slice(0, 2));
    const second = x.map((s) => s.slice(2, 4));
    for (const part of [first, second]) {
      expectClose(
        'stateful',
        ourOutputs(ours, ref.tensor(part))[0]!,
        tfjsOutputs(theirs, tf.tensor(part))[0]!,
      );
    }
    theirs.dispose();
  });
});

describe("loadKerasModel: tfjs-layers' RNN wrapper around cells (its file repeats the cell's config at the top)", () => {
  it('RNN(lstmCell), RNN([lstmCell, gruCell]) with masks, and a stateful stack predict as tfjs-layers (atol 1e-5)', async () => {
    const cells = () => [
      tfl.layers.lstmCell({ units: 3, ...zeros }),
      tfl.layers.gruCell({ units: 2, recurrentActivation: 'sigmoid', ...zeros }),
    ];
    const cases: [string, () => tfl.LayersModel, number[][][] | number[][], boolean][] = [
      [
        'one cell',
        () =>
          tfl.sequential({
            layers: [
              tfl.layers.rnn({
                cell: tfl.layers.lstmCell({ units: 3, ...zeros }),
                inputShape: [null, features],
              }),
            ],
          }),
        sequences(13, false),
        false,
      ],
      [
        'stacked cells after a masking embedding',
        () =>
          tfl.sequential({
            layers: [
              tfl.layers.embedding({ inputDim: 9, outputDim: features, maskZero: true, inputShape: [null] }),
              tfl.layers.rnn({ cell: cells(), returnSequences: true }),
            ],
          }),
        [
          [3, 1, 0, 0, 0],
          [2, 5, 7, 8, 0],
          [4, 4, 4, 4, 4],
        ],
        false,
      ],
      [
        'a stateful stack',
        () =>
          tfl.sequential({
            layers: [
              tfl.layers.rnn({ cell: cells(), stateful: true, batchInputShape: [batch, 2, features] }),
            ],
          }),
        sequences(14, false),
        true,
      ],
    ];
    for (const [label, make, x, stateful] of cases) {
      const theirs = make();
      randomizeTfjsWeights(theirs, 15);
      const artifacts = await tfjsArtifacts(theirs);
      const ref = newBackend();
      const ours = await loadKerasModel<RefTensor>(artifacts as KerasArtifacts, { backend: ref });
      const parts = stateful
        ? [0, 2].map((start) => (x as number[][][]).map((row) => row.slice(start, start + 2)))
        : [x];
      for (const part of parts) {
        expectClose(label, ourOutputs(ours, ref.tensor(part))[0]!, tfjsOutputs(theirs, tf.tensor(part))[0]!);
      }
      expect(ours.layers.at(-1)!.className).toBe(label === 'one cell' ? 'LSTM' : 'Stacked');
      theirs.dispose();
    }
  });
});

describe('loadKerasModel sources', () => {
  async function savedModel() {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.lstm({ units: 3, returnSequences: true, inputShape: [null, features], ...zeros }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    randomizeTfjsWeights(theirs, 11);
    const artifacts = await tfjsArtifacts(theirs);
    const x = sequences(12, false);
    const expected = tfjsOutputs(theirs, tf.tensor(x))[0]!;
    theirs.dispose();
    return { artifacts, x, expected };
  }

  it('reads model.json and its weight shards from a Node path (the file, its directory, a file: URL)', async () => {
    const { artifacts, x, expected } = await savedModel();
    const dir = await tempDirectory();
    const jsonPath = await writeTfjsFiles(artifacts, dir, 3);
    const ref = newBackend();
    for (const source of [jsonPath, dir, pathToFileURL(jsonPath).href]) {
      const ours = await loadKerasModel<RefTensor>(source, { backend: ref });
      expectClose(`from ${source}`, ourOutputs(ours, ref.tensor(x))[0]!, expected);
      ours.dispose();
    }
    await expect(loadKerasModel(join(dir, 'missing.json'), { backend: ref })).rejects.toThrow(
      `loadKerasModel: cannot read ${join(dir, 'missing.json')}`,
    );
  });

  it('fetches model.json and its weights from a URL, relative to the model.json', async () => {
    const { artifacts, x, expected } = await savedModel();
    const dir = await tempDirectory();
    await writeTfjsFiles(artifacts, dir, 2);
    const server = await serveDirectory(dir);
    try {
      const ref = newBackend();
      for (const url of [`${server.url}model.json`, new URL('model.json', server.url)]) {
        const ours = await loadKerasModel<RefTensor>(url, { backend: ref });
        expectClose('from a URL', ourOutputs(ours, ref.tensor(x))[0]!, expected);
      }
      await expect(loadKerasModel(`${server.url}nothing.json`, { backend: ref })).rejects.toThrow(
        `loadKerasModel: cannot fetch ${server.url}nothing.json: HTTP 404`,
      );
    } finally {
      await server.close();
    }
  });

  it('takes tfjs ModelArtifacts, { modelJson, weights } and sources with load()', async () => {
    const { artifacts, x, expected } = await savedModel();
    const data = artifacts.weightData as ArrayBuffer;
    const half = Math.floor(data.byteLength / 8) * 4;
    const manifest = [{ paths: ['a.bin', 'b.bin'], weights: artifacts.weightSpecs! }];
    const modelJson = {
      format: 'layers-model',
      modelTopology: artifacts.modelTopology as Record<string, unknown>,
      weightsManifest: manifest,
    };
    const sources = {
      'ModelArtifacts with split weightData': {
        ...artifacts,
        weightData: [data.slice(0, half), data.slice(half)],
      },
      'tf.io.fromMemory': tf.io.fromMemory(artifacts),
      '{ modelJson, weights: [...] }': {
        modelJson,
        weights: [data.slice(0, half), new Uint8Array(data.slice(half))],
      },
      '{ modelJson (text), weights: { path: buffer } }': {
        modelJson: JSON.stringify(modelJson),
        weights: { 'a.bin': data.slice(0, half), 'b.bin': data.slice(half) },
      },
      '{ modelJson, weights: Map }': {
        modelJson,
        weights: new Map([
          ['a.bin', data.slice(0, half)],
          ['b.bin', data.slice(half)],
        ]),
      },
      '{ modelJson, weights: one buffer }': { modelJson, weights: data },
    };
    const ref = newBackend();
    for (const [label, source] of Object.entries(sources)) {
      const ours = await loadKerasModel<RefTensor>(source as never, { backend: ref });
      expectClose(label, ourOutputs(ours, ref.tensor(x))[0]!, expected);
    }
    await expect(loadKerasModel({ modelJson, weights: [data] }, { backend: ref })).rejects.toThrow(
      'loadKerasModel weights: the manifest lists 2 weight files (a.bin, b.bin), received 1 buffers',
    );
    await expect(loadKerasModel(modelJson as never, { backend: ref })).rejects.toThrow(
      'loadKerasModel: artifacts is a model.json without its weights; pass { modelJson, weights }, a path or a URL',
    );
    await expect(loadKerasModel({ modelJson, weights: {} }, { backend: ref })).rejects.toThrow(
      'loadKerasModel weights: no contents for the weight file "a.bin"',
    );
    await expect(loadKerasModel(42 as never, { backend: ref })).rejects.toThrow(
      'loadKerasModel source: expected',
    );
    await expect(loadKerasModel(artifacts as never, {} as never)).rejects.toThrow(
      'loadKerasModel options.backend: expected a seqmodel Backend',
    );
  });

  it('takes the model.json of tfjs ModelArtifacts from other formats only with a clear error', async () => {
    const ref = newBackend();
    await expect(
      loadKerasModel(
        { modelTopology: {}, format: 'graph-model', weightSpecs: [], weightData: new ArrayBuffer(0) },
        { backend: ref },
      ),
    ).rejects.toThrow(
      'loadKerasModel: artifacts is a tfjs graph model (format "graph-model", a converted SavedModel)',
    );
    await expect(
      loadKerasModel(
        { modelJson: { format: 'seqmodel-layers' } as never, weights: new ArrayBuffer(0) },
        { backend: ref },
      ),
    ).rejects.toThrow("loadKerasModel: modelJson is in seqmodel's own format; load it with loadModel");
  });

  it('leaves only the model’s weights behind, and nothing after dispose or a failed load', async () => {
    const { artifacts, x } = await savedModel();
    const ref = newBackend();
    const before = ref.memory().numTensors;
    const ours = await loadKerasModel<RefTensor>(artifacts as KerasArtifacts, { backend: ref });
    expect(ref.memory().numTensors).toBe(before + ours.weights.length);
    const input = ref.tensor(x);
    const y = ours.predict(input) as RefTensor;
    const nested = ours.predict(x) as RefTensor;
    expect(ref.memory().numTensors).toBe(before + ours.weights.length + 3);
    ref.dispose([input, y, nested]);
    ours.dispose();
    expect(ref.memory().numTensors).toBe(before);
    const specs = artifacts.weightSpecs!;
    const broken = {
      ...artifacts,
      weightSpecs: [...specs.slice(0, 3), { ...specs[3]!, shape: [2, 1] }, specs[4]!],
    };
    const data = artifacts.weightData as ArrayBuffer;
    await expect(
      loadKerasModel({ ...broken, weightData: data.slice(0, data.byteLength - 4 * 4) } as never, {
        backend: ref,
      }),
    ).rejects.toThrow('loadKerasModel layer dense');
    expect(ref.memory().numTensors).toBe(before);
  });
});
