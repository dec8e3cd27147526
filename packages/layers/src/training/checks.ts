/** Argument checks that training's options share (core has the positive-integer and range checks). */
import { invalidArgument } from '@seqmodel/core';

/** An integer >= 0 (epochs, patience, cooldown). */
export function checkCount(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    invalidArgument(argument, value, 'an integer >= 0');
  }
  return value;
}

/** A finite number. */
export function checkFinite(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    invalidArgument(argument, value, 'a finite number');
  return value;
}

/** A callback's `verbose`: 0, 1 or a boolean (Keras takes 0 and 1). */
export function checkVerbose(argument: string, value: unknown): boolean {
  if (value === 0 || value === 1) return value === 1;
  if (typeof value !== 'boolean') invalidArgument(argument, value, 'a boolean, 0 or 1');
  return value;
}

/** `fit`'s and `evaluate`'s `verbose`: 0, 1, 2 or `'auto'` (`fallback` when absent). */
export function checkVerboseLevel(
  argument: string,
  value: unknown,
  fallback: 0 | 'auto',
): 0 | 1 | 2 | 'auto' {
  const level = value ?? fallback;
  if (level !== 0 && level !== 1 && level !== 2 && level !== 'auto') {
    invalidArgument(argument, level, "0, 1, 2 or 'auto'");
  }
  return level;
}
