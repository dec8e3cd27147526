/**
 * Incremental decoding against full passes: for every model kind, the logits the step decoder gives one token at a
 * time (after a prompt fed at once) equal those of one pass over the whole prefix, within 1e-5 on tfjs' CPU backend
 * (float32 through a few layers: measured below 1e-6) and 1e-9 on the float64 reference. The cost of a cached step
 * grows linearly with the prefix (counted in multiply-adds), where a full pass grows quadratically.
 */
import { type Backend, createReferenceBackend, createRng, type RefTensor } from '@seqmodel/core';
import { assertClose } from '@seqmodel/core/testing';
import {
  CallContext,
  dense,
  embedding,
  type Functional,
  lstm,
  type Model,
  sequential,
} from '@seqmodel/layers';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { TransformerDecoderBlock } from '../blocks/transformer-decoder-block.js';
import type { EncoderDecoderModel } from '../models/encoder-decoder-model.js';
import { rnnEncoderDecoder } from '../models/rnn-encoder-decoder.js';
import { transformerEncoderDecoder } from '../models/transformer-encoder-decoder.js';
import { transformerLanguageModel } from '../models/transformer-language-model.js';
import { cpuBackend, values } from '../test-helpers.js';
import { stepDecoder } from './step-decoder.js';

const VOCAB = 9;

function randomIds(rows: number, length: number, seed: number, low = 1): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () => Array.from({ length }, () => low + rng.int(VOCAB - low)));
}

function languageModel<T>(backend: Backend<T>, options: { normalizeFirst?: boolean; sine?: boolean } = {}) {
  return transformerLanguageModel({
    backend,
    seed: 3,
    vocabularySize: VOCAB,
    sequenceLength: 12,
    hiddenDim: 8,
    numLayers: 2,
    numHeads: 2,
    intermediateDim: 12,
    dropout: 0.1,
    ...(options.normalizeFirst === undefined ? {} : { normalizeFirst: options.normalizeFirst }),
    ...(options.sine ? { positionEncoding: 'sine' as const } : {}),
  });
}

function charModel<T>(backend: Backend<T>, head: 'linear' | 'softmax' = 'linear') {
  return sequential(
    [
      embedding({ inputDim: VOCAB, outputDim: 5 }),
      lstm({ units: 6, returnSequences: true }),
      lstm({ units: 4, returnSequences: true }),
      dense({ units: VOCAB, activation: head }),
    ],
    { backend, seed: 4, inputShape: [null] },
  );
}

/** Logits `[batch, time, vocab]` of a full pass on token ids, one array per model input. */
function fullLogits<T>(model: Model<T>, inputs: number[][][]): { values: number[]; shape: number[] } {
  const b = model.backend;
  const tensors = inputs.map((x) => b.tensor(x));
  const y = model.apply(tensors.length === 1 ? tensors[0]! : tensors) as T;
  const out = { values: values(b, y), shape: b.shape(y) };
  b.dispose([y, ...tensors]);
  return out;
}

/** Row `t` of every batch entry of `[batch, time, vocab]` values. */
function position(full: { values: number[]; shape: number[] }, t: number): number[] {
  const [batch, time, vocab] = full.shape as [number, number, number];
  return Array.from({ length: batch }, (_, r) =>
    full.values.slice((r * time + t) * vocab, (r * time + t + 1) * vocab),
  ).flat();
}

/**
 * Feeds `tokens` `[batch, L]` as a prompt of `promptLength`, then one token at a time, and compares each step's logits
 * with the full pass at that position; returns the largest difference.
 */
function compareStepping<T>(
  model: Model<T> | EncoderDecoderModel<T>,
  tokens: number[][],
  promptLength: number,
  full: { values: number[]; shape: number[] },
  tolerance: number,
  source?: number[][],
  outputs: 'logits' | 'probabilities' = 'logits',
): void {
  const decoder = stepDecoder(model, { outputs });
  const b = decoder.backend;
  let state = decoder.start(tokens.length, source);
  for (let t = promptLength - 1; t < tokens[0]!.length; t++) {
    const feed =
      t === promptLength - 1
        ? tokens.map((row) => row.slice(0, promptLength))
        : tokens.map((row) => [row[t]!]);
    const result = decoder.step(state, feed);
    state.dispose();
    state = result.state;
    const expected = position(full, t);
    const got = values(b, result.logits);
    b.dispose(result.logits);
    assertClose(
      `step at position ${t}`,
      got,
      outputs === 'logits' ? expected : expected.map((p) => Math.log(Math.max(p, 1e-30))),
      { atol: tolerance, rtol: tolerance },
    );
  }
  expect(state.length).toBe(tokens[0]!.length);
  state.dispose();
}

