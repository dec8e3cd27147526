/**
 * The transformer blocks against the formulas written out with loops in float64 (keras-hub's and PyTorch's
 * definitions: scaled dot-product attention per head, masked keys and queries, post- or pre-norm residual sublayers,
 * a ReLU feed-forward network), within 1e-9 on the float64 reference backend and 1e-5 on tfjs' CPU backend (float32
 * through two attentions and three normalizations: measured below 2e-6). Also: causality, streaming, the PyTorch
 * state-dict names of every weight, and the errors.
 */
import { type Backend, createReferenceBackend, type RefTensor } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import { input, type Layer, model, type SymbolicTensor } from '@seqmodel/layers';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { transformerLanguageModel } from '../models/transformer-language-model.js';
import { cpuBackend, normals, values } from '../test-helpers.js';
import { pytorchStateDictName } from './pytorch-names.js';
import { transformerDecoderBlock } from './transformer-decoder-block.js';
import { transformerDecoderStack } from './transformer-decoder-stack.js';
import { transformerEncoderBlock } from './transformer-encoder-block.js';
import { transformerEncoderStack } from './transformer-encoder-stack.js';

type Matrix = number[][];
type Weights = Map<string, { values: number[]; shape: readonly number[] }>;

/** Weights of a built layer by their path inside it (`self_attention/query/kernel`), in float64. */
function weightsOf<T>(layer: Layer, backend: Backend<T>): Weights {
  return new Map(
    layer.weights.map((w) => [
      w.name.slice(layer.path.length + 1),
      { values: values(backend, w.read<T>()), shape: w.shape },
    ]),
  );
}

const relu = (v: number) => Math.max(0, v);

function affine(
  x: Matrix,
  kernel: number[],
  bias: number[] | undefined,
  inSize: number,
  outSize: number,
): Matrix {
  return x.map((row) =>
    Array.from({ length: outSize }, (_, o) => {
      let s = bias?.[o] ?? 0;
      for (let i = 0; i < inSize; i++) s += row[i]! * kernel[i * outSize + o]!;
      return s;
    }),
  );
}

function layerNorm(x: Matrix, w: Weights, name: string, epsilon: number): Matrix {
  const gamma = w.get(`${name}/gamma`)!.values;
  const beta = w.get(`${name}/beta`)!.values;
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + epsilon)) * gamma[i]! + beta[i]!);
  });
}

/** Multi-head attention of `query` rows over `keys` rows, `allowed(i, j)` saying which key query i may attend to. */
function attention(
  query: Matrix,
  keys: Matrix,
  w: Weights,
  name: string,
  heads: number,
  allowed: (i: number, j: number) => boolean,
): Matrix {
  const E = query[0]!.length;
  const Ek = keys[0]!.length;
  const dk = w.get(`${name}/query/kernel`)!.shape[2]!;
  const proj = (x: Matrix, part: string, inSize: number) =>
    affine(
      x,
      w.get(`${name}/${part}/kernel`)!.values,
      w.get(`${name}/${part}/bias`)!.values,
      inSize,
      heads * dk,
    );
  const [Q, K, V] = [proj(query, 'query', E), proj(keys, 'key', Ek), proj(keys, 'value', Ek)];
  const merged: Matrix = query.map(() => new Array(heads * dk).fill(0));
  for (let h = 0; h < heads; h++) {
    query.forEach((_, i) => {
      const scores = keys.map((_, j) => {
        let s = 0;
        for (let d = 0; d < dk; d++) s += Q[i]![h * dk + d]! * K[j]![h * dk + d]!;
        return s / Math.sqrt(dk);
      });
      const valid = scores.map((_, j) => allowed(i, j));
      if (!valid.some(Boolean)) return; // a fully masked row: zero weights, zero output
      const max = Math.max(...scores.filter((_, j) => valid[j]));
      const e = scores.map((s, j) => (valid[j] ? Math.exp(s - max) : 0));
      const total = e.reduce((a, v) => a + v, 0);
      for (let d = 0; d < dk; d++) {
        merged[i]![h * dk + d] = e.reduce((a, p, j) => a + (p / total) * V[j]![h * dk + d]!, 0);
      }
    });
  }
  return affine(
    merged,
    w.get(`${name}/attention_output/kernel`)!.values,
    w.get(`${name}/attention_output/bias`)!.values,
    heads * dk,
    E,
  );
}

