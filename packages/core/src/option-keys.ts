/**
 * The keys of an options type as a list for `checkOptions`, written as `{ key: true, ... }` so that the compiler
 * refuses a list that misses a key of `O` or names one `O` does not have: an option added to an interface cannot
 * be forgotten in the list of keys its function accepts.
 *
 * @example
 * const batchKeys = optionKeys<BatchOptions>({ batchSize: true, shuffle: true, seed: true, epoch: true, dropRemainder: true });
 */
export function optionKeys<O extends object>(
  keys: { readonly [K in keyof Required<O>]: true },
): (keyof O & string)[] {
  return Object.keys(keys) as (keyof O & string)[];
}
