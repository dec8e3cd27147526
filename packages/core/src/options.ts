/**
 * Options objects: every public function that takes one rejects keys it does not know, so that a misspelt option
 * (`batch_size`, `numsamples`) is an error naming the closest valid one instead of a default silently used.
 */
import { describeValue, SeqmodelError } from './errors.js';

/**
 * The candidate nearest to `name`: the same name in another case or spelling (`batch_size`, `BatchSize`), else the
 * one fewest single-character edits away when that is at most a third of the name's length (so `seed` suggests
 * nothing for `x`, and `numSample` suggests `numSamples`). Undefined when none is close.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const key = plain(name);
  const same = candidates.find((c) => plain(c) === key);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    const distance = editDistance(key, plain(candidate));
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance - 1;
    }
  }
  return best;
}

/** ` (did you mean "batchSize"?)` when one of `candidates` is close to `name` (see {@link closestName}), else ''. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const closest = closestName(name, candidates);
  return closest === undefined ? '' : ` (did you mean ${JSON.stringify(closest)}?)`;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * Checks an options argument: `undefined` or a plain object whose keys are all in `known`. `argument` names it in
 * errors (`'addingProblem(options)'`). An unknown key is an error that names it, suggests the closest known one and
 * lists the options accepted.
 *
 * @example
 * checkOptions('batches(options)', { batch_size: 32 }, ['batchSize', 'shuffle', 'seed']);
 * // SeqmodelError: batches(options): unknown option "batch_size" (did you mean "batchSize"?); expected one of batchSize, shuffle, seed
 */
export function checkOptions<O extends object>(
  argument: string,
  options: O | undefined,
  known: readonly (keyof O & string)[],
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SeqmodelError(
      `${argument}: expected an options object, received ${Array.isArray(options) ? 'an array' : describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!(known as readonly string[]).includes(key)) {
      throw new SeqmodelError(
        `${argument}: unknown option ${JSON.stringify(key)}${didYouMean(key, known)}; ` +
          (known.length > 0 ? `expected one of ${known.join(', ')}` : 'expected no options'),
      );
    }
  }
}

/**
 * The keys of an options type as a list for {@link checkOptions}, written as `{ key: true, ... }` so that the
 * compiler refuses a list that misses a key of `O` or names one `O` does not have.
 *
 * @example
 * const keys = optionKeys<BatchOptions>({ batchSize: true, shuffle: true, seed: true, epoch: true, dropRemainder: true });
 */
export function optionKeys<O extends object>(
  keys: { readonly [K in keyof Required<O>]: true },
): (keyof O & string)[] {
  return Object.keys(keys) as (keyof O & string)[];
}
