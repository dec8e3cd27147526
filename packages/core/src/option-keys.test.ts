import { describe, expect, it } from 'vitest';
import { optionKeys } from './option-keys.js';

describe('optionKeys', () => {
  it('lists the keys of an options type, optional ones included', () => {
    interface Options {
      a?: number;
      b: string;
    }
    expect(optionKeys<Options>({ a: true, b: true })).toEqual(['a', 'b']);
  });
});
