/**
 * The recurrent attention decoder against its equations written out with loops in float64 (Keras' LSTM cell; Luong's
 * general score, input feeding and attentional state; Bahdanau's additive score on the previous state), with padded
 * encoder steps and an initial state, within 1e-9 on the float64 reference backend. Plus its errors.
 */
import { createReferenceBackend, type RefTensor } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { normals, values } from '../test-helpers.js';
import { attentionDecoder } from './attention-decoder.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** `x · W` for a row `x` and a row-major `W` `[x.length, n]`. */
const times = (x: number[], w: number[], n: number) =>
  Array.from({ length: n }, (_, o) => x.reduce((a, v, i) => a + v * w[i * n + o]!, 0));

function lstmStep(x: number[], h: number[], c: number[], w: Map<string, number[]>, units: number) {
  const z = times(x, w.get('kernel')!, 4 * units).map(
    (v, k) => v + w.get('bias')![k]! + times(h, w.get('recurrent_kernel')!, 4 * units)[k]!,
  );
  const gate = (g: number, j: number) => z[g * units + j]!;
  const c2 = c.map((cj, j) => sigmoid(gate(1, j)) * cj + sigmoid(gate(0, j)) * Math.tanh(gate(2, j)));
  const h2 = c2.map((cj, j) => sigmoid(gate(3, j)) * Math.tanh(cj));
  return { h: h2, c: c2 };
}

/** Softmax of `scores` over the valid keys and the weighted sum of `keys`. */
function attend(scores: number[], keys: number[][], valid: number[]) {
  const max = Math.max(...scores.filter((_, j) => valid[j] === 1));
  const e = scores.map((s, j) => (valid[j] === 1 ? Math.exp(s - max) : 0));
  const total = e.reduce((a, v) => a + v, 0);
  const weights = e.map((v) => v / total);
  const context = keys[0]!.map((_, d) => keys.reduce((a, k, j) => a + weights[j]! * k[d]!, 0));
  return { weights, context };
}