describe('cached decoding equals the full pass', () => {
  const backends: [string, () => Backend<unknown>, number][] = [
    ['cpu', () => cpuBackend() as Backend<unknown>, 1e-5],
    ['reference', () => createReferenceBackend() as Backend<unknown>, 1e-9],
  ];
  for (const [name, make, tolerance] of backends) {
    it(`transformer language models, pre- and post-norm, learned and sine positions (${name})`, () => {
      const backend = make();
      for (const options of [{}, { normalizeFirst: false, sine: true }]) {
        const lm = languageModel(backend, options);
        const tokens = randomIds(3, 8, 11);
        const before = backend.memory().numTensors;
        const full = fullLogits(lm, [tokens]);
        compareStepping(lm, tokens, 3, full, tolerance);
        compareStepping(lm, tokens, 1, full, tolerance);
        expect(backend.memory().numTensors).toBe(before);
        lm.dispose();
      }
    });

    it(`a transformer encoder-decoder, the source padded (${name})`, () => {
      const backend = make();
      const model = transformerEncoderDecoder({
        backend,
        seed: 5,
        sourceVocabularySize: VOCAB,
        targetVocabularySize: VOCAB,
        sourceSequenceLength: 7,
        targetSequenceLength: 8,
        hiddenDim: 8,
        numHeads: 2,
        intermediateDim: 10,
        numEncoderLayers: 2,
        numDecoderLayers: 2,
      });
      const source = randomIds(3, 7, 12);
      source[1]!.fill(0, 4); // padding: its keys must get no weight, as in the full pass
      const target = randomIds(3, 6, 13);
      const full = fullLogits(model.model, [source, target]);
      compareStepping(model, target, 1, full, tolerance, source);
      compareStepping(model, target, 4, full, tolerance, source);
      model.dispose();
    });

    it(`recurrent encoder-decoders with Luong and Bahdanau attention (${name})`, () => {
      const backend = make();
      for (const attention of ['luong', 'bahdanau'] as const) {
        const model = rnnEncoderDecoder({
          backend,
          seed: 6,
          sourceVocabularySize: VOCAB,
          targetVocabularySize: VOCAB,
          embeddingDim: 4,
          units: 5,
          attention,
        });
        const source = randomIds(2, 6, 14);
        source[0]!.fill(0, 3);
        const target = randomIds(2, 5, 15);
        const full = fullLogits(model.model, [source, target]);
        compareStepping(model, target, 1, full, tolerance, source);
        compareStepping(model, target, 3, full, tolerance, source);
        model.dispose();
      }
    });

    it(`a character LSTM model with a softmax head (${name})`, () => {
      const backend = make();
      const model = charModel(backend, 'softmax');
      const tokens = randomIds(2, 7, 16, 0);
      const full = fullLogits(model, [tokens]);
      compareStepping(model, tokens, 2, full, tolerance, undefined, 'probabilities');
      model.dispose();
    });
  }
});

