/**
 * Parity: the XOR of a bit sequence. No single bit says anything about the answer, so a model must carry one bit
 * of state through the whole sequence; a classic failure case for short memories and for attention without
 * position information.
 */
import { checkPositiveInteger, createRng, optionKeys } from '@seqmodel/core';
import { flag } from '../checks.js';
import { checkCommon, type Seed, type SyntheticTask } from './task.js';

export interface ParityOptions {
  /** Number of examples (default 1000). */
  numSamples?: number;
  /** Bits per sequence (default 16). */
  length?: number;
  /** Targets at every step (running parity, many-to-many) instead of only at the end (default false). */
  perStep?: boolean;
  seed?: Seed;
}

const parityTaskKeys = optionKeys<ParityOptions>({
  numSamples: true,
  length: true,
  perStep: true,
  seed: true,
});

/**
 * - inputs: `[numSamples, length, 1]` float32 bits (fair coin flips).
 * - targets: `[numSamples, 1]` float32, the parity (XOR) of all bits; with `perStep`, `[numSamples, length, 1]`,
 *   the parity of the bits up to and including each step.
 *
 * Baseline: a constant guess scores accuracy 0.5 and binary cross-entropy ln 2 ≈ 0.693.
 */
export function parityTask(options: ParityOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('parityTask', options, parityTaskKeys, 1000);
  const length = checkPositiveInteger('length', options.length ?? 16);
  const perStep = flag('perStep', options.perStep, false);
  const rng = createRng(seed);
  const inputs = new Float32Array(numSamples * length);
  const targets = new Float32Array(perStep ? numSamples * length : numSamples);
  for (let i = 0; i < numSamples; i++) {
    let parity = 0;
    for (let t = 0; t < length; t++) {
      const bit = rng.nextUint32() >>> 31;
      inputs[i * length + t] = bit;
      parity ^= bit;
      if (perStep) targets[i * length + t] = parity;
    }
    if (!perStep) targets[i] = parity;
  }
  return {
    inputs: { data: inputs, shape: [numSamples, length, 1] },
    targets: { data: targets, shape: perStep ? [numSamples, length, 1] : [numSamples, 1] },
    info: {
      name: 'parity',
      inputShape: '[numSamples, length, 1]',
      targetShape: perStep ? '[numSamples, length, 1]' : '[numSamples, 1]',
      description: perStep ? 'Running XOR of the bits so far.' : 'XOR of all the bits.',
      baselines: [
        { strategy: 'constant guess', metric: 'accuracy', value: 0.5, analytic: true },
        { strategy: 'predict 0.5', metric: 'binaryCrossEntropy', value: Math.log(2), analytic: true },
      ],
    },
  };
}
