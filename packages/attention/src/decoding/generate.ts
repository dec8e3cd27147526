/**
 * Decoding: greedy, beam search and sampling, one implementation for every model kind, written against the step
 * decoder (`step-decoder.ts`). The prompt is fed once (all rows the same length), then each step feeds one token per
 * row; a row stops at `endToken` (kept as its last token) or after `maxNewTokens`. Choices are made on the host from
 * the last position's scores, sampling from a seeded stream, so a seed gives the same text on every backend that
 * computes the same logits.
 */
import {
  checkNumberInRange,
  checkPositiveInteger,
  createRng,
  invalidArgument,
  type Rng,
  SeqmodelError,
  type TensorLike,
} from '@seqmodel/core';
import type { Model } from '@seqmodel/layers';
import type { EncoderDecoderModel } from '../models/encoder-decoder-model.js';
import { type DecoderState, StepDecoder } from './step-decoder.js';

/** Always the most likely next token. */
export interface GreedyStrategy {
  readonly kind: 'greedy';
}

/** Beam search: the `width` best partial sequences by summed log-probability. */
export interface BeamSearchStrategy {
  readonly kind: 'beam';
  readonly width: number;
  /**
   * Finished sequences are ranked by `score / length^lengthPenalty` (generated tokens, the end token included;
   * default 1, as Hugging Face's `length_penalty`): above 0 favours longer sequences than the raw sum does.
   */
  readonly lengthPenalty: number;
}

/** Sampling from the softmax of `logits / temperature`, optionally cut to the `topK` tokens and the `topP` nucleus. */
export interface SamplingStrategy {
  readonly kind: 'sample';
  readonly temperature: number;
  /** Keep only the `topK` most likely tokens (default: all). */
  readonly topK: number | undefined;
  /** Keep the smallest set of most likely tokens whose probability reaches `topP` (default 1: all). */
  readonly topP: number;
  readonly seed: number | string;
}

export type DecodingStrategy = GreedyStrategy | BeamSearchStrategy | SamplingStrategy;

/** Greedy decoding. */
export function greedy(): GreedyStrategy {
  return { kind: 'greedy' };
}

/**
 * Beam search with `width` beams.
 *
 * @example
 * generate(model, { prompt, maxNewTokens: 12, endToken: EOS, strategy: beamSearch({ width: 4, lengthPenalty: 0.6 }) });
 */
export function beamSearch(options: {
  readonly width: number;
  readonly lengthPenalty?: number;
}): BeamSearchStrategy {
  if (typeof options !== 'object' || options === null)
    invalidArgument('beamSearch(options)', options, 'an object with width');
  return {
    kind: 'beam',
    width: checkPositiveInteger('beamSearch width', options.width),
    lengthPenalty: checkNumberInRange('beamSearch lengthPenalty', options.lengthPenalty ?? 1, -10, 10),
  };
}

/**
 * Seeded sampling with a temperature, top-k and top-p (nucleus) cuts.
 *
 * @example
 * generate(lm, { prompt, maxNewTokens: 300, strategy: sampling({ temperature: 0.7, topK: 20, seed: 1 }) });
 */
export function sampling(
  options: {
    readonly temperature?: number;
    readonly topK?: number;
    readonly topP?: number;
    readonly seed?: number | string;
  } = {},
): SamplingStrategy {
  if (typeof options !== 'object' || options === null)
    invalidArgument('sampling(options)', options, 'an object');
  const temperature = options.temperature ?? 1;
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    invalidArgument(
      'sampling temperature',
      temperature,
      'a finite number above 0 (use greedy() for the most likely token)',
    );
  }
  const topP = options.topP ?? 1;
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1))
    invalidArgument('sampling topP', topP, 'a number in (0, 1]');
  return {
    kind: 'sample',
    temperature,
    topK: options.topK === undefined ? undefined : checkPositiveInteger('sampling topK', options.topK),
    topP,
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
  };
}

export interface GenerateOptions<T> {
  /**
   * The tokens each row starts from, all rows of one length: a prompt for a language model, the start token of the
   * target for an encoder-decoder (`[[GO], [GO], ...]`).
   */
  readonly prompt: readonly (readonly number[])[];
  /** The source ids `[batch, S]` (0 for padding) of an encoder-decoder. */
  readonly source?: TensorLike<T>;
  /** The most tokens to generate per row. */
  readonly maxNewTokens: number;
  /** A row stops after generating this token. */
  readonly endToken?: number;
  /** Default `greedy()`. */
  readonly strategy?: DecodingStrategy;
  /** What a language model outputs (default `logits`; `probabilities` for a softmax head). */
  readonly outputs?: 'logits' | 'probabilities';
}

