/** Argument checks shared by the package's entry points (on top of core's `check*` helpers). */
import { checkBoolean, invalidArgument } from '@seqmodel/core';

/** A seed: a safe integer or a string (core's RNG takes both). */
export function checkSeed(argument: string, value: unknown): number | string {
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isSafeInteger(value))) {
    invalidArgument(argument, value, 'a safe integer or a string');
  }
  return value;
}

/** An optional flag: `fallback` when undefined or null, else a boolean. */
export function flag(argument: string, value: unknown, fallback: boolean): boolean {
  return value === undefined || value === null ? fallback : checkBoolean(argument, value);
}

/** An integer >= 0 (counts, epochs, gaps). */
export function checkNonNegativeInteger(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    invalidArgument(argument, value, 'a non-negative integer');
  }
  return value;
}

/** An array or typed array (anything with a numeric `length` that is not a string). */
export function checkArrayLike<T = unknown>(
  argument: string,
  value: unknown,
  expected: string,
): ArrayLike<T> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as ArrayLike<unknown>).length !== 'number'
  ) {
    invalidArgument(argument, value, expected);
  }
  return value as ArrayLike<T>;
}

/** The seed and epoch options of a shuffling batcher, checked (`seed` 0 and `epoch` 0 by default). */
export function shuffleOptions(options: { shuffle?: unknown; seed?: unknown; epoch?: unknown }): {
  shuffle: boolean;
  seed: number | string;
  epoch: number;
} {
  return {
    shuffle: flag('shuffle', options.shuffle, false),
    seed: checkSeed('seed', options.seed ?? 0),
    epoch: checkNonNegativeInteger('epoch', options.epoch ?? 0),
  };
}
