/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015 and Arjovsky et al. 2016): a
 * long sequence of random numbers, two of them marked; the target is the sum of the two marked numbers. A model
 * has to carry the first marked value across up to `length` steps.
 */
import { checkPositiveInteger, createRng, invalidArgument, optionKeys } from '@seqmodel/core';
import { checkCommon, type Seed, type SyntheticTask } from './task.js';

export interface AddingProblemOptions {
  /** Number of examples (default 1000). */
  numSamples?: number;
  /** Sequence length T (default 100, at least 2). */
  length?: number;
  seed?: Seed;
}

const addingProblemKeys = optionKeys<AddingProblemOptions>({ numSamples: true, length: true, seed: true });

/**
 * - inputs: `[numSamples, length, 2]` float32: channel 0 is a value `~ U(0, 1)`, channel 1 a marker, 1 at
 *   exactly two steps: one uniformly in the first half (`[0, ⌊T/2⌋)`), one in the second half.
 * - targets: `[numSamples, 1]` float32, the sum of the two marked values (mean 1, variance 1/6).
 *
 * Baseline: always predicting 1 scores MSE = Var(u₁ + u₂) = 2 · 1/12 = 1/6 ≈ 0.167.
 */
export function addingProblem(options: AddingProblemOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('addingProblem', options, addingProblemKeys, 1000);
  const length = checkPositiveInteger('length', options.length ?? 100);
  if (length < 2) invalidArgument('length', length, 'an integer >= 2 (two steps are marked)');
  const rng = createRng(seed);
  const half = Math.floor(length / 2);
  const inputs = new Float32Array(numSamples * length * 2);
  const targets = new Float32Array(numSamples);
  for (let i = 0; i < numSamples; i++) {
    const base = i * length * 2;
    for (let t = 0; t < length; t++) inputs[base + 2 * t] = rng.next();
    const first = rng.int(half);
    const second = half + rng.int(length - half);
    inputs[base + 2 * first + 1] = 1;
    inputs[base + 2 * second + 1] = 1;
    targets[i] = inputs[base + 2 * first]! + inputs[base + 2 * second]!;
  }
  return {
    inputs: { data: inputs, shape: [numSamples, length, 2] },
    targets: { data: targets, shape: [numSamples, 1] },
    info: {
      name: 'adding-problem',
      inputShape: '[numSamples, length, 2]',
      targetShape: '[numSamples, 1]',
      description:
        'Channel 0: values ~ U(0, 1); channel 1: two markers (one per half). Target: sum of the marked values.',
      baselines: [{ strategy: 'always predict 1', metric: 'mse', value: 1 / 6, analytic: true }],
    },
  };
}