export interface Generated {
  /** The generated tokens of each row (without the prompt), the end token last when it was generated. */
  readonly tokens: number[][];
  /** Each row's summed log-probability of its tokens (beam search: of the chosen beam; not length-normalized). */
  readonly scores: number[];
}

/** Log-softmax of each row of `logits` `[batch, vocabulary]`, in float64 on the host. */
function logSoftmaxRows(values: ArrayLike<number>, batch: number, vocabulary: number): Float64Array[] {
  return Array.from({ length: batch }, (_, r) => {
    const row = Float64Array.from({ length: vocabulary }, (_, j) => values[r * vocabulary + j]!);
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) if (v > max) max = v;
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const shift = max + Math.log(sum);
    return row.map((v) => v - shift);
  });
}

function argMax(row: Float64Array): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

/** A token drawn from `softmax(logProbs / temperature)` cut to the top-k and the top-p nucleus. */
export function sampleToken(logProbs: Float64Array, strategy: SamplingStrategy, rng: Rng): number {
  const order = Array.from(logProbs.keys()).sort((a, b) => logProbs[b]! - logProbs[a]!);
  const kept = order.slice(0, strategy.topK ?? order.length);
  const top = logProbs[kept[0]!]! / strategy.temperature;
  const weights = kept.map((j) => Math.exp(logProbs[j]! / strategy.temperature - top));
  const total = weights.reduce((a, w) => a + w, 0);
  // The nucleus: the most likely tokens until their probability reaches topP.
  let mass = 0;
  let count = 0;
  while (count < kept.length && mass < strategy.topP * total) mass += weights[count++]!;
  let u = rng.next() * mass;
  for (let i = 0; i < count; i++) {
    u -= weights[i]!;
    if (u < 0) return kept[i]!;
  }
  return kept[count - 1]!;
}

function checkPrompt(prompt: unknown): number[][] {
  if (
    !Array.isArray(prompt) ||
    prompt.length === 0 ||
    !prompt.every(
      (row) => Array.isArray(row) && row.length > 0 && row.every((v) => Number.isInteger(v) && v >= 0),
    )
  ) {
    invalidArgument('generate prompt', prompt, 'a non-empty array of non-empty rows of token ids');
  }
  const rows = prompt as number[][];
  const length = rows[0]!.length;
  const other = rows.findIndex((row) => row.length !== length);
  if (other >= 0) {
    throw new SeqmodelError(
      `generate prompt[${other}]: expected ${length} tokens (rows of one length, as prompt[0]), received ${rows[other]!.length}`,
    );
  }
  return rows.map((row) => [...row]);
}

/** The step's scores read back as log-probabilities per row; frees them. */
function readScores<T>(decoder: StepDecoder<T>, logits: T): Float64Array[] {
  const b = decoder.backend;
  const [batch, vocabulary] = b.shape(logits) as [number, number];
  const values = b.dataSync(logits);
  b.dispose(logits);
  return logSoftmaxRows(values, batch, vocabulary);
}

/** Greedy decoding and sampling: one token per row and step. */
function decodeEachRow<T>(
  decoder: StepDecoder<T>,
  start: DecoderState<T>,
  prompt: number[][],
  options: GenerateOptions<T>,
  choose: (logProbs: Float64Array) => number,
): Generated {
  const batch = prompt.length;
  const tokens: number[][] = prompt.map(() => []);
  const scores = new Array<number>(batch).fill(0);
  const done = new Array<boolean>(batch).fill(false);
  let { logits, state } = decoder.step(start, prompt);
  try {
    for (let n = 0; n < options.maxNewTokens; n++) {
      const rows = readScores(decoder, logits);
      const next = rows.map((row, r) => {
        if (done[r]) return options.endToken ?? 0;
        const token = choose(row);
        tokens[r]!.push(token);
        scores[r]! += row[token]!;
        if (token === options.endToken) done[r] = true;
        return token;
      });
      if (done.every(Boolean) || n === options.maxNewTokens - 1) return { tokens, scores };
      const result = decoder.step(
        state,
        next.map((t) => [t]),
      );
      state.dispose();
      ({ logits, state } = result);
    }
    return { tokens, scores };
  } finally {
    state.dispose();
  }
}

interface Beam {
  readonly tokens: number[];
  readonly score: number;
}

