/**
 * The seeded random number generator behind initializers, dropout masks and synthetic data sets. It is xoshiro128**
 * seeded through SplitMix32, using only 32-bit integer arithmetic, so a seed gives the same stream on every
 * platform and backend. Normal draws use the Box–Muller transform.
 */
import { invalidArgument } from './errors.js';

export interface Rng {
  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniformly distributed float in [0, 1), with 53 random bits. */
  next(): number;
  /** A uniformly distributed float in [min, max). */
  uniform(min?: number, max?: number): number;
  /** A normally distributed float. */
  normal(mean?: number, stddev?: number): number;
  /** A uniformly distributed integer in [0, n). */
  int(n: number): number;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<V>(items: V[]): V[];
  /**
   * An independent generator derived from this one's seed and `label`, unaffected by how many numbers this one has
   * drawn: `createRng(1).fork('kernel')` is the same stream wherever it is made.
   */
  fork(label: string | number): Rng;
}

/** 32-bit FNV-1a hash of a string, to turn labels and string seeds into integers. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** SplitMix32 step: a well-mixed 32-bit value from a counter. */
function splitMix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function seedWords(seed: number | string): [number, number] {
  if (typeof seed === 'string') return [hashString(seed), hashString(`${seed}\u0001`)];
  if (!Number.isSafeInteger(seed)) invalidArgument('seed', seed, 'a safe integer or a string');
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return [lo, hi];
}

class Xoshiro128 implements Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  constructor(
    private readonly lo: number,
    private readonly hi: number,
  ) {
    let x = lo ^ Math.imul(hi, 0x27d4eb2d);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      words.push(splitMix32(x ^ Math.imul(hi + i, 0x165667b1)));
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  uniform(min = 0, max = 1): number {
    return min + (max - min) * this.next();
  }

  normal(mean = 0, stddev = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + stddev * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * v;
    this.spareNormal = radius * Math.sin(angle);
    return mean + stddev * radius * Math.cos(angle);
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) invalidArgument('int(n)', n, 'an integer in [1, 2^32]');
    // Rejection sampling avoids the modulo bias.
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  shuffle<V>(items: V[]): V[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as V;
      items[i] = items[j] as V;
      items[j] = tmp;
    }
    return items;
  }

  fork(label: string | number): Rng {
    const h = hashString(String(label));
    return new Xoshiro128(splitMix32(this.lo ^ h), splitMix32(this.hi ^ Math.imul(h, 0x9e3779b1)));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator for `seed` (a safe integer or a string). */
export function createRng(seed: number | string): Rng {
  const [lo, hi] = seedWords(seed);
  return new Xoshiro128(lo, hi);
}
