import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AnyCellPlugin,
  type CellPlugin,
  type RefTensor,
  registerCell,
  unregisterCell,
} from '@seqmodel/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type CallArgs, Layer } from '../../engine/layer.js';
import { registerLayer, unregisterLayer } from '../../engine/registry.js';
import type { ShapeSpec } from '../../engine/shape-spec.js';
import { input, type SymbolicTensor } from '../../engine/symbolic.js';
import { activation } from '../../layers/activation.js';
import { bidirectional } from '../../layers/bidirectional.js';
import { dense } from '../../layers/dense.js';
import { dropout } from '../../layers/dropout.js';
import { embedding } from '../../layers/embedding.js';
import { flatten } from '../../layers/flatten.js';
import { masking } from '../../layers/masking.js';
import { repeatVector } from '../../layers/repeat-vector.js';
import { gru, lstm, rnn, simpleRNN } from '../../layers/rnn.js';
import { stacked } from '../../layers/stacked.js';
import { timeDistributed } from '../../layers/time-distributed.js';
import { model } from '../../models/functional.js';
import { sequential } from '../../models/sequential.js';
import { newBackend, randomTensor, values } from '../../test-helpers.js';
import { deserializeModel, type ModelArtifacts, serializeModel } from './artifacts.js';
import { loadModel, saveModel } from './save-load.js';

const directories: string[] = [];
afterAll(async () => {
  for (const d of directories) await rm(d, { recursive: true, force: true });
});

/** A model with every built-in layer. */
function everyLayer() {
  const ref = newBackend();
  const tokens = sequential<RefTensor>(
    [
      embedding({ inputDim: 20, outputDim: 4, maskZero: true }),
      bidirectional(lstm({ units: 3, returnSequences: true }), { mergeMode: 'ave' }),
      stacked([gru({ units: 3, resetAfter: false }), rnn({ cell: 'simpleRNN', units: 3 })], {
        residual: true,
      }),
      dropout({ rate: 0.2 }),
      repeatVector({ n: 2 }),
      simpleRNN({ units: 2, returnSequences: true }),
      timeDistributed(dense({ units: 3 })),
      flatten(),
      activation({ activation: 'softmax' }),
    ],
    { backend: ref, seed: 17, inputShape: [5] },
  );
  return { ref, model: tokens };
}