/** Beam search: per row, the `width` best partial sequences; finished ones are set aside until `width` are found. */
function decodeBeams<T>(
  decoder: StepDecoder<T>,
  start: DecoderState<T>,
  prompt: number[][],
  options: GenerateOptions<T>,
  strategy: BeamSearchStrategy,
): Generated {
  const batch = prompt.length;
  const width = strategy.width;
  const normalized = (beam: Beam) => beam.score / beam.tokens.length ** strategy.lengthPenalty;
  const finished: Beam[][] = prompt.map(() => []);
  // One live beam per row to begin with: the prompt.
  let live: Beam[][] = prompt.map(() => [{ tokens: [], score: 0 }]);
  const first = decoder.step(start, prompt);
  let { logits } = first;
  let state = first.state;
  try {
    for (let n = 0; n < options.maxNewTokens; n++) {
      const rows = readScores(decoder, logits);
      const next: Beam[][] = [];
      const parents: number[] = [];
      const fed: number[] = [];
      let offset = 0;
      live.forEach((beams, r) => {
        const candidates: { beam: Beam; parent: number }[] = [];
        beams.forEach((beam, i) => {
          const row = rows[offset + i]!;
          // Only the best 2·width tokens of a beam can survive the cut below.
          const order = Array.from(row.keys())
            .sort((a, b) => row[b]! - row[a]!)
            .slice(0, 2 * width);
          for (const token of order) {
            candidates.push({
              beam: { tokens: [...beam.tokens, token], score: beam.score + row[token]! },
              parent: offset + i,
            });
          }
        });
        offset += beams.length;
        candidates.sort((a, b) => b.beam.score - a.beam.score);
        const kept: Beam[] = [];
        if (finished[r]!.length < width) {
          for (const { beam, parent } of candidates) {
            if (beam.tokens.at(-1) === options.endToken) finished[r]!.push(beam);
            else {
              kept.push(beam);
              parents.push(parent);
              fed.push(beam.tokens.at(-1)!);
            }
            if (kept.length === width || finished[r]!.length >= width) break;
          }
        }
        next.push(kept);
      });
      live = next;
      if (fed.length === 0 || n === options.maxNewTokens - 1) break;
      const selected = decoder.select(state, parents);
      state.dispose();
      const result = decoder.step(
        selected,
        fed.map((t) => [t]),
      );
      selected.dispose();
      ({ logits, state } = result);
    }
  } finally {
    state.dispose();
  }
  const best = Array.from({ length: batch }, (_, r) => {
    // Live beams compete while fewer than `width` sequences have finished (the length limit cut them short).
    const pool = finished[r]!.length >= width ? finished[r]! : [...finished[r]!, ...live[r]!];
    return pool.reduce((a, c) => (normalized(c) > normalized(a) ? c : a));
  });
  return { tokens: best.map((b) => b.tokens), scores: best.map((b) => b.score) };
}

/**
 * Generates tokens from a causal language model (`transformerLanguageModel`, a recurrent character model), an
 * `EncoderDecoderModel`, or a `StepDecoder` of either. Every step feeds only the new token: transformer blocks keep
 * key/value caches and recurrent layers their states. Everything it makes is freed.
 *
 * @example
 * const { tokens } = generate(lm, { prompt: [[1, 7, 4]], maxNewTokens: 20, strategy: sampling({ temperature: 0.8, seed: 3 }) });
 * const translated = generate(s2s, { source, prompt: source.map(() => [GO]), maxNewTokens: 12, endToken: EOS });
 */
export function generate<T>(
  model: Model<T> | EncoderDecoderModel<T> | StepDecoder<T>,
  options: GenerateOptions<T>,
): Generated {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('generate(model, options)', options, 'an object with prompt and maxNewTokens');
  }
  const decoder =
    model instanceof StepDecoder
      ? model
      : new StepDecoder(model, options.outputs === undefined ? {} : { outputs: options.outputs });
  const prompt = checkPrompt(options.prompt);
  checkPositiveInteger('generate maxNewTokens', options.maxNewTokens);
  if (options.endToken !== undefined && (!Number.isInteger(options.endToken) || options.endToken < 0)) {
    invalidArgument('generate endToken', options.endToken, 'a token id (a non-negative integer)');
  }
  const strategy = options.strategy ?? greedy();
  const start = decoder.start(prompt.length, options.source);
  try {
    switch (strategy.kind) {
      case 'greedy':
        return decodeEachRow(decoder, start, prompt, options, argMax);
      case 'sample': {
        const rng = createRng(strategy.seed);
        return decodeEachRow(decoder, start, prompt, options, (row) => sampleToken(row, strategy, rng));
      }
      case 'beam':
        return decodeBeams(decoder, start, prompt, options, strategy);
      default:
        return invalidArgument(
          'generate strategy',
          strategy,
          'greedy(), beamSearch({ width }) or sampling({ ... })',
        );
    }
  } finally {
    start.dispose();
  }
}
