/**
 * Text keys for the compiler's caches. `JSON.stringify` alone would make different values one key: it writes
 * `Infinity`, `-Infinity` and `NaN` as `null` and `-0` as `0`, and leaves functions out (an option holding a
 * function would reuse the trace of another function).
 */
import { isPlainObject } from '../options.js';

/** Functions by identity: each gets a number the first time it is seen. */
const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;

function functionId(f: object): number {
  let id = functionIds.get(f);
  if (id === undefined) {
    id = nextFunctionId++;
    functionIds.set(f, id);
  }
  return id;
}

/**
 * A key equal for two values exactly when they are the same deep through arrays and plain objects: numbers as
 * `Object.is` tells them apart (so -0, NaN and ±Infinity each keep their own), functions by identity, strings,
 * booleans, null and undefined as themselves. Undefined when `value` holds something else (a typed array, a class
 * instance, a symbol), which could change without its key changing: such a value is not cached.
 */
export function cacheKey(value: unknown): string | undefined {
  let keyable = true;
  // Every leaf is written as a tagged string, so no two kinds of value can give the same text.
  const text = JSON.stringify(value, (_name, v: unknown) => {
    switch (typeof v) {
      case 'number':
        return `n${Object.is(v, -0) ? '-0' : String(v)}`;
      case 'string':
        return `s${v}`;
      case 'boolean':
        return `b${v}`;
      case 'undefined':
        return 'u';
      case 'bigint':
        return `i${v}`;
      case 'function':
        return `f${functionId(v)}`;
      case 'symbol':
        keyable = false;
        return 'x';
      default:
        if (v === null) return 'z';
        if (!Array.isArray(v) && !isPlainObject(v)) keyable = false;
        return v;
    }
  });
  return keyable ? text : undefined;
}