describe('own save format', () => {
  it('writes model.json and weights.<content hash>.bin to a directory and loads identical weights and predictions', async () => {
    const { ref, model: original } = everyLayer();
    const dir = await mkdtemp(join(tmpdir(), 'seqmodel-layers-'));
    directories.push(dir);
    await saveModel(original, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('seqmodel-layers');
    expect(json.formatVersion).toBe(1);
    expect(json.model.className).toBe('Sequential');
    expect(json.weights.entries[0]).toEqual({
      name: 'embedding/embeddings',
      shape: [20, 4],
      dtype: 'float32',
      offset: 0,
      byteLength: 320,
    });
    expect(json.weights.path).toMatch(/^weights\.[0-9a-f]{16}\.bin$/);
    expect((await readdir(dir)).sort()).toEqual(['model.json', json.weights.path]);
    const bytes = await readFile(join(dir, json.weights.path));
    expect(bytes.byteLength).toBe(4 * original.countParams());
    // Little-endian float32, in weight order.
    const first = original.getWeightData()[0]!.values[0]!;
    expect(new DataView(bytes.buffer, bytes.byteOffset).getFloat32(0, true)).toBe(first);

    const other = newBackend();
    const loaded = await loadModel<RefTensor>(dir, { backend: other });
    expect(loaded.toJSON()).toEqual(original.toJSON());
    expect(loaded.getWeightData()).toEqual(original.getWeightData());
    const ids = [
      [1, 2, 3, 0, 0],
      [4, 5, 6, 7, 8],
    ];
    const a = values(ref, original.predict(ref.tensor(ids)) as RefTensor);
    const b = values(other, loaded.predict(other.tensor(ids)) as RefTensor);
    expect(b).toEqual(a);
  });

  it('round-trips in memory, through sinks and sources, and functional encoder-decoders', async () => {
    const ref = newBackend();
    const source = input({ shape: [null, 3], name: 'source' });
    const [, h, c] = lstm({ units: 4, returnState: true }).apply(
      masking().apply(source) as SymbolicTensor,
    ) as SymbolicTensor[];
    const target = input({ shape: [null, 2], name: 'target' });
    const decoded = lstm({ units: 4, returnSequences: true }).apply(target, { initialState: [h!, c!] });
    const out = timeDistributed(dense({ units: 2 })).apply(decoded as SymbolicTensor) as SymbolicTensor;
    const original = model<RefTensor>({
      inputs: [source, target],
      outputs: [out, h!],
      backend: ref,
      seed: 3,
    });
    let stored: ModelArtifacts | undefined;
    await saveModel(original, {
      save: (artifacts) => {
        stored = artifacts;
      },
    });
    const loaded = await loadModel<RefTensor>({ load: () => stored! }, { backend: ref });
    const inMemory = await loadModel<RefTensor>(await saveModel(original), { backend: ref });
    const x = randomTensor(ref, [2, 5, 3], 1);
    const y = randomTensor(ref, [2, 3, 2], 2);
    const expected = (original.predict([x, y]) as RefTensor[]).map((t) => values(ref, t));
    for (const m of [loaded, inMemory]) {
      expect((m.predict([x, y]) as RefTensor[]).map((t) => values(ref, t))).toEqual(expected);
      expect(m.seed).toBe(3);
    }
  });

  it('saves custom layers once their class is registered', async () => {
    class Scale extends Layer {
      readonly className = 'TestScale';
      override readonly supportsMasking = true;
      constructor(readonly factor: number) {
        super();
      }
      computeOutputShape(shapes: readonly ShapeSpec[]) {
        return [shapes[0]!];
      }
      call<T>(
        ctx: import('../../engine/context.js').CallContext<T>,
        inputs: readonly T[],
        _args: CallArgs<T>,
      ): T[] {
        return [ctx.backend.mul(inputs[0]!, this.factor)];
      }
      override getConfig() {
        return { ...super.getConfig(), factor: this.factor };
      }
    }
    const ref = newBackend();
    const original = sequential<RefTensor>([dense({ units: 2 }), new Scale(3)], {
      backend: ref,
      seed: 1,
      inputShape: [2],
    });
    const artifacts = serializeModel(original);
    expect(() => deserializeModel(artifacts, { backend: ref })).toThrow(
      'unknown layer class "TestScale"; registered: RNN, SimpleRNN, LSTM, GRU, Bidirectional, Stacked, Dense',
    );
    registerLayer({ className: 'TestScale', fromConfig: (config) => new Scale(config.factor as number) });
    try {
      const loaded = deserializeModel<RefTensor>(artifacts, { backend: ref });
      const x = ref.tensor([[1, 2]]);
      expect(values(ref, loaded.predict(x) as RefTensor)).toEqual(
        values(ref, original.predict(x) as RefTensor),
      );
      expect(() => registerLayer({ className: 'TestScale', fromConfig: () => new Scale(1) })).toThrow(
        'registerLayer: a layer class named "TestScale" is already registered; pass { replace: true } to replace it',
      );
    } finally {
      unregisterLayer('TestScale');
    }
  });

  it('names the layer and the fix when a saved model uses a plugin cell that is not registered', () => {
    // A leaky integrator, h = 0.5 h + 0.5 tanh(x·W): a plugin cell, known by name once registered.
    const leaky: CellPlugin<Record<string, never>> = {
      name: 'leakySaved',
      defaultOptions: {},
      params: ({ inputSize, units: n }) => [
        { name: 'kernel', shape: [inputSize, n], initializer: 'glorotUniform' },
      ],
      state: ({ units: n }) => [{ name: 'h', size: n }],
      step(ops, { input, state, params }) {
        const h = ops.add(ops.mul(state[0]!, 0.5), ops.mul(ops.tanh(ops.matMul(input, params.kernel!)), 0.5));
        return { output: h, state: [h] };
      },
    };
    const ref = newBackend();
    registerCell(leaky as AnyCellPlugin);
    let artifacts: ModelArtifacts;
    try {
      const original = sequential<RefTensor>(
        [rnn({ cell: 'leakySaved', units: 2, name: 'encoder' }), dense({ units: 1 })],
        { backend: ref, seed: 1, inputShape: [null, 2] },
      );
      artifacts = serializeModel(original);
      original.dispose();
    } finally {
      unregisterCell('leakySaved');
    }
    // As in a process that loads the model without registering the cell first.
    const before = ref.memory().numTensors;
    expect(() => deserializeModel(artifacts, { backend: ref })).toThrow(
      'rnn "encoder" cell: unknown cell "leakySaved"; registered cells: simpleRNN, lstm, gru. A plugin cell is ' +
        'known by name only once registered: call registerCell(cell) first (also before loading a saved model that uses it)',
    );
    expect(ref.memory().numTensors).toBe(before);
    registerCell(leaky as AnyCellPlugin);
    try {
      const loaded = deserializeModel<RefTensor>(artifacts, { backend: ref });
      expect(loaded.layers[0]!.name).toBe('encoder');
      loaded.dispose();
    } finally {
      unregisterCell('leakySaved');
    }
  });

  it('explains files it cannot load', async () => {
    const ref = newBackend();
    const { model: original } = everyLayer();
    const artifacts = serializeModel(original);
    const json = artifacts.modelJSON;
    expect(() =>
      deserializeModel(
        { ...artifacts, modelJSON: { ...json, format: 'layers-model' as never } },
        { backend: ref },
      ),
    ).toThrow(
      'loadModel: artifacts.modelJSON: format: expected "seqmodel-layers" (a tfjs model: load layers models with loadKerasModel), received "layers-model"',
    );
    expect(() =>
      deserializeModel({ ...artifacts, modelJSON: { ...json, formatVersion: 2 } }, { backend: ref }),
    ).toThrow(
      'loadModel: artifacts.modelJSON: formatVersion: expected 1 (the version this release reads), received 2',
    );
    expect(() =>
      deserializeModel({ ...artifacts, weightData: artifacts.weightData.slice(4) }, { backend: ref }),
    ).toThrow(
      `loadModel: artifacts.modelJSON: weights.byteLength: the manifest declares ${artifacts.weightData.byteLength} bytes, weightData has ${artifacts.weightData.byteLength - 4}`,
    );
    const renamed = {
      ...json,
      weights: {
        ...json.weights,
        entries: json.weights.entries.map((e, i) => (i === 0 ? { ...e, name: 'other' } : e)),
      },
    };
    const before = ref.memory().numTensors;
    expect(() => deserializeModel({ ...artifacts, modelJSON: renamed }, { backend: ref })).toThrow(
      'loadModel: artifacts.modelJSON: weights.entries[0].name: expected the name of a weight of sequential (Sequential) (embedding/embeddings,',
    );
    expect(ref.memory().numTensors).toBe(before);
    const misplaced = {
      ...json,
      weights: {
        ...json.weights,
        entries: json.weights.entries.map((e, i) => (i === 1 ? { ...e, offset: -4 } : e)),
      },
    };
    expect(() => deserializeModel({ ...artifacts, modelJSON: misplaced }, { backend: ref })).toThrow(
      'loadModel: artifacts.modelJSON: weights.entries[1].offset: expected an integer >= 0, received -4',
    );
    expect(ref.memory().numTensors).toBe(before);
    await expect(loadModel('/nonexistent/seqmodel', { backend: ref })).rejects.toThrow(
      'loadModel: cannot read /nonexistent/seqmodel/model.json',
    );
    await expect(saveModel(original, 42 as never)).rejects.toThrow(
      'saveModel target: expected a directory path, an object with save(artifacts), or nothing, received 42',
    );
  });
});