/** The reference backend with every matMul's multiply-adds counted. */
function countingBackend(): { backend: Backend<RefTensor>; count: () => number; reset: () => void } {
  const target = createReferenceBackend();
  let macs = 0;
  const backend = new Proxy(target, {
    get(t, property) {
      const value = Reflect.get(t, property);
      if (property === 'matMul') {
        return (a: RefTensor, b: RefTensor, transposeA = false, transposeB = false) => {
          const sa = t.shape(a);
          const sb = t.shape(b);
          const batch = sa.slice(0, -2).reduce((n, d) => n * d, 1);
          const [m, k] = (transposeA ? sa.slice(-2).reverse() : sa.slice(-2)) as [number, number];
          const n = transposeB ? sb.at(-2)! : sb.at(-1)!;
          macs += batch * m * k * n;
          return t.matMul(a, b, transposeA, transposeB);
        };
      }
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
  return { backend, count: () => macs, reset: () => (macs = 0) };
}

describe('a cached step costs O(prefix)', () => {
  it('multiply-adds per new token grow linearly with the prefix; a full pass grows faster', () => {
    const { backend, count, reset } = countingBackend();
    const lm = languageModel(backend);
    const decoder = stepDecoder(lm);
    const tokens = randomIds(1, 12, 17)[0]!;
    let state = decoder.start(1);
    const perStep: number[] = [];
    for (const token of tokens) {
      reset();
      const { logits, state: next } = decoder.step(state, [[token]]);
      perStep.push(count());
      backend.dispose(logits);
      state.dispose();
      state = next;
    }
    state.dispose();
    const increments = perStep.slice(1).map((c, i) => c - perStep[i]!);
    // Attention is the only work that depends on the prefix: the same extra cost for every step.
    expect(new Set(increments).size).toBe(1);
    expect(increments[0]!).toBeGreaterThan(0);
    const fullCost = (length: number) => {
      reset();
      backend.dispose(lm.apply(backend.tensor([tokens.slice(0, length)])) as RefTensor);
      return count();
    };
    // A full pass re-does every position: its cost is quadratic in the prefix (second differences positive).
    const [c4, c8, c12] = [fullCost(4), fullCost(8), fullCost(12)];
    expect(c12 - c8).toBeGreaterThan(c8 - c4);
    expect(perStep[11]! * 4).toBeLessThan(c12);
    lm.dispose();
  });
});

describe('errors name the argument, what was received and what was expected', () => {
  const backend = createReferenceBackend();

  it('a state of another batch or another decoder, tokens of the wrong shape, a missing source', () => {
    const lm = languageModel(backend);
    const other = languageModel(backend);
    const decoder = stepDecoder(lm);
    const state = decoder.start(2);
    expect(() => decoder.step(state, [[1, 2, 3]])).toThrow(
      'step tokens: expected shape [2, steps] (the batch of the decoding state), received shape [1, 3]',
    );
    expect(() => stepDecoder(other).step(state, [[1], [2]])).toThrow(
      'step state: expected a DecoderState made by this decoder (start, step or select)',
    );
    expect(() => decoder.select(state, [0, 2])).toThrow(
      'select rows: expected a non-empty array of row indices in [0, 2)',
    );
    expect(() => decoder.start(1, [[1, 2]])).toThrow(
      'start source: expected nothing: a language model decodes from its prompt alone',
    );
    const seq2seq = rnnEncoderDecoder({
      backend,
      seed: 1,
      sourceVocabularySize: VOCAB,
      targetVocabularySize: VOCAB,
      embeddingDim: 3,
      units: 4,
    });
    expect(() => stepDecoder(seq2seq).start(2)).toThrow(
      'start source: expected the source ids [2, length], received undefined',
    );
    expect(() => stepDecoder(seq2seq).start(2, [[1, 2, 3]])).toThrow(
      'start source: expected shape [2, length] (one row per decoded row), received shape [1, 3]',
    );
    expect(() => stepDecoder({} as never)).toThrow(
      'stepDecoder(model): expected a model (a causal language model) or an EncoderDecoderModel',
    );
    state.dispose();
    for (const m of [lm, other]) m.dispose();
    seq2seq.dispose();
  });

  it('a decoder block given a key/value cache of another batch', () => {
    const lm = languageModel(backend) as Functional<RefTensor>;
    const decoder = stepDecoder(lm);
    const { logits, state } = decoder.step(decoder.start(3), randomIds(3, 2, 18));
    const block = lm.layers.flatMap((l) => l.sublayers).find((l) => l instanceof TransformerDecoderBlock)!;
    const ctx = new CallContext<RefTensor>({
      backend,
      training: false,
      rng: createRng(1),
      carriedStates: state.carried,
      recordAllStates: true,
    });
    const x = backend.tensor(new Float32Array(2 * 1 * 8), [2, 1, 8]);
    expect(() => block.invoke(ctx, [x], { masks: [undefined] })).toThrow(
      'layer_0 (TransformerDecoder) cache key: expected shape [2, 2, steps, 4] (batch 2 of the inputs), received shape [3, 2, 2, 4]',
    );
    backend.dispose([logits, x]);
    state.dispose();
    lm.dispose();
  });
});

describe('select', () => {
  it('reorders and repeats rows of every carried tensor', () => {
    const backend = createReferenceBackend();
    const lm = languageModel(backend);
    const decoder = stepDecoder(lm);
    const tokens = randomIds(3, 4, 19);
    const empty = decoder.start(3);
    const { logits, state } = decoder.step(empty, tokens);
    const before = backend.memory().numTensors;
    const picked = decoder.select(state, [2, 0, 2]);
    const next = decoder.step(picked, [[5], [6], [5]]);
    // Row 1 of the picked state is row 0 of the original: stepping it alone gives the same logits.
    const alone = decoder.step(decoder.start(1), [[...tokens[0]!, 6]]);
    assertClose(
      'selected row',
      values(backend, next.logits).slice(VOCAB, 2 * VOCAB),
      values(backend, alone.logits),
      {
        atol: 1e-9,
        rtol: 1e-9,
      },
    );
    assertClose(
      'repeated row',
      values(backend, next.logits).slice(0, VOCAB),
      values(backend, next.logits).slice(2 * VOCAB),
      {
        atol: 1e-9,
        rtol: 1e-9,
      },
    );
    expect(next.state.batch).toBe(3);
    for (const s of [picked, next.state, alone.state]) s.dispose();
    backend.dispose([next.logits, alone.logits]);
    expect(backend.memory().numTensors).toBe(before);
    for (const s of [empty, state]) s.dispose();
    backend.dispose(logits);
    lm.dispose();
  });
});
