/**
 * Checks for the JSON documents of saved models, field by field, so that every document is validated whole before any
 * of it is used, and every error names the field by its path in the document (`model.json: weights.entries[2].offset`),
 * what was received and what was expected.
 */
import { describeValue, SeqmodelError, sizeOfShape } from '@seqmodel/core';
import { isObject } from './files.js';

/** The checks of one document; `where` prefixes every field (`loadModel: /models/a/model.json`). */
export class DocumentChecker {
  constructor(readonly where: string) {}

  /** Throws naming `field`, what it held and what was expected. */
  fail(field: string, received: unknown, expected: string): never {
    const got = received === undefined ? 'nothing (the field is missing)' : describeValue(received);
    throw new SeqmodelError(`${this.at(field)}expected ${expected}, received ${got}`);
  }

  /** Throws naming `field` with a message of its own. */
  error(field: string, message: string): never {
    throw new SeqmodelError(`${this.at(field)}${message}`);
  }

  private at(field: string): string {
    return field === '' ? `${this.where}: ` : `${this.where}: ${field}: `;
  }

  /**
   * An object holding every key of `required`, any of `optional`, and (unless `otherKeys`) nothing else; an unknown
   * key is an error listing the known ones.
   */
  object(
    field: string,
    value: unknown,
    required: readonly string[],
    optional: readonly string[] = [],
    otherKeys = false,
  ): Record<string, unknown> {
    if (!isObject(value) || Array.isArray(value)) {
      this.fail(field, value, required.length === 0 ? 'an object' : `an object with ${required.join(', ')}`);
    }
    for (const key of required) {
      if (value[key] === undefined)
        this.fail(join(field, key), undefined, `a value (${required.join(', ')} are required)`);
    }
    if (!otherKeys) {
      const known = [...required, ...optional];
      for (const key of Object.keys(value)) {
        if (!known.includes(key)) {
          this.error(
            join(field, key),
            `unknown field; expected one of the known fields: ${known.join(', ')}`,
          );
        }
      }
    }
    return value;
  }

  array(field: string, value: unknown): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(field, value, 'an array');
    return value;
  }

  string(field: string, value: unknown): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(field, value, 'a non-empty string');
    return value;
  }

  /** An integer in [min, max] (max at most `Number.MAX_SAFE_INTEGER`): no fractions, `null`, strings or NaN. */
  integer(field: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(
        field,
        value,
        max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`,
      );
    }
    return value;
  }

  number(field: string, value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, value, 'a finite number');
    return value;
  }

  oneOf<V extends string>(field: string, value: unknown, allowed: readonly V[]): V {
    if (typeof value !== 'string' || !allowed.includes(value as V)) {
      this.fail(field, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    }
    return value as V;
  }

  /**
   * A shape (an array of integers >= 0) whose `bytesPerEntry`-byte entries fit in a safe integer; returns the number
   * of entries.
   */
  shape(field: string, value: unknown, bytesPerEntry: number): number {
    if (!Array.isArray(value)) this.fail(field, value, 'a shape (an array of integers >= 0)');
    value.forEach((d, i) => {
      this.integer(`${field}[${i}]`, d);
    });
    const size = sizeOfShape(value as number[]);
    if (!Number.isSafeInteger(size * bytesPerEntry)) {
      this.fail(
        field,
        value,
        `a shape of at most ${Math.floor(Number.MAX_SAFE_INTEGER / bytesPerEntry)} entries`,
      );
    }
    return size;
  }

  /** Checks that `names` (with the fields they came from) hold no value twice. */
  unique(what: string, items: readonly { readonly field: string; readonly value: string }[]): void {
    const seen = new Map<string, string>();
    for (const { field, value } of items) {
      const first = seen.get(value);
      if (first !== undefined)
        this.error(
          field,
          `duplicate ${what} ${JSON.stringify(value)} (also at ${first}); expected each ${what} once`,
        );
      seen.set(value, field);
    }
  }
}

/** `a.b`, or `b` at the top. */
function join(field: string, key: string): string {
  return field === '' ? key : `${field}.${key}`;
}

/** A byte range of one weight in a buffer, with the field that declared it. */
export interface ByteRange {
  readonly field: string;
  readonly offset: number;
  readonly byteLength: number;
}

/** Checks that `ranges` lie inside a buffer of `total` bytes and do not overlap. */
export function checkRanges(check: DocumentChecker, ranges: readonly ByteRange[], total: number): void {
  for (const r of ranges) {
    if (r.offset + r.byteLength > total) {
      check.error(
        r.field,
        `bytes ${r.offset} to ${r.offset + r.byteLength} do not fit in the ${total}-byte weights buffer; expected bytes inside it`,
      );
    }
  }
  const sorted = [...ranges].filter((r) => r.byteLength > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const r = sorted[i]!;
    if (r.offset < before.offset + before.byteLength) {
      check.error(
        r.field,
        `bytes ${r.offset} to ${r.offset + r.byteLength} overlap ${before.field} (bytes ${before.offset} to ${before.offset + before.byteLength}); expected each weight's bytes apart`,
      );
    }
  }
}
