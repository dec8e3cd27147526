/**
 * The copy (memory) task of Hochreiter & Schmidhuber 1997, in the form of Arjovsky et al. 2016: read a short
 * sequence of symbols, wait through a blank stretch, and after a "go" signal write the sequence back.
 */
import { checkPositiveInteger, createRng, optionKeys } from '@seqmodel/core';
import { checkCommon, type Seed, type SyntheticTask } from './task.js';

export interface CopyTaskOptions {
  /** Number of examples (default 1000). */
  numSamples?: number;
  /** Symbols to remember, S (default 10). */
  sequenceLength?: number;
  /**
   * T in Arjovsky et al.: steps from the last symbol to the go signal, inclusive (`delay − 1` blanks, then the
   * go signal); the recall starts right after it (default 100, at least 1).
   */
  delay?: number;
  /** Size of the symbol alphabet, K (default 8). */
  numSymbols?: number;
  seed?: Seed;
}

const copyTaskKeys = optionKeys<CopyTaskOptions>({
  numSamples: true,
  sequenceLength: true,
  delay: true,
  numSymbols: true,
  seed: true,
});

/**
 * Token ids: 0 is blank, `1 … K` are the symbols and `K + 1` is the go signal. An example has
 * `L = S + delay + S` steps: S random symbols, `delay − 1` blanks, the go signal, S blanks.
 *
 * - inputs: `[numSamples, L]` int32 token ids (vocabulary size K + 2).
 * - targets: `[numSamples, L]` int32 classes in `[0, K]`: blank for the first `S + delay` steps, then the S
 *   symbols in order.
 *
 * Baseline (Arjovsky et al.): a memoryless model that predicts blank until the go signal and then a uniform guess
 * over the K symbols scores a cross-entropy of `S·ln K / L` per step (0.173 with the defaults); its accuracy on
 * the S recalled symbols is 1/K.
 */
export function copyTask(options: CopyTaskOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('copyTask', options, copyTaskKeys, 1000);
  const s = checkPositiveInteger('sequenceLength', options.sequenceLength ?? 10);
  const delay = checkPositiveInteger('delay', options.delay ?? 100);
  const k = checkPositiveInteger('numSymbols', options.numSymbols ?? 8);
  const length = 2 * s + delay;
  const rng = createRng(seed);
  const inputs = new Int32Array(numSamples * length);
  const targets = new Int32Array(numSamples * length);
  for (let i = 0; i < numSamples; i++) {
    const base = i * length;
    for (let t = 0; t < s; t++) {
      const symbol = 1 + rng.int(k);
      inputs[base + t] = symbol;
      targets[base + s + delay + t] = symbol;
    }
    inputs[base + s + delay - 1] = k + 1;
  }
  return {
    inputs: { data: inputs, shape: [numSamples, length] },
    targets: { data: targets, shape: [numSamples, length] },
    info: {
      name: 'copy',
      inputShape: '[numSamples, 2 * sequenceLength + delay] (int32 ids: 0 blank, 1..K symbols, K+1 go)',
      targetShape: '[numSamples, 2 * sequenceLength + delay] (int32 classes: 0 blank, 1..K symbols)',
      description: 'Remember S symbols across a blank stretch and write them back after the go signal.',
      numClasses: k + 1,
      inputVocabularySize: k + 2,
      baselines: [
        {
          strategy: 'blank until the go signal, then a uniform guess over the symbols',
          metric: 'crossEntropy',
          value: (s * Math.log(k)) / length,
          analytic: true,
        },
        {
          strategy: 'uniform guess over the symbols (accuracy on the recalled steps)',
          metric: 'accuracy',
          value: 1 / k,
          analytic: true,
        },
      ],
    },
  };
}
