/**
 * Decoding strategies against independent references: greedy against a loop of full passes taking the argmax,
 * beam search against an exhaustive search over every sequence of a small vocabulary (with an end token and a length
 * penalty), sampling against the distribution it samples from, counted over many draws. Plus seeding, leaks over a
 * long decoding loop and in training, and errors.
 */
import { type Backend, createReferenceBackend, createRng, type RefTensor } from '@seqmodel/core';
import { adam, losses } from '@seqmodel/layers';
import { describe, expect, it } from 'vitest';
import '../register.js';
import { transformerLanguageModel } from '../models/transformer-language-model.js';
import { cpuBackend, values } from '../test-helpers.js';
import { beamSearch, generate, greedy, sampleToken, sampling } from './generate.js';

function languageModel<T>(backend: Backend<T>, vocabularySize = 7) {
  return transformerLanguageModel({
    backend,
    seed: 21,
    vocabularySize,
    sequenceLength: 16,
    hiddenDim: 8,
    numLayers: 2,
    numHeads: 2,
    intermediateDim: 16,
  });
}

/** Log-probabilities of the next token after each prefix, by full passes (no cache). */
function nextLogProbs(lm: ReturnType<typeof languageModel<RefTensor>>, prefix: number[]): number[] {
  const b = lm.backend;
  const x = b.tensor([prefix]);
  const y = lm.apply(x) as RefTensor;
  const all = values(b, y);
  b.dispose([x, y]);
  const vocab = all.length / prefix.length;
  const last = all.slice(all.length - vocab);
  const max = Math.max(...last);
  const norm = max + Math.log(last.reduce((a, v) => a + Math.exp(v - max), 0));
  return last.map((v) => v - norm);
}

describe('generate', () => {
  const backend = createReferenceBackend();

  it('greedy: the argmax after each prefix, as full passes give it', () => {
    const lm = languageModel(backend);
    const prompts = [
      [1, 2, 3],
      [4, 4, 6],
    ];
    const result = generate(lm, { prompt: prompts, maxNewTokens: 6 });
    prompts.forEach((prompt, r) => {
      const prefix = [...prompt];
      let score = 0;
      for (let n = 0; n < 6; n++) {
        const logp = nextLogProbs(lm, prefix);
        const token = logp.indexOf(Math.max(...logp));
        score += logp[token]!;
        prefix.push(token);
      }
      expect(result.tokens[r]).toEqual(prefix.slice(prompt.length));
      expect(result.scores[r]).toBeCloseTo(score, 6); // scores are read back in float32
    });
    lm.dispose();
  });

  it('greedy stops a row at the end token and keeps it', () => {
    const lm = languageModel(backend);
    const free = generate(lm, { prompt: [[1, 2]], maxNewTokens: 5 }).tokens[0]!;
    const end = free[2]!;
    const stopped = generate(lm, { prompt: [[1, 2]], maxNewTokens: 5, endToken: end }).tokens[0]!;
    expect(stopped).toEqual(free.slice(0, free.indexOf(end) + 1));
    lm.dispose();
  });

  it('beam search: the best sequence of an exhaustive search, with an end token and length penalties', () => {
    const vocab = 3;
    const lm = languageModel(backend, vocab);
    const prompt = [2, 1];
    const end = 0;
    const maxNewTokens = 4;
    // Every continuation: stopped by the end token, or cut at maxNewTokens.
    const sequences: { tokens: number[]; score: number }[] = [];
    const expand = (tokens: number[], score: number) => {
      if (tokens.at(-1) === end || tokens.length === maxNewTokens) {
        sequences.push({ tokens, score });
        return;
      }
      const logp = nextLogProbs(lm, [...prompt, ...tokens]);
      for (let token = 0; token < vocab; token++) expand([...tokens, token], score + logp[token]!);
    };
    expand([], 0);
    for (const lengthPenalty of [0, 1, 2]) {
      const normalized = (s: { tokens: number[]; score: number }) =>
        s.score / s.tokens.length ** lengthPenalty;
      const best = sequences.reduce((a, s) => (normalized(s) > normalized(a) ? s : a));
      // Width 3^4 keeps every live sequence, so the search is exhaustive.
      const result = generate(lm, {
        prompt: [prompt],
        maxNewTokens,
        endToken: end,
        strategy: beamSearch({ width: vocab ** maxNewTokens, lengthPenalty }),
      });
      expect(result.tokens[0]).toEqual(best.tokens);
      expect(result.scores[0]).toBeCloseTo(best.score, 6);
    }
    // Width 1 is greedy.
    const greedyTokens = generate(lm, { prompt: [prompt, [1, 1]], maxNewTokens: 5 }).tokens;
    const oneBeam = generate(lm, {
      prompt: [prompt, [1, 1]],
      maxNewTokens: 5,
      strategy: beamSearch({ width: 1 }),
    });
    expect(oneBeam.tokens).toEqual(greedyTokens);
    lm.dispose();
  });

  it('sampling: seeded, and top-k 1 is greedy', () => {
    const lm = languageModel(backend);
    const prompt = [
      [1, 2],
      [3, 4],
    ];
    const a = generate(lm, { prompt, maxNewTokens: 8, strategy: sampling({ temperature: 1.5, seed: 9 }) });
    const b = generate(lm, { prompt, maxNewTokens: 8, strategy: sampling({ temperature: 1.5, seed: 9 }) });
    const c = generate(lm, { prompt, maxNewTokens: 8, strategy: sampling({ temperature: 1.5, seed: 10 }) });
    expect(a).toEqual(b);
    expect(a.tokens).not.toEqual(c.tokens);
    const top1 = generate(lm, { prompt, maxNewTokens: 8, strategy: sampling({ topK: 1, seed: 3 }) });
    expect(top1.tokens).toEqual(generate(lm, { prompt, maxNewTokens: 8, strategy: greedy() }).tokens);
    lm.dispose();
  });

  it('rejects bad options, naming them', () => {
    const lm = languageModel(backend);
    expect(() => generate(lm, { prompt: [[1, 2], [3]], maxNewTokens: 2 })).toThrow(
      'generate prompt[1]: expected 2 tokens (rows of one length, as prompt[0]), received 1',
    );
    expect(() => generate(lm, { prompt: [], maxNewTokens: 2 })).toThrow(
      'generate prompt: expected a non-empty array of non-empty rows of token ids',
    );
    expect(() => generate(lm, { prompt: [[1]], maxNewTokens: 0 })).toThrow('generate maxNewTokens');
    expect(() => sampling({ temperature: 0 })).toThrow(
      'sampling temperature: expected a finite number above 0 (use greedy() for the most likely token), received 0',
    );
    expect(() => sampling({ topP: 1.5 })).toThrow('sampling topP: expected a number in (0, 1], received 1.5');
    expect(() => beamSearch({ width: 0 })).toThrow('beamSearch width');
    expect(() => generate(lm, { prompt: [[1, 2]], maxNewTokens: 20 })).toThrow(
      'embedding (TokenAndPositionEmbedding) inputs: expected positions below sequenceLength 16, received steps 16 to 16 (16 embedded before)',
    );
    lm.dispose();
  });
});

