/**
 * A toy aligned tagging task (many-to-many), shaped like part-of-speech tagging: most words always carry the same
 * tag, but ambiguous words take the tag of the word before them, so a tagger needs context.
 */
import {
  checkNumberInRange,
  checkPositiveInteger,
  createRng,
  invalidArgument,
  optionKeys,
} from '@seqmodel/core';
import { padResolved, resolvePadOptions } from '../transforms/pad.js';
import { checkCommon, type Seed, type SyntheticTask } from './task.js';

export interface ToyTaggingOptions {
  /** Number of sentences (default 1000). */
  numSamples?: number;
  /** Words are ids 1 … vocabSize (default 20); 0 is padding. */
  vocabSize?: number;
  /** Number of tags (default 4). */
  numTags?: number;
  /** How many of the words are ambiguous: the last `numAmbiguous` ids (default 4). */
  numAmbiguous?: number;
  /** Lengths are drawn uniformly from [minLength, maxLength] (defaults 5 and 15). */
  minLength?: number;
  maxLength?: number;
  seed?: Seed;
}

/** The fixed tag of an unambiguous word, or undefined for an ambiguous one. */
export function toyWordTag(word: number, vocabSize: number, numTags: number, numAmbiguous: number) {
  return word > vocabSize - numAmbiguous ? undefined : (word - 1) % numTags;
}

const toyTaggingTaskKeys = optionKeys<ToyTaggingOptions>({
  numSamples: true,
  vocabSize: true,
  numTags: true,
  numAmbiguous: true,
  minLength: true,
  maxLength: true,
  seed: true,
});

/**
 * Words are drawn uniformly. An unambiguous word `w` has tag `(w − 1) mod numTags`; an ambiguous word copies the
 * tag of the previous word (tag 0 at the first step).
 *
 * - inputs: `[numSamples, maxLength]` int32 word ids, post-padded with 0; `mask` and `lengths`.
 * - targets: `[numSamples, maxLength]` int32 tags (0 at padding; use the mask).
 *
 * Baseline: a memoryless tagger (the most frequent tag of each word, measured on the data) is right on every
 * unambiguous word and about 1/numTags of the ambiguous ones: ≈ 0.85 accuracy with the defaults.
 */
export function toyTaggingTask(options: ToyTaggingOptions = {}): SyntheticTask {
  const { numSamples, seed } = checkCommon('toyTaggingTask', options, toyTaggingTaskKeys, 1000);
  const vocabSize = checkPositiveInteger('vocabSize', options.vocabSize ?? 20);
  const numTags = checkPositiveInteger('numTags', options.numTags ?? 4);
  const numAmbiguous = options.numAmbiguous ?? 4;
  if (!Number.isInteger(numAmbiguous) || numAmbiguous < 0 || numAmbiguous >= vocabSize) {
    invalidArgument('numAmbiguous', numAmbiguous, `an integer in [0, vocabSize) = [0, ${vocabSize})`);
  }
  const minLength = checkPositiveInteger('minLength', options.minLength ?? 5);
  const maxLength = checkPositiveInteger('maxLength', options.maxLength ?? 15);
  checkNumberInRange('maxLength', maxLength, minLength, Number.MAX_SAFE_INTEGER);
  const rng = createRng(seed);
  const sentences: number[][] = [];
  const tags: number[][] = [];
  // counts[word][tag], for the memoryless baseline.
  const counts = Array.from({ length: vocabSize + 1 }, () => new Array<number>(numTags).fill(0));
  let total = 0;
  for (let i = 0; i < numSamples; i++) {
    const length = minLength + rng.int(maxLength - minLength + 1);
    const words: number[] = [];
    const wordTags: number[] = [];
    for (let t = 0; t < length; t++) {
      const w = 1 + rng.int(vocabSize);
      const tag = toyWordTag(w, vocabSize, numTags, numAmbiguous) ?? (t === 0 ? 0 : wordTags[t - 1]!);
      words.push(w);
      wordTags.push(tag);
      counts[w]![tag]!++;
      total++;
    }
    sentences.push(words);
    tags.push(wordTags);
  }
  const pad = resolvePadOptions({ padding: 'post', maxLength, dtype: 'int32' }, 'post');
  const inputs = padResolved(sentences, pad, 'sentences');
  const targets = padResolved(tags, pad, 'tags');
  const memoryless = counts.reduce((sum, c) => sum + Math.max(...c), 0) / total;
  return {
    inputs: inputs.values,
    targets: targets.values,
    mask: inputs.mask,
    lengths: inputs.lengths,
    info: {
      name: 'toy-tagging',
      inputShape: '[numSamples, maxLength] (int32 word ids, 0 = padding)',
      targetShape: '[numSamples, maxLength] (int32 tags; padding steps are masked)',
      description: 'Tag every word; ambiguous words take the tag of the previous word.',
      numClasses: numTags,
      inputVocabularySize: vocabSize + 1,
      baselines: [
        {
          strategy: 'most frequent tag of each word (no context)',
          metric: 'accuracy',
          value: memoryless,
          analytic: false,
        },
      ],
    },
  };
}
