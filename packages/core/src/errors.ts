/**
 * Errors and argument checks shared by every package. An error message names the argument, what was received and
 * what was expected, so that a user can fix the call without reading the source.
 */

/** The error type thrown for invalid arguments anywhere in seqmodel. */
export class SeqmodelError extends Error {
  override readonly name = 'SeqmodelError';
}

/** Formats a value for an error message: shapes as `[2, 3]`, strings quoted, long arrays shortened. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    const items =
      value.length > 8 ? [...value.slice(0, 8).map(describeValue), '...'] : value.map(describeValue);
    return `[${items.join(', ')}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Float32Array).length})`;
  return typeof value;
}

/** Throws a {@link SeqmodelError} saying `argument` was `received` where `expected` was expected. */
export function invalidArgument(argument: string, received: unknown, expected: string): never {
  throw new SeqmodelError(`${argument}: expected ${expected}, received ${describeValue(received)}`);
}

/** Checks that `value` is an integer >= 1 (sizes such as `units`, `inputSize`, `batchSize`). */
export function checkPositiveInteger(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    invalidArgument(argument, value, 'a positive integer');
  }
  return value;
}

/** Checks that `value` is a boolean (flags such as `useBias`, `resetAfter`). */
export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') invalidArgument(argument, value, 'a boolean');
  return value;
}

/** Checks that `value` is a finite number within [min, max]. */
export function checkNumberInRange(argument: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    invalidArgument(argument, value, `a number in [${min}, ${max}]`);
  }
  return value;
}

/** Checks that `value` is one of `allowed`; the error lists them. */
export function checkOneOf<V extends string>(argument: string, value: unknown, allowed: readonly V[]): V {
  if (typeof value !== 'string' || !allowed.includes(value as V)) {
    invalidArgument(argument, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return value as V;
}