function feedForward(x: Matrix, w: Weights, intermediate: number): Matrix {
  const E = x[0]!.length;
  const h = affine(
    x,
    w.get('feedforward_intermediate_dense/kernel')!.values,
    w.get('feedforward_intermediate_dense/bias')!.values,
    E,
    intermediate,
  ).map((row) => row.map(relu));
  return affine(
    h,
    w.get('feedforward_output_dense/kernel')!.values,
    w.get('feedforward_output_dense/bias')!.values,
    intermediate,
    E,
  );
}

const add = (a: Matrix, b: Matrix) => a.map((row, i) => row.map((v, j) => v + b[i]![j]!));

/** A residual sublayer: pre-norm `x + f(norm(x))` or post-norm `norm(x + f(x))`. */
function residual(
  x: Matrix,
  w: Weights,
  norm: string,
  normalizeFirst: boolean,
  f: (h: Matrix) => Matrix,
): Matrix {
  if (normalizeFirst) return add(x, f(layerNorm(x, w, norm, 1e-5)));
  return layerNorm(add(x, f(x)), w, norm, 1e-5);
}

interface Case {
  readonly normalizeFirst: boolean;
  readonly decoder: boolean;
  readonly cross: boolean;
}

/** One batch entry through the block's formulas. */
function blockReference(
  c: Case,
  w: Weights,
  x: Matrix,
  mask: number[],
  enc?: Matrix,
  encMask?: number[],
): Matrix {
  const self = c.decoder ? 'self_attention' : 'self_attention_layer';
  let y = residual(x, w, 'self_attention_layer_norm', c.normalizeFirst, (h) =>
    attention(h, h, w, self, 2, (i, j) => mask[i] === 1 && mask[j] === 1 && (!c.decoder || j <= i)),
  );
  if (c.cross) {
    y = residual(y, w, 'cross_attention_layer_norm', c.normalizeFirst, (h) =>
      attention(h, enc!, w, 'cross_attention', 2, (i, j) => mask[i] === 1 && encMask![j] === 1),
    );
  }
  return residual(y, w, 'feedforward_layer_norm', c.normalizeFirst, (h) => feedForward(h, w, 6));
}

const rows = (flat: ArrayLike<number>, b: number, t: number, e: number): Matrix =>
  Array.from({ length: t }, (_, i) => Array.from({ length: e }, (_, j) => flat[(b * t + i) * e + j]!));

describe('transformer blocks against the formulas', () => {
  const batch = 3;
  const [T, S, E] = [4, 5, 4];
  const x = normals(batch * T * E, 'x');
  const enc = normals(batch * S * 3, 'enc');
  const mask = [
    [1, 1, 1, 1],
    [1, 1, 0, 0],
    [0, 1, 1, 1],
  ];
  const encMask = [
    [1, 1, 1, 1, 1],
    [1, 1, 1, 0, 0],
    [1, 0, 1, 1, 1],
  ];
  const cases: Case[] = [
    { normalizeFirst: false, decoder: false, cross: false },
    { normalizeFirst: true, decoder: false, cross: false },
    { normalizeFirst: false, decoder: true, cross: false },
    { normalizeFirst: true, decoder: true, cross: true },
    { normalizeFirst: false, decoder: true, cross: true },
  ];
  const backends: [string, () => Backend<unknown>, number][] = [
    ['reference', () => createReferenceBackend() as Backend<unknown>, 1e-9],
    ['cpu', () => cpuBackend() as Backend<unknown>, 1e-5],
  ];
  for (const [name, make, tolerance] of backends) {
    for (const c of cases) {
      const label = `${c.decoder ? 'decoder' : 'encoder'}${c.cross ? ' with cross-attention' : ''}, ${c.normalizeFirst ? 'pre' : 'post'}-norm (${name})`;
      it(label, () => {
        const backend = make();
        const options = {
          numHeads: 2,
          intermediateDim: 6,
          normalizeFirst: c.normalizeFirst,
          biasInitializer: 'glorotUniform' as const,
        };
        const block = c.decoder ? transformerDecoderBlock(options) : transformerEncoderBlock(options);
        const shapes = c.cross
          ? [
              [null, null, E],
              [null, null, 3],
            ]
          : [[null, null, E]];
        block.build(backend, shapes, { seed: 7 });
        const inputs = [
          backend.tensor(x, [batch, T, E]),
          ...(c.cross ? [backend.tensor(enc, [batch, S, 3])] : []),
        ];
        const masks = [
          backend.tensor(mask.flat(), [batch, T]),
          ...(c.cross ? [backend.tensor(encMask.flat(), [batch, S])] : []),
        ];
        const y = block.apply(inputs, { mask: masks }) as unknown;
        const got = values(backend, y);
        const w = weightsOf(block, backend);
        const expected = Array.from({ length: batch }, (_, b) =>
          blockReference(
            c,
            w,
            rows(x, b, T, E),
            mask[b]!,
            c.cross ? rows(enc, b, S, 3) : undefined,
            encMask[b],
          ),
        ).flat(2);
        assertClose(label, got, expected, { atol: tolerance, rtol: tolerance });
        backend.dispose([y, ...inputs, ...masks]);
        block.dispose();
      });
    }
  }
});

