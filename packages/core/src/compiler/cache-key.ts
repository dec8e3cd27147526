/**
 * Text keys for the compiler's caches. `JSON.stringify` alone would make different values one key: it writes
 * `Infinity`, `-Infinity` and `NaN` as `null` and `-0` as `0`, leaves functions out (an option holding a function
 * would reuse the trace of another function), and writes a Map or a typed array as what they are not (`{}`, an
 * object of indices).
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
 * A key for values made of arrays, plain objects (their own enumerable string keys, in order), numbers as
 * `Object.is` tells them apart (so -0, NaN and ±Infinity each keep their own), functions by identity, strings,
 * booleans, bigints, null and undefined: equal keys mean equal values. Undefined when `value` holds anything else (a
 * typed array, a Map, a Date, a class instance, a symbol), which the key could not tell apart: such a value is not
 * cached.
 */
export function cacheKey(value: unknown): string | undefined {
  let keyable = true;
  // Every leaf is written as a tagged string, so no two kinds of value can give the same text. The value is taken
  // from its holder, before `toJSON` (a Date's) has turned it into a string.
  const text = JSON.stringify(value, function (this: Record<string, unknown>, name: string) {
    const v = this[name];
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
