/**
 * Options objects as users write them: `fit(x, y, { batchSize: 32 })`, `dense({ units: 8 })`. A misspelt key
 * (`batch_size`, `retrunSequences`) would otherwise be ignored without a word, so every entry point checks its keys
 * against the ones it knows and names the closest one in its error.
 */
import { invalidArgument, SeqmodelError } from './errors.js';

/** Lower case without `_` and `-`: `batch_size`, `BatchSize` and `batchSize` compare equal. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** Edits from `a` to `b`: insertions, deletions, substitutions and swaps of neighbours (`bathc` to `batch` is one). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const previous = rows[i - 1]!;
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
      }
    }
  }
  return rows[a.length]![b.length]!;
}

/** Older Keras spellings no edit distance finds, by normalized name: `lr` (Keras 2's optimizers), `nb_epoch`. */
const SPELLINGS: Readonly<Record<string, string>> = { lr: 'learningRate', nbepoch: 'epochs' };

/**
 * The candidate `name` most likely misspells: the same name in another case or spelling (`batch_size` for
 * `batchSize`), else the one fewest single-character edits away when that is under a third of the name's length
 * (so `epoch` finds `epochs`, while `auc` does not find `acc` nor `adamax` `adam`), or what an older Keras spelling
 * means (`lr`: `learningRate`).
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const key = normalize(name);
  const same = candidates.find((c) => normalize(c) === key);
  if (same !== undefined) return same;
  const alias = SPELLINGS[key];
  if (alias !== undefined && candidates.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Math.floor((key.length - 1) / 3);
  for (const candidate of candidates) {
    const distance = editDistance(key, normalize(candidate));
    if (distance <= bestDistance) {
      best = candidate;
      bestDistance = distance - 1;
    }
  }
  return best;
}

/** ` (did you mean "batchSize"?)` when one of `candidates` is a likely misspelling of `name`, else nothing. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const closest = closestName(name, candidates);
  return closest === undefined ? '' : ` (did you mean ${JSON.stringify(closest)}?)`;
}

/** Whether `value` is an options object: a plain object (not an array, a tensor, a Map or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks an options object: `undefined` gives `{}`; anything but a plain object, or a key not in `known`, is a
 * `SeqmodelError` naming `argument`, the key, the closest known key and every known one. `more` names other options
 * that come from elsewhere in the message (a recurrent layer's cell options).
 *
 * @example
 * checkOptions('fit options', { batch_size: 8 }, ['batchSize', 'epochs']);
 * // SeqmodelError: fit options: unknown option "batch_size" (did you mean "batchSize"?); known options: batchSize, epochs
 */
export function checkOptions<O extends object = Record<string, unknown>>(
  argument: string,
  options: unknown,
  known: readonly string[],
  more: { readonly known: readonly string[]; readonly label: string } | undefined = undefined,
): O {
  if (options === undefined) return {} as O;
  if (!isPlainObject(options)) invalidArgument(argument, options, 'an options object { ... }');
  const all = more === undefined ? known : [...known, ...more.known];
  for (const key of Object.keys(options)) {
    if (all.includes(key)) continue;
    const listed =
      more === undefined
        ? `known options: ${known.join(', ') || '(none)'}`
        : `known options: ${known.join(', ')}; ${more.label}: ${more.known.join(', ') || '(none)'}`;
    throw new SeqmodelError(
      `${argument}: unknown option ${JSON.stringify(key)}${didYouMean(key, all)}; ${listed}`,
    );
  }
  return options as O;
}
