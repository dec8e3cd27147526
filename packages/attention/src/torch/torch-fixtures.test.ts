/**
 * PyTorch's own numbers for the attention modules (fixtures/generate.py, torch 1.13 on CPU in float64): the state
 * dicts of `nn.LayerNorm`, `nn.MultiheadAttention` (self and cross), `nn.TransformerEncoderLayer` / `DecoderLayer`
 * (post-norm and pre-norm, an encoder layer with `activation="gelu"`; decoders called with the causal `tgt_mask`), `nn.TransformerEncoder` and a pre-norm
 * `nn.TransformerDecoder` (each with a final norm) load into the layers of the `torch*` helpers; forward within 1e-5
 * on cpu and wasm (float32 arithmetic through two attentions and three normalizations) and 1e-9 on the float64
 * reference (the weights are float32-exact, so only float64 rounding is left); one SGD step within 1e-5.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { type Backend, createReferenceBackend } from '@seqmodel/core';
import {
  input,
  type Layer,
  loadTorchWeights,
  model,
  type SymbolicTensor,
  torchStateDict,
} from '@seqmodel/layers';
import { checkTorchFixture, parseTorchFixture } from '@seqmodel/layers/testing';
import { describe, expect, it } from 'vitest';
import '../register.js';
import * as tf from '@tensorflow/tfjs-core';
import { multiHeadAttention } from '../layers/multi-head-attention.js';
import { cpuBackend } from '../test-helpers.js';
import {
  torchLayerNorm,
  torchMultiheadAttention,
  torchTransformerDecoder,
  torchTransformerDecoderLayer,
  torchTransformerEncoder,
  torchTransformerEncoderLayer,
} from './modules.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function readFixture(name: string) {
  return parseTorchFixture(
    readFileSync(join(FIXTURES, `${name}.safetensors`)),
    readFileSync(join(FIXTURES, `${name}.io.safetensors`)),
    name,
  );
}

const E = 8;
const layerArgs = { nhead: 2, dimFeedforward: 16 };
const CASES: readonly { name: string; make: () => Layer }[] = [
  { name: 'layer_norm', make: () => torchLayerNorm({ normalizedShape: 6 }) },
  { name: 'multihead_attention', make: () => torchMultiheadAttention({ embedDim: E, numHeads: 2 }) },
  { name: 'multihead_attention_cross', make: () => torchMultiheadAttention({ embedDim: E, numHeads: 2 }) },
  { name: 'encoder_layer', make: () => torchTransformerEncoderLayer(layerArgs) },
  {
    name: 'encoder_layer_pre_norm',
    make: () => torchTransformerEncoderLayer({ ...layerArgs, normFirst: true }),
  },
  {
    name: 'encoder_layer_gelu',
    make: () => torchTransformerEncoderLayer({ ...layerArgs, activation: 'gelu' }),
  },
  { name: 'decoder_layer', make: () => torchTransformerDecoderLayer(layerArgs) },
  {
    name: 'decoder_layer_pre_norm',
    make: () => torchTransformerDecoderLayer({ ...layerArgs, normFirst: true }),
  },
  { name: 'encoder', make: () => torchTransformerEncoder({ ...layerArgs, numLayers: 2, norm: true }) },
  {
    name: 'decoder',
    make: () => torchTransformerDecoder({ ...layerArgs, numLayers: 2, normFirst: true, norm: true }),
  },
];

describe('PyTorch fixtures: forward (float64 reference, cpu, wasm) and one SGD step (cpu, wasm)', () => {
  tf.env().set('IS_TEST', false);
  const backends: [string, () => Promise<Backend<unknown>>][] = [
    ['reference', async () => createReferenceBackend() as Backend<unknown>],
    ['cpu', async () => cpuBackend() as Backend<unknown>],
    ['wasm', async () => (await createWasmBackend()) as Backend<unknown>],
  ];
  for (const [backendName, make] of backends) {
    for (const c of CASES) {
      it(`${c.name} on ${backendName}`, async () => {
        tf.env().set('IS_TEST', false);
        const backend = await make();
        const fixture = readFixture(c.name);
        const layer = c.make();
        const query = input({ shape: fixture.io.get('input')!.shape.slice(1) });
        const memory = fixture.io.has('input1')
          ? input({ shape: fixture.io.get('input1')!.shape.slice(1) })
          : undefined;
        // Self-attention is `[x, x]`; PyTorch's (query, memory, memory) is `[query, memory]`.
        const inputs = c.name === 'multihead_attention' ? [query, query] : memory ? [query, memory] : query;
        const m = model({
          inputs: memory ? [query, memory] : query,
          outputs: layer.apply(inputs) as SymbolicTensor,
          backend,
          seed: 1,
        });
        const check = checkTorchFixture(m, fixture, { mapping: { [layer.name]: '' } });
        m.dispose();
        expect(check.forward).toBeLessThan(backendName === 'reference' ? 1e-9 : 1e-5);
        expect(check.tensorsLeft).toBe(0);
        if (backendName === 'reference') return;
        expect(check.afterStep, check.worstKey).toBeLessThan(1e-5);
      });
    }
  }
});

describe('PyTorch mappings: one layer, and what does not map', () => {
  it('loads one layer under a prefix, and refuses layouts PyTorch does not pack', async () => {
    const backend = createReferenceBackend();
    const fixture = readFixture('multihead_attention');
    const prefixed = new Map([...fixture.state].map(([k, t]) => [`encoder.attn.${k}`, t]));
    const layer = torchMultiheadAttention({ embedDim: E, numHeads: 2 });
    layer.build(backend, [
      [null, null, E],
      [null, null, E],
    ]);
    await loadTorchWeights(layer, prefixed, { prefix: 'encoder.attn' });
    const saved = torchStateDict(layer, { prefix: 'encoder.attn' });
    for (const [key, t] of prefixed)
      expect(Array.from(saved.get(key)!.data), key).toEqual(Array.from(t.data));

    const grouped = multiHeadAttention({ numHeads: 2, keyDim: 4, numKeyValueHeads: 1 });
    grouped.build(backend, [
      [null, null, E],
      [null, null, E],
    ]);
    expect(() => torchStateDict(grouped)).toThrow(
      "multi_head_attention (MultiHeadAttention): PyTorch's packed in_proj_weight needs query, key, value and output of size 8",
    );
    const narrow = multiHeadAttention({ numHeads: 2, keyDim: 3 });
    narrow.build(backend, [
      [null, null, E],
      [null, null, E],
    ]);
    expect(() => torchStateDict(narrow)).toThrow(
      'multi_head_attention (MultiHeadAttention): PyTorch weights need a model size equal to numHeads × head size (embed_dim divisible by num_heads), received model size 8 with 2 heads of 3',
    );
    expect(() => torchMultiheadAttention({ embedDim: 10, numHeads: 4 })).toThrow(
      'torchMultiheadAttention embedDim: expected a multiple of numHeads (4), received 10',
    );
    expect(() => torchTransformerEncoderLayer({ nhead: 2, activation: 'swish' as 'relu' })).toThrow(
      'torchTransformerEncoderLayer activation: expected one of "relu", "gelu", received "swish"',
    );
    expect(() => torchTransformerEncoderLayer({ nhead: 2, d_model: 8 } as never)).toThrow(
      'torchTransformerEncoderLayer options: unknown option "d_model"',
    );
    expect(() => torchLayerNorm({ normalizedShape: [2, 3] as never })).toThrow(
      'torchLayerNorm normalizedShape',
    );
  });
});
