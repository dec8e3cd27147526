/**
 * Keras model files with attention layers: a Keras 3 functional model (see `fixtures/README.md`) loads into the
 * model one would build by hand with the same weights, saves back with multi-tensor calls, and loads again; grouped-
 * query attention round-trips as Keras 3's `GroupedQueryAttention`; unsupported call arguments and options are named.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createReferenceBackend, createRng, type RefTensor } from '@seqmodel/core';
import {
  dense,
  embedding,
  input,
  type KerasModelJson,
  kerasArtifactsFromModel,
  loadKerasModel,
  lstm,
  type Model,
  model,
  type SymbolicTensor,
} from '@seqmodel/layers';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { attention } from '../layers/attention.js';
import { layerNormalization } from '../layers/layer-normalization.js';
import { multiHeadAttention } from '../layers/multi-head-attention.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'keras3-lstm-attention.json');

async function fixture(): Promise<KerasModelJson> {
  return JSON.parse(await readFile(FIXTURE, 'utf8')) as KerasModelJson;
}

/** Seeded float32 weights for every manifest entry, and the weights file holding them. */
function weightsFor(json: KerasModelJson): { values: Float32Array[]; data: ArrayBuffer } {
  const rng = createRng('keras3-attention');
  const values = json.weightsManifest
    .flatMap((g) => g.weights)
    .map((s) =>
      Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-0.8, 0.8)),
    );
  const data = new Uint8Array(values.reduce((n, v) => n + v.byteLength, 0));
  let offset = 0;
  for (const v of values) {
    data.set(new Uint8Array(v.buffer), offset);
    offset += v.byteLength;
  }
  return { values, data: data.buffer };
}

/** Token ids with padding (0) at the end of row 1 and the start of row 2. */
const tokens = [
  [3, 1, 4, 1, 5],
  [2, 6, 5, 0, 0],
  [0, 4, 2, 6, 3],
];

const ref = createReferenceBackend();

/** The layers of a topology seqmodel saved (a functional `Model` config, with or without tfjs' wrapper). */
function savedLayers(topology: Record<string, unknown>): Record<string, unknown>[] {
  const config = (topology.model_config ?? topology) as { config: { layers: Record<string, unknown>[] } };
  return config.config.layers;
}

function predict(m: Model<RefTensor>): number[] {
  const y = m.predict(ref.tensor(tokens.flat(), [3, 5], 'int32')) as RefTensor;
  return Array.from(ref.toFloat64(y));
}

