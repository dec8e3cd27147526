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