describe('causality', () => {
  it('decoder outputs up to step t do not change when later inputs change; encoder outputs do', () => {
    const backend = createReferenceBackend();
    const decoder = transformerDecoderStack({
      numLayers: 2,
      numHeads: 2,
      intermediateDim: 6,
      normalizeFirst: true,
    });
    const encoder = transformerEncoderBlock({ numHeads: 2, intermediateDim: 6 });
    decoder.build(backend, [null, null, 4], { seed: 1 });
    encoder.build(backend, [null, null, 4], { seed: 1 });
    const a = normals(6 * 4, 'a');
    for (let t = 0; t < 5; t++) {
      const b = Float64Array.from(a);
      for (let i = (t + 1) * 4; i < b.length; i++) b[i] = b[i]! + 1.5;
      for (const [layer, causal] of [
        [decoder, true],
        [encoder, false],
      ] as const) {
        const [ya, yb] = [a, b].map((v) => {
          const xt = backend.tensor(v, [1, 6, 4]);
          const y = layer.apply(xt) as RefTensor;
          const out = values(backend, y).slice(0, (t + 1) * 4);
          backend.dispose([xt, y]);
          return out;
        });
        if (causal) expect(yb).toEqual(ya);
        else expect(yb).not.toEqual(ya);
      }
    }
  });

  it('a language model streamed one token at a time gives the full pass; a stream refuses an encoder', () => {
    const backend = createReferenceBackend();
    const lm = transformerLanguageModel({
      backend,
      seed: 4,
      vocabularySize: 6,
      sequenceLength: 8,
      hiddenDim: 4,
      numLayers: 2,
      numHeads: 2,
      intermediateDim: 6,
    });
    const tokens = [
      [1, 3, 5, 2, 4],
      [2, 2, 1, 5, 3],
    ];
    const full = values(backend, lm.apply(backend.tensor(tokens)) as RefTensor);
    const stream = lm.stream();
    for (let t = 0; t < 5; t++) {
      const y = stream.step(backend.tensor(tokens.map((r) => r[t]!))) as RefTensor;
      const expected = [0, 1].flatMap((r) => full.slice((r * 5 + t) * 6, (r * 5 + t + 1) * 6));
      assertClose(`stream step ${t}`, values(backend, y), expected, { atol: 1e-9, rtol: 1e-9 });
    }
    stream.dispose();
    const x = input({ shape: [null, 4] });
    const withEncoder = model({
      inputs: x,
      outputs: transformerEncoderBlock({ numHeads: 2, intermediateDim: 4 }).apply(x) as SymbolicTensor,
      backend,
    });
    expect(() => withEncoder.stream()).toThrow(
      'transformer_encoder (TransformerEncoder) reads the sequence backwards',
    );
  });
});

