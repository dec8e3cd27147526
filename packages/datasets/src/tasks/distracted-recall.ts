/**
 * Distracted sequence recall (after Monner & Reggia 2012): a stream of random distractor symbols hides a few target
 * symbols at random steps; at the end, prompt symbols ask for the targets in the order they appeared. Unlike the
 * copy task the model must decide what to store, and when.
 */
import { checkPositiveInteger, createRng, invalidArgument, optionKeys } from '@seqmodel/core';
import { checkCommon, type Seed, type SyntheticTask } from './task.js';

export interface DistractedRecallOptions {
  /** Number of examples (default 1000). */
  numSamples?: number;
  /** Steps before the prompts, holding targets and distractors (default 20). */
  length?: number;
  /** Target symbols hidden in each example, R (default 2). */
  numTargets?: number;
  /** Size of the target alphabet, A (default 4). */
  numTargetSymbols?: number;
  /** Size of the distractor alphabet, D (default 4). */
  numDistractors?: number;
  seed?: Seed;
}

const distractedRecallTaskKeys = optionKeys<DistractedRecallOptions>({
  numSamples: true,
  length: true,
  numTargets: true,
  numTargetSymbols: true,
  numDistractors: true,
  seed: true,
});

/**
 * Token ids: 0 is reserved (padding), `1 … A` target symbols, `A+1 … A+D` distractors, `A+D+1 … A+D+R` the R
 * prompts. An example has `L = length + R` steps: `length` steps of distractors with R targets at distinct random
 * steps (targets may repeat), then the R prompts in order.
 *
 * - inputs: `[numSamples, L]` int32 token ids (vocabulary size A + D + R + 1).
 * - targets: `[numSamples, L]` int32: at prompt r, the id (1 … A) of the r-th target; 0 elsewhere.
 * - sampleWeights: `[numSamples, L]` float32, 1 at the R prompt steps and 0 elsewhere (only those are scored).
 *
 * Baseline: guessing uniformly among the A target symbols scores accuracy 1/A (0.25) and cross-entropy ln A
 * (1.386) on the scored steps.
 */
export function distractedRecallTask(options: DistractedRecallOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('distractedRecallTask', options, distractedRecallTaskKeys, 1000);
  const length = checkPositiveInteger('length', options.length ?? 20);
  const r = checkPositiveInteger('numTargets', options.numTargets ?? 2);
  const a = checkPositiveInteger('numTargetSymbols', options.numTargetSymbols ?? 4);
  const d = checkPositiveInteger('numDistractors', options.numDistractors ?? 4);
  if (r > length) invalidArgument('numTargets', r, `at most length (${length})`);
  const total = length + r;
  const rng = createRng(seed);
  const inputs = new Int32Array(numSamples * total);
  const targets = new Int32Array(numSamples * total);
  const weights = new Float32Array(numSamples * total);
  const steps = Array.from({ length }, (_, t) => t);
  for (let i = 0; i < numSamples; i++) {
    const base = i * total;
    for (let t = 0; t < length; t++) inputs[base + t] = a + 1 + rng.int(d);
    // A partial Fisher–Yates shuffle picks R distinct steps; sorting gives their order of appearance.
    for (let j = 0; j < r; j++) {
      const pick = j + rng.int(length - j);
      [steps[j], steps[pick]] = [steps[pick]!, steps[j]!];
    }
    const chosen = steps.slice(0, r).sort((x, y) => x - y);
    for (let j = 0; j < r; j++) {
      const symbol = 1 + rng.int(a);
      inputs[base + chosen[j]!] = symbol;
      inputs[base + length + j] = a + d + 1 + j;
      targets[base + length + j] = symbol;
      weights[base + length + j] = 1;
    }
  }
  return {
    inputs: { data: inputs, shape: [numSamples, total] },
    targets: { data: targets, shape: [numSamples, total] },
    sampleWeights: { data: weights, shape: [numSamples, total] },
    info: {
      name: 'distracted-recall',
      inputShape:
        '[numSamples, length + numTargets] (int32 ids: 1..A targets, A+1..A+D distractors, then prompts)',
      targetShape: '[numSamples, length + numTargets] (int32: target id at prompt steps, 0 elsewhere)',
      description:
        'Recall, in order, the target symbols hidden among distractors; only the prompt steps are scored.',
      numClasses: a + 1,
      inputVocabularySize: a + d + r + 1,
      baselines: [
        {
          strategy: 'uniform guess over the target symbols',
          metric: 'accuracy',
          value: 1 / a,
          analytic: true,
        },
        {
          strategy: 'uniform guess over the target symbols',
          metric: 'crossEntropy',
          value: Math.log(a),
          analytic: true,
        },
      ],
    },
  };
}
