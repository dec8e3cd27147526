/**
 * The memory probe: a stream of random bits, and at every step one output per lag k asking for the bit seen k steps
 * earlier. Trained with one sigmoid output per lag, a model's accuracy at each lag says how far back it remembers:
 * a simple RNN recalls the last few bits and falls to chance beyond, gated cells (LSTM, GRU) hold on for longer.
 * It measures memory as a curve against lag in one model, where the copy task needs a model per delay.
 */
import { checkPositiveInteger, createRng, invalidArgument, optionKeys } from '@seqmodel/core';
import { checkCommon, type Seed, type SyntheticTask } from './task.js';

export interface MemoryProbeOptions {
  /** Number of examples (default 1000). */
  numSamples?: number;
  /** The lags asked for, distinct positive integers (default `[1, 2, 4, 8, 16]`). */
  lags?: readonly number[];
  /** Steps per example; at least the largest lag + 1 (default: the largest lag + 32). */
  length?: number;
  seed?: Seed;
}

const memoryProbeKeys = optionKeys<MemoryProbeOptions>({
  numSamples: true,
  lags: true,
  length: true,
  seed: true,
});

/**
 * - inputs: `[numSamples, length, 1]` float32 bits (fair coin flips).
 * - targets: `[numSamples, length, K]` float32, K = `lags.length`: `targets[n, t, k] = inputs[n, t − lags[k]]`, and 0
 *   for `t < lags[k]`.
 * - sampleWeights: `[numSamples, length]`, 0 for the first `max(lags)` steps (where some lag reaches before the
 *   start) and 1 after, so every lag is scored on the same steps.
 *
 * Baseline: without memory every answer is a coin flip: accuracy 0.5 at every lag, binary cross-entropy ln 2.
 */
export function memoryProbeTask(options: MemoryProbeOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('memoryProbeTask', options, memoryProbeKeys, 1000);
  const lags = options.lags ?? [1, 2, 4, 8, 16];
  if (!Array.isArray(lags) || lags.length === 0) {
    invalidArgument('lags', lags, 'a non-empty array of distinct positive integers');
  }
  lags.forEach((lag, k) => {
    checkPositiveInteger(`lags[${k}]`, lag);
  });
  if (new Set(lags).size !== lags.length) invalidArgument('lags', lags, 'distinct positive integers');
  const maxLag = Math.max(...lags);
  const length = checkPositiveInteger('length', options.length ?? maxLag + 32);
  if (length <= maxLag) invalidArgument('length', length, `more than the largest lag (${maxLag})`);
  const k = lags.length;
  const rng = createRng(seed);
  const inputs = new Float32Array(numSamples * length);
  const targets = new Float32Array(numSamples * length * k);
  const weights = new Float32Array(numSamples * length);
  for (let i = 0; i < numSamples; i++) {
    const base = i * length;
    for (let t = 0; t < length; t++) inputs[base + t] = rng.nextUint32() >>> 31;
    for (let t = 0; t < length; t++) {
      weights[base + t] = t >= maxLag ? 1 : 0;
      for (let j = 0; j < k; j++) {
        const lag = lags[j]!;
        targets[(base + t) * k + j] = t >= lag ? inputs[base + t - lag]! : 0;
      }
    }
  }
  return {
    inputs: { data: inputs, shape: [numSamples, length, 1] },
    targets: { data: targets, shape: [numSamples, length, k] },
    sampleWeights: { data: weights, shape: [numSamples, length] },
    info: {
      name: 'memory-probe',
      inputShape: '[numSamples, length, 1] (bits)',
      targetShape: `[numSamples, length, ${k}] (the bit seen lags[k] = ${lags.join(', ')} steps earlier)`,
      description:
        'At every step, recall the bits seen at each of several lags; accuracy per lag measures memory.',
      baselines: [
        { strategy: 'no memory: a coin flip at every lag', metric: 'accuracy', value: 0.5, analytic: true },
        { strategy: 'predict 0.5', metric: 'binaryCrossEntropy', value: Math.log(2), analytic: true },
      ],
    },
  };
}
