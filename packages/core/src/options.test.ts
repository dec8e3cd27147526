import { describe, expect, it } from 'vitest';
import { SeqmodelError } from './errors.js';
import { checkOptions, closestName, didYouMean, isPlainObject } from './options.js';
import { resolveCellOptions } from './params.js';
import { createReferenceBackend } from './reference/reference-backend.js';
import { resolveCell } from './registry.js';
import { checkBackend } from './specification.js';

describe('closestName', () => {
  const fitKeys = ['batchSize', 'epochs', 'validationSplit', 'sampleWeight', 'classWeight'];

  it('finds Python and other spellings of a key', () => {
    expect(closestName('batch_size', fitKeys)).toBe('batchSize');
    expect(closestName('BatchSize', fitKeys)).toBe('batchSize');
    expect(closestName('validation-split', fitKeys)).toBe('validationSplit');
    expect(closestName('class_weight', fitKeys)).toBe('classWeight');
    // Older Keras spellings: Keras 2's `lr`, Keras 1's `nb_epoch`; only where the meant option exists.
    expect(closestName('lr', ['learningRate', 'beta1'])).toBe('learningRate');
    expect(closestName('nb_epoch', fitKeys)).toBe('epochs');
    expect(closestName('lr', fitKeys)).toBeUndefined();
  });

  it('finds typos within a third of the name, and nothing further', () => {
    expect(closestName('epoch', fitKeys)).toBe('epochs');
    expect(closestName('bathcSize', fitKeys)).toBe('batchSize');
    expect(closestName('foo', fitKeys)).toBeUndefined();
    // Short names need a closer match: a metric "auc" is not a typo of "acc", nor "adamax" of "adam".
    expect(closestName('auc', ['acc', 'mse'])).toBeUndefined();
    expect(closestName('adamax', ['adam', 'sgd'])).toBeUndefined();
    expect(closestName('msee', ['mse', 'mae'])).toBe('mse');
    expect(closestName('verbose', fitKeys)).toBeUndefined();
  });

  it('says nothing when no candidate is close', () => {
    expect(didYouMean('zzz', fitKeys)).toBe('');
    expect(didYouMean('epohcs', fitKeys)).toBe(' (did you mean "epochs"?)');
  });
});

describe('checkOptions', () => {
  it('returns the options, or {} for undefined', () => {
    const options = { batchSize: 2 };
    expect(checkOptions('fit options', options, ['batchSize'])).toBe(options);
    expect(checkOptions('fit options', undefined, ['batchSize'])).toEqual({});
  });

  it('names the unknown key, the closest known one and every known one', () => {
    expect(() => checkOptions('fit options', { batch_size: 8 }, ['batchSize', 'epochs'])).toThrow(
      'fit options: unknown option "batch_size" (did you mean "batchSize"?); known options: batchSize, epochs',
    );
  });

  it('lists options from elsewhere under their own label', () => {
    expect(() =>
      checkOptions('lstm', { recurrentActivaton: 1 }, ['units'], {
        known: ['recurrentActivation'],
        label: 'cell lstm',
      }),
    ).toThrow(
      'lstm: unknown option "recurrentActivaton" (did you mean "recurrentActivation"?); known options: units; cell lstm: recurrentActivation',
    );
  });

  it('refuses what is not a plain object, saying what it received', () => {
    for (const bad of [null, 3, 'x', [1], new Map()]) {
      expect(() => checkOptions('fit options', bad, ['batchSize'])).toThrow(SeqmodelError);
      expect(() => checkOptions('fit options', bad, ['batchSize'])).toThrow(
        /fit options: expected an options object/,
      );
    }
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(new (class {})())).toBe(false);
  });
});

describe('resolveCellOptions', () => {
  it('suggests the closest option of the cell', () => {
    expect(() => resolveCellOptions(resolveCell('lstm'), { unit_forget_bias: true })).toThrow(
      /unknown option "unit_forget_bias" \(did you mean "unitForgetBias"\?\)/,
    );
  });
});

describe('checkBackend', () => {
  it('accepts a backend', () => {
    expect(() => checkBackend('backend', createReferenceBackend())).not.toThrow();
  });

  it.each([
    ['a name', 'cpu', /received "cpu"; a backend is an object made by a factory, not its name/],
    ['an empty object', {}, /received object\. Make one with createCpuBackend\(\)/],
    ['nothing', undefined, /received undefined\. Make one/],
    ['a partial object', { tensor: () => 0 }, /\(it lacks isTensor, dataSync/],
  ])('explains what a backend is and how to make one for %s', (_what, value, pattern) => {
    expect(() => checkBackend('sequential backend', value)).toThrow(SeqmodelError);
    expect(() => checkBackend('sequential backend', value)).toThrow(pattern);
    expect(() => checkBackend('sequential backend', value)).toThrow(
      /^sequential backend: expected a seqmodel Backend .*@seqmodel\/backend-cpu/,
    );
  });
});