describe('PyTorch state-dict names', () => {
  it('every weight of an encoder and a decoder stack maps to its own key (and rows of the packed projections)', () => {
    const backend = createReferenceBackend();
    const E = 8;
    const encoder = transformerEncoderStack({
      numLayers: 2,
      numHeads: 2,
      intermediateDim: 16,
      finalNormalization: true,
    });
    const decoder = transformerDecoderStack({ numLayers: 1, numHeads: 2, intermediateDim: 16 });
    encoder.build(backend, [null, null, E], { seed: 1 });
    decoder.build(
      backend,
      [
        [null, null, E],
        [null, null, E],
      ],
      { seed: 1 },
    );
    const mapped = (stack: Layer, kind: 'TransformerEncoder' | 'TransformerDecoder') =>
      stack.weights.map((w) => {
        const ref = pytorchStateDictName(kind, w.name.slice(stack.path.length + 1), E);
        return `${ref.key}${ref.rows ? `[${ref.rows.join(':')}]` : ''}${ref.transpose ? 'ᵀ' : ''}`;
      });
    const encoderNames = mapped(encoder, 'TransformerEncoder');
    expect(new Set(encoderNames).size).toBe(encoderNames.length);
    expect(encoderNames.slice(0, 12)).toEqual([
      'layers.0.self_attn.in_proj_weight[0:8]ᵀ',
      'layers.0.self_attn.in_proj_bias[0:8]',
      'layers.0.self_attn.in_proj_weight[8:16]ᵀ',
      'layers.0.self_attn.in_proj_bias[8:16]',
      'layers.0.self_attn.in_proj_weight[16:24]ᵀ',
      'layers.0.self_attn.in_proj_bias[16:24]',
      'layers.0.self_attn.out_proj.weightᵀ',
      'layers.0.self_attn.out_proj.bias',
      'layers.0.norm1.weight',
      'layers.0.norm1.bias',
      'layers.0.norm2.weight',
      'layers.0.norm2.bias',
    ]);
    expect(encoderNames.slice(-2)).toEqual(['norm.weight', 'norm.bias']);
    const decoderNames = mapped(decoder, 'TransformerDecoder');
    expect(new Set(decoderNames).size).toBe(decoderNames.length);
    expect(decoderNames.filter((n) => n.includes('multihead_attn.in_proj_weight'))).toHaveLength(3);
    expect(decoderNames).toContain('layers.0.norm3.weight');
    expect(decoderNames).toContain('layers.0.linear1.weightᵀ');
    expect(() => pytorchStateDictName('TransformerDecoder', 'self_attention_layer/query/kernel', E)).toThrow(
      'pytorchStateDictName weightPath: expected a TransformerDecoder weight path such as self_attention/query/kernel (optionally under layer_<i>/), received "self_attention_layer/query/kernel"',
    );
  });
});

describe('errors name the argument, what was received and what was expected', () => {
  const backend = createReferenceBackend();

  it('sizes that do not fit', () => {
    expect(() =>
      transformerEncoderBlock({ numHeads: 8, intermediateDim: 4 }).build(backend, [null, null, 4]),
    ).toThrow(
      'transformer_encoder (TransformerEncoder) inputs: expected a feature size of at least numHeads (8) so that each head gets a feature, received shape [null, null, 4]',
    );
    expect(() => transformerDecoderBlock({ numHeads: 2, intermediateDim: 0 })).toThrow(
      'transformerDecoderBlock intermediateDim',
    );
    const block = transformerDecoderBlock({ numHeads: 2, intermediateDim: 4 }).build(backend, [
      [null, null, 4],
      [null, null, 3],
    ]);
    const xs = backend.tensor(new Float32Array(2 * 3 * 4), [2, 3, 4]);
    const wrongBatch = backend.tensor(new Float32Array(3 * 5 * 3), [3, 5, 3]);
    expect(() => block.apply([xs, wrongBatch])).toThrow(
      'transformer_decoder (TransformerDecoder) encoderSequence: expected batch 2 (that of the decoder sequence [2, 3, 4]), received shape [3, 5, 3]',
    );
    expect(() => block.apply(xs)).toThrow(
      'transformer_decoder (TransformerDecoder) inputs: the block was built with an encoder sequence (cross-attention); pass [decoderSequence, encoderSequence], received 1 tensors',
    );
    const wrongSize = backend.tensor(new Float32Array(2 * 3 * 5), [2, 3, 5]);
    expect(() => block.apply([wrongSize, wrongBatch])).toThrow(
      'transformer_decoder (TransformerDecoder) inputs: expected hidden size 4 (axis 2, as the layer was built), received shape [2, 3, 5]',
    );
    backend.dispose([xs, wrongBatch, wrongSize]);
  });
});
