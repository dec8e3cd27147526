import { describe, expect, it } from 'vitest';
import { lstm } from './cells/index.js';
import { SeqmodelError } from './errors.js';
import { checkOptions, closestName, didYouMean, optionKeys } from './options.js';
import { resolveCellOptions } from './params.js';

describe('closestName', () => {
  const known = ['batchSize', 'shuffle', 'seed', 'epoch', 'dropRemainder'];

  it('finds another spelling of the same name (case, snake_case, kebab-case)', () => {
    expect(closestName('batch_size', known)).toBe('batchSize');
    expect(closestName('BATCHSIZE', known)).toBe('batchSize');
    expect(closestName('drop-remainder', known)).toBe('dropRemainder');
  });

  it('finds a name a few edits away, and nothing when every name is far', () => {
    expect(closestName('batchSise', known)).toBe('batchSize');
    expect(closestName('shufle', known)).toBe('shuffle');
    expect(closestName('epochs', known)).toBe('epoch');
    expect(closestName('x', known)).toBeUndefined();
    expect(closestName('learningRate', known)).toBeUndefined();
    expect(closestName('anything', [])).toBeUndefined();
  });

  it('prefers the nearest of several close names', () => {
    expect(closestName('units', ['unit', 'units2', 'inits'])).toBe('unit');
  });

  it('didYouMean formats the suggestion or nothing', () => {
    expect(didYouMean('sead', known)).toBe(' (did you mean "seed"?)');
    expect(didYouMean('zzzzzz', known)).toBe('');
  });
});

describe('checkOptions', () => {
  const known = ['batchSize', 'shuffle'] as const;

  it('accepts undefined, an empty object and known keys', () => {
    expect(() => checkOptions('f(options)', undefined, [...known])).not.toThrow();
    expect(() => checkOptions('f(options)', {}, [...known])).not.toThrow();
    expect(() => checkOptions('f(options)', { batchSize: 2, shuffle: true }, [...known])).not.toThrow();
  });

  it('rejects an unknown key, naming it, the closest known one and every known one', () => {
    expect(() => checkOptions('batches(options)', { batch_size: 32 } as object, [])).toThrow(SeqmodelError);
    expect(() =>
      checkOptions('batches(options)', { batch_size: 32 } as { batchSize?: number }, ['batchSize']),
    ).toThrow(
      'batches(options): unknown option "batch_size" (did you mean "batchSize"?); expected one of batchSize',
    );
    expect(() => checkOptions('f(options)', { colour: 1 } as object, [])).toThrow(
      'f(options): unknown option "colour"; expected no options',
    );
  });

  it('rejects what is not an options object', () => {
    for (const [value, shown] of [
      [null, 'null'],
      [3, '3'],
      ['fast', '"fast"'],
      [[1], 'an array'],
    ] as const) {
      expect(() => checkOptions('f(options)', value as never, [])).toThrow(
        `f(options): expected an options object, received ${shown}`,
      );
    }
  });
});

describe("resolveCellOptions' suggestion", () => {
  it('suggests the closest option of the cell', () => {
    expect(() => resolveCellOptions(lstm, { unitForgetbias: true })).toThrow(
      'lstm: unknown option "unitForgetbias" (did you mean "unitForgetBias"?); options of lstm:',
    );
  });
});

describe('optionKeys', () => {
  it('lists the keys of an options type', () => {
    interface Options {
      a?: number;
      b: string;
    }
    expect(optionKeys<Options>({ a: true, b: true })).toEqual(['a', 'b']);
  });
});