describe('sampleToken draws from the distribution it is given', () => {
  const logits = [2, 1.5, 1, 0, -1];
  const logProbs = Float64Array.from(logits);
  /** Frequencies of 20000 draws against the softmax of `logits / temperature` kept to `kept` tokens. */
  const check = (options: Parameters<typeof sampling>[0], kept: number[]) => {
    const strategy = sampling({ ...options, seed: 5 });
    const rng = createRng(5);
    const counts = new Array(logits.length).fill(0);
    const draws = 20000;
    for (let i = 0; i < draws; i++) counts[sampleToken(logProbs, strategy, rng)]++;
    const t = options?.temperature ?? 1;
    const weights = logits.map((l, j) => (kept.includes(j) ? Math.exp(l / t) : 0));
    const total = weights.reduce((a, w) => a + w, 0);
    // Binomial standard error at 20000 draws is below 0.0036: 0.015 is four of them.
    counts.forEach((c, j) => {
      expect(Math.abs(c / draws - weights[j]! / total)).toBeLessThan(0.015);
    });
  };

  it('temperature', () => {
    check({ temperature: 1 }, [0, 1, 2, 3, 4]);
    check({ temperature: 0.5 }, [0, 1, 2, 3, 4]);
    check({ temperature: 3 }, [0, 1, 2, 3, 4]);
  });

  it('top-k and top-p', () => {
    check({ topK: 2 }, [0, 1]);
    // Probabilities 0.463, 0.281, 0.170, 0.063, 0.023: the first two reach 0.744, the third 0.914.
    check({ topP: 0.7 }, [0, 1]);
    check({ topP: 0.75 }, [0, 1, 2]);
    check({ topK: 4, topP: 0.95, temperature: 2 }, [0, 1, 2, 3]);
  });
});

describe('no tensor leaks', () => {
  it('in a long decoding loop, with every strategy (cpu)', () => {
    const backend = cpuBackend();
    const lm = transformerLanguageModel({
      backend,
      seed: 2,
      vocabularySize: 11,
      sequenceLength: 72,
      hiddenDim: 8,
      numLayers: 2,
      numHeads: 2,
      intermediateDim: 16,
    });
    const before = backend.memory().numTensors;
    generate(lm, { prompt: [[1], [2]], maxNewTokens: 70 });
    generate(lm, {
      prompt: [[1], [2]],
      maxNewTokens: 40,
      strategy: sampling({ temperature: 0.8, topK: 5, seed: 1 }),
    });
    generate(lm, { prompt: [[1], [2]], maxNewTokens: 30, endToken: 3, strategy: beamSearch({ width: 3 }) });
    expect(backend.memory().numTensors).toBe(before);
    lm.dispose();
  });

  it('in training steps', () => {
    const backend = cpuBackend();
    const lm = languageModel(backend);
    lm.compile({
      optimizer: adam({ learningRate: 0.01 }),
      loss: losses.sparseCategoricalCrossentropy({ fromLogits: true }),
    });
    const x = backend.tensor([
      [1, 2, 3, 4],
      [2, 3, 4, 5],
    ]);
    const y = backend.tensor([
      [2, 3, 4, 5],
      [3, 4, 5, 6],
    ]);
    const first = lm.trainOnBatch(x, y).loss!;
    const settled = backend.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = lm.trainOnBatch(x, y).loss!;
    expect(backend.memory().numTensors).toBe(settled);
    expect(last).toBeLessThan(first);
    backend.dispose([x, y]);
    lm.dispose();
  });
});