describe('attentionDecoder against its equations', () => {
  const backend = createReferenceBackend();
  const [batch, Tt, Ts, F, D, units] = [2, 3, 4, 2, 3, 3];
  const targets = normals(batch * Tt * F, 'targets');
  const encoded = normals(batch * Ts * D, 'encoded');
  const h0 = normals(batch * units, 'h0');
  const c0 = normals(batch * units, 'c0');
  const encMask = [1, 1, 1, 0, 1, 0, 1, 1];
  const row = (flat: Float64Array, b: number, t: number, n: number, steps: number) =>
    Array.from(flat.slice((b * steps + t) * n, (b * steps + t + 1) * n));

  for (const attention of ['luong', 'bahdanau'] as const) {
    it(`${attention}, with an initial state and a padded encoder step`, () => {
      const layer = attentionDecoder({
        units,
        attention,
        ...(attention === 'luong' ? { scoreMode: 'general' as const } : { attentionUnits: 4 }),
        returnAttentionScores: true,
      });
      layer.build(
        backend,
        [
          [null, null, F],
          [null, null, D],
        ],
        { seed: 3 },
      );
      const w = new Map(
        layer.weights.map((x) => [x.name.slice(layer.path.length + 1), values(backend, x.read<RefTensor>())]),
      );
      const inputs = [backend.tensor(targets, [batch, Tt, F]), backend.tensor(encoded, [batch, Ts, D])];
      const mask = backend.tensor(encMask, [batch, Ts]);
      const initialState = [backend.tensor(h0, [batch, units]), backend.tensor(c0, [batch, units])];
      const [y, scores] = layer.apply(inputs, { mask: [undefined, mask], initialState }) as RefTensor[];
      const expectedOutputs: number[] = [];
      const expectedWeights: number[] = [];
      for (let b = 0; b < batch; b++) {
        const keys = Array.from({ length: Ts }, (_, j) => row(encoded, b, j, D, Ts));
        const valid = encMask.slice(b * Ts, (b + 1) * Ts);
        let h = Array.from(h0.slice(b * units, (b + 1) * units));
        let c = Array.from(c0.slice(b * units, (b + 1) * units));
        let feed = new Array(units).fill(0);
        for (let t = 0; t < Tt; t++) {
          const x = row(targets, b, t, F, Tt);
          if (attention === 'luong') {
            ({ h, c } = lstmStep([...x, ...feed], h, c, w, units));
            const q = times(h, w.get('attention/kernel')!, D);
            const a = attend(
              keys.map((k) => k.reduce((s, v, d) => s + v * q[d]!, 0)),
              keys,
              valid,
            );
            feed = times([...a.context, ...h], w.get('attention_projection/kernel')!, units).map(Math.tanh);
            expectedOutputs.push(...feed);
            expectedWeights.push(...a.weights);
          } else {
            const q = times(h, w.get('attention/query_kernel')!, 4).map(
              (v, u) => v + w.get('attention/bias')![u]!,
            );
            const score = keys.map((k) => {
              const kk = times(k, w.get('attention/key_kernel')!, 4);
              return kk.reduce(
                (s, v, u) => s + Math.tanh(v + q[u]!) * w.get('attention/score_kernel')![u]!,
                0,
              );
            });
            const a = attend(score, keys, valid);
            ({ h, c } = lstmStep([...x, ...a.context], h, c, w, units));
            expectedOutputs.push(...h, ...a.context);
            expectedWeights.push(...a.weights);
          }
        }
      }
      assertClose(`${attention} outputs`, values(backend, y!), expectedOutputs, { atol: 1e-9, rtol: 1e-9 });
      assertClose(`${attention} weights`, values(backend, scores!), expectedWeights, {
        atol: 1e-9,
        rtol: 1e-9,
      });
      expect(
        values(backend, scores!).filter((_, i) => encMask[Math.floor(i / (Tt * Ts)) * Ts + (i % Ts)] === 0),
      ).toEqual(new Array(Tt * 2).fill(0));
      backend.dispose([y!, scores!, ...inputs, mask, ...initialState]);
      layer.dispose();
    });
  }

  it('errors name the argument, what was received and what was expected', () => {
    expect(() => attentionDecoder({ units: 3, attention: 'bahdanau', scoreMode: 'dot' })).toThrow(
      'attentionDecoder scoreMode: expected nothing for Bahdanau attention (additive scores), received "dot"',
    );
    expect(() =>
      attentionDecoder({ units: 4 }).build(backend, [
        [null, null, 2],
        [null, null, 3],
      ]),
    ).toThrow(
      'attention_decoder (AttentionDecoder) units: expected the encoder\'s feature size 3 for Luong dot scores (scoreMode "general" or "concat" compare other sizes), received 4',
    );
    const layer = attentionDecoder({ units: 3 }).build(backend, [
      [null, null, 2],
      [null, null, 3],
    ]);
    const x = backend.tensor(new Float32Array(2 * 2 * 2), [2, 2, 2]);
    const e = backend.tensor(new Float32Array(2 * 4 * 3), [2, 4, 3]);
    const other = backend.tensor(new Float32Array(3 * 4 * 3), [3, 4, 3]);
    expect(() =>
      layer.apply([x, e], { initialState: [backend.tensor(new Float32Array(6), [2, 3])] }),
    ).toThrow(
      "attention_decoder (AttentionDecoder) initialState: expected 2 tensors (the lstm cell's states), received 1",
    );
    expect(() => layer.apply([x, other])).toThrow(
      'attention_decoder (AttentionDecoder) encoderOutputs: expected batch 2 (that of the targets [2, 2, 2]), received shape [3, 4, 3]',
    );
    const small = backend.tensor(new Float32Array(2 * 2), [2, 2]);
    expect(() => layer.apply([x, e], { initialState: [small, small] })).toThrow(
      'attention_decoder (AttentionDecoder) initialState[0]: expected shape [2, 3] (batch of the inputs), received shape [2, 2]',
    );
  });
});
