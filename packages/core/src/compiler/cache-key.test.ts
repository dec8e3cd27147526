import { describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key.js';

describe('cacheKey', () => {
  it('tells apart the numbers JSON.stringify writes alike: ±Infinity, NaN, null, -0 and 0', () => {
    const keys = [Infinity, -Infinity, Number.NaN, null, -0, 0, '0', 'null', undefined, false].map((v) =>
      cacheKey({ v }),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(cacheKey({ v: Number.NaN })).toBe(cacheKey({ v: 0 / 0 }));
  });

  it('follows arrays and plain objects deep, equal for equal values', () => {
    expect(cacheKey([{ a: [1, { b: 'x' }] }, 2])).toBe(cacheKey([{ a: [1, { b: 'x' }] }, 2]));
    expect(cacheKey([{ a: [1, { b: 'x' }] }])).not.toBe(cacheKey([{ a: [1, { b: 'y' }] }]));
    expect(cacheKey({ a: 1 })).not.toBe(cacheKey({ a: [1] }));
  });

  it('keys functions by identity', () => {
    const f = (x: number) => x;
    const g = (x: number) => x;
    expect(cacheKey({ f })).toBe(cacheKey({ f }));
    expect(cacheKey({ f })).not.toBe(cacheKey({ f: g }));
  });

  it('gives no key for values that could change without their key changing', () => {
    expect(cacheKey({ w: new Float32Array(2) })).toBeUndefined();
    expect(cacheKey([new (class Box {})()])).toBeUndefined();
    expect(cacheKey({ s: Symbol('s') })).toBeUndefined();
    expect(cacheKey({ m: new Map() })).toBeUndefined();
    // Not the string its toJSON gives.
    expect(cacheKey({ d: new Date(0) })).toBeUndefined();
    expect(cacheKey({ d: new Date(0).toJSON() })).toBeDefined();
  });
});
