/**
 * A toy many-to-one task: classify variable-length noisy waves by their frequency. Sequences are post-padded, so
 * a model must respect the mask (or the lengths) to read the last real step.
 */
import { checkNumberInRange, checkPositiveInteger, createRng, optionKeys } from '@seqmodel/core';
import { padResolved, resolvePadOptions } from '../transforms/pad.js';
import { checkCommon, checkNonNegative, type Seed, type SyntheticTask } from './task.js';

export interface ToyClassificationOptions {
  /** Number of examples (default 1000). */
  numSamples?: number;
  /** Number of classes C (default 3). */
  numClasses?: number;
  /** Lengths are drawn uniformly from [minLength, maxLength] (defaults 20 and 50). */
  minLength?: number;
  maxLength?: number;
  /** Periods of the classes, spaced geometrically from `minPeriod` to `maxPeriod` (defaults 4 and 16). */
  minPeriod?: number;
  maxPeriod?: number;
  /** Standard deviation of the Gaussian noise (default 0.3). */
  noiseStd?: number;
  seed?: Seed;
}

/** The period of class `c` of `numClasses`. */
export function toyClassPeriod(c: number, numClasses: number, minPeriod = 4, maxPeriod = 16): number {
  return numClasses === 1 ? minPeriod : minPeriod * (maxPeriod / minPeriod) ** (c / (numClasses - 1));
}

const toyClassificationTaskKeys = optionKeys<ToyClassificationOptions>({
  numSamples: true,
  numClasses: true,
  minLength: true,
  maxLength: true,
  minPeriod: true,
  maxPeriod: true,
  noiseStd: true,
  seed: true,
});

/**
 * Each example: class `c ~ U{0 … C−1}`, length `~ U{minLength … maxLength}`, values
 * `sin(2π t / P_c + φ) + ε_t` with a random phase φ and `P_c` from `toyClassPeriod`.
 *
 * - inputs: `[numSamples, maxLength, 1]` float32, post-padded with 0; `mask` `[numSamples, maxLength]` and
 *   `lengths` `[numSamples]`.
 * - targets: `[numSamples]` int32 class ids.
 *
 * Baseline: predicting the most frequent class scores its frequency as accuracy (measured; about 1/C) and
 * cross-entropy ln C for a uniform guess.
 */
export function toyClassificationTask(options: ToyClassificationOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('toyClassificationTask', options, toyClassificationTaskKeys, 1000);
  const numClasses = checkPositiveInteger('numClasses', options.numClasses ?? 3);
  const minLength = checkPositiveInteger('minLength', options.minLength ?? 20);
  const maxLength = checkPositiveInteger('maxLength', options.maxLength ?? 50);
  checkNumberInRange('maxLength', maxLength, minLength, Number.MAX_SAFE_INTEGER);
  const minPeriod = checkNumberInRange(
    'minPeriod',
    options.minPeriod ?? 4,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  );
  const maxPeriod = checkNumberInRange('maxPeriod', options.maxPeriod ?? 16, minPeriod, Number.MAX_VALUE);
  const noiseStd = checkNonNegative('noiseStd', options.noiseStd ?? 0.3);
  const rng = createRng(seed);
  const labels = new Int32Array(numSamples);
  const counts = new Array<number>(numClasses).fill(0);
  const sequences: Float32Array[] = [];
  for (let i = 0; i < numSamples; i++) {
    const c = rng.int(numClasses);
    const length = minLength + rng.int(maxLength - minLength + 1);
    const phase = rng.uniform(0, 2 * Math.PI);
    const period = toyClassPeriod(c, numClasses, minPeriod, maxPeriod);
    const seq = new Float32Array(length);
    for (let t = 0; t < length; t++)
      seq[t] = Math.sin((2 * Math.PI * t) / period + phase) + rng.normal(0, noiseStd);
    labels[i] = c;
    counts[c]!++;
    sequences.push(seq);
  }
  const padded = padResolved(
    sequences,
    resolvePadOptions({ padding: 'post', maxLength, dtype: 'float32' }, 'post'),
    'sequences',
  );
  return {
    inputs: { data: padded.values.data, shape: [numSamples, maxLength, 1] },
    targets: { data: labels, shape: [numSamples] },
    mask: padded.mask,
    lengths: padded.lengths,
    info: {
      name: 'toy-classification',
      inputShape: '[numSamples, maxLength, 1] (post-padded; see mask and lengths)',
      targetShape: '[numSamples] (int32 class ids)',
      description: 'Classify noisy waves of variable length by their period (one period per class).',
      numClasses,
      baselines: [
        {
          strategy: 'always predict the most frequent class',
          metric: 'accuracy',
          value: Math.max(...counts) / numSamples,
          analytic: false,
        },
        { strategy: 'uniform guess', metric: 'crossEntropy', value: Math.log(numClasses), analytic: true },
      ],
    },
  };
}