describe('Keras 3 functional model with MultiHeadAttention, LayerNormalization and Attention', () => {
  it('loads into the model built by hand with the same weights', async () => {
    const json = await fixture();
    const { values, data } = weightsFor(json);
    const loaded = await loadKerasModel({ modelJson: json, weights: data }, { backend: ref });
    const x = input({ shape: [null], dtype: 'int32', name: 'tokens' });
    const e = embedding({ inputDim: 7, outputDim: 4, maskZero: true }).apply(x) as SymbolicTensor;
    const h = lstm({ units: 4, returnSequences: true }).apply(e) as SymbolicTensor;
    const a = multiHeadAttention({ numHeads: 2, keyDim: 3, useCausalMask: true }).apply([
      h,
      h,
    ]) as SymbolicTensor;
    const n = layerNormalization().apply(a) as SymbolicTensor;
    const c = attention({ useScale: true }).apply([n, h]) as SymbolicTensor;
    const y = dense({ units: 3, activation: 'softmax' }).apply(c) as SymbolicTensor;
    const byHand = model({ inputs: x, outputs: y, backend: ref, seed: 1 });
    byHand.setWeights(values);
    const expected = predict(byHand);
    expect(predict(loaded)).toEqual(expected);
    const mha = loaded.layers.find((l) => l.className === 'MultiHeadAttention') as ReturnType<
      typeof multiHeadAttention
    >;
    expect(mha.useCausalMask).toBe(true);
    expect(mha.weights.map((w) => `${w.shortName} ${JSON.stringify(w.shape)}`)).toEqual([
      'query/kernel [4,2,3]',
      'query/bias [2,3]',
      'key/kernel [4,2,3]',
      'key/bias [2,3]',
      'value/kernel [4,2,3]',
      'value/bias [2,3]',
      'attention_output/kernel [2,3,4]',
      'attention_output/bias [4]',
    ]);
  });

  it('saves multi-tensor calls as Keras writes them and loads the saved file to the same predictions', async () => {
    const json = await fixture();
    const loaded = await loadKerasModel(
      { modelJson: json, weights: weightsFor(json).data },
      { backend: ref },
    );
    const saved = kerasArtifactsFromModel(loaded);
    const layers = savedLayers(saved.modelTopology);
    const nodes = (name: string) => layers.find((l) => l.name === name)!.inbound_nodes;
    expect(nodes('multi_head_attention')).toEqual([
      [['lstm', 0, 0, { value: ['lstm', 0, 0], use_causal_mask: true }]],
    ]);
    expect(nodes('attention')).toEqual([
      [
        ['layer_normalization', 0, 0, {}],
        ['lstm', 0, 0, {}],
      ],
    ]);
    const again = await loadKerasModel(saved, { backend: ref });
    expect(predict(again)).toEqual(predict(loaded));
  });

  it('round-trips grouped-query attention as GroupedQueryAttention', async () => {
    const x = input({ shape: [null, 4] });
    const y = multiHeadAttention({ numHeads: 4, keyDim: 2, numKeyValueHeads: 2 }).apply([
      x,
      x,
    ]) as SymbolicTensor;
    const m = model({ inputs: x, outputs: y, backend: ref, seed: 3 });
    const saved = kerasArtifactsFromModel(m);
    const layer = savedLayers(saved.modelTopology)[1]!;
    expect(layer.class_name).toBe('GroupedQueryAttention');
    expect(layer.config).toMatchObject({ head_dim: 2, num_query_heads: 4, num_key_value_heads: 2 });
    const again = await loadKerasModel(saved, { backend: ref });
    const data = ref.tensor(
      Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)),
      [2, 3, 4],
    );
    expect(Array.from(ref.toFloat64(again.predict(data) as typeof data))).toEqual(
      Array.from(ref.toFloat64(m.predict(data) as typeof data)),
    );
  });

  it('names unsupported call arguments and options', async () => {
    const json = await fixture();
    const { data } = weightsFor(json);
    const edit = (change: (layers: Record<string, unknown>[]) => void) => {
      const copy = JSON.parse(JSON.stringify(json)) as KerasModelJson;
      change(
        (copy.modelTopology.model_config as { config: { layers: Record<string, unknown>[] } }).config.layers,
      );
      return loadKerasModel({ modelJson: copy, weights: data }, { backend: ref });
    };
    const mha = (layers: Record<string, unknown>[]) => layers.find((l) => l.name === 'multi_head_attention')!;
    await expect(
      edit((layers) => {
        const node = (mha(layers).inbound_nodes as { kwargs: Record<string, unknown> }[])[0]!;
        node.kwargs.attention_mask = {
          class_name: '__keras_tensor__',
          config: { shape: [null, null, null], dtype: 'bool', keras_history: ['tokens', 0, 0] },
        };
      }),
    ).rejects.toThrow(
      'loadKerasModel: layer multi_head_attention (MultiHeadAttention) inbound node 0: call argument attention_mask is not supported',
    );
    await expect(
      edit((layers) => {
        (mha(layers).config as Record<string, unknown>).attention_axes = [2];
      }),
    ).rejects.toThrow(
      'option attention_axes: expected null or [1] (attention over the time axis of [batch, time, features]), received [2]',
    );
    await expect(
      edit((layers) => {
        const nodes = mha(layers).inbound_nodes as { kwargs: Record<string, unknown> }[];
        nodes.push({ ...nodes[0]!, kwargs: { ...nodes[0]!.kwargs, use_causal_mask: false } });
      }),
    ).rejects.toThrow(
      'call argument use_causal_mask: expected the same value in every call (seqmodel keeps it as a layer option), received true and false',
    );
  });
});
