import { describe, expect, it } from 'vitest';
import { toNested } from '../tensor-data.js';
import { padSequences } from './pad.js';

describe('padSequences', () => {
  const seqs = [
    [1, 2, 3],
    [4, 5],
    [6, 7, 8, 9, 10],
  ];

  it('pre-pads and pre-truncates by default, like Keras pad_sequences', () => {
    const p = padSequences(seqs, { maxLength: 4 });
    expect(toNested(p.values)).toEqual([
      [0, 1, 2, 3],
      [0, 0, 4, 5],
      [7, 8, 9, 10],
    ]);
    expect(toNested(p.mask)).toEqual([
      [0, 1, 1, 1],
      [0, 0, 1, 1],
      [1, 1, 1, 1],
    ]);
    expect(Array.from(p.lengths)).toEqual([3, 2, 4]);
    expect(p.values.data).toBeInstanceOf(Int32Array);
  });

  it('post-pads and post-truncates', () => {
    const p = padSequences(seqs, { maxLength: 4, padding: 'post', truncating: 'post', value: -1 });
    expect(toNested(p.values)).toEqual([
      [1, 2, 3, -1],
      [4, 5, -1, -1],
      [6, 7, 8, 9],
    ]);
    expect(toNested(p.mask)).toEqual([
      [1, 1, 1, 0],
      [1, 1, 0, 0],
      [1, 1, 1, 1],
    ]);
  });

  it('pads to the longest sequence without maxLength, and handles empty sequences', () => {
    const p = padSequences([[1], [], [2, 3]], { padding: 'post' });
    expect(p.values.shape).toEqual([3, 2]);
    expect(toNested(p.mask)).toEqual([
      [1, 0],
      [0, 0],
      [1, 1],
    ]);
    expect(Array.from(p.lengths)).toEqual([1, 0, 2]);
  });

  it('pads sequences of feature vectors to [n, T, features]', () => {
    const p = padSequences(
      [
        [
          [1, 2],
          [3, 4],
        ],
        [[5, 6]],
      ],
      { padding: 'post' },
    );
    expect(p.values.shape).toEqual([2, 2, 2]);
    expect(toNested(p.values)).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [0, 0],
      ],
    ]);
  });

  it('infers float32 for fractional values or float arrays, and never truncates floats to int32', () => {
    expect(padSequences([[0.5, 1]]).values.data).toBeInstanceOf(Float32Array);
    expect(padSequences([Float32Array.from([1, 2])]).values.data).toBeInstanceOf(Float32Array);
    expect(padSequences([[1, 2]], { dtype: 'float32' }).values.data).toBeInstanceOf(Float32Array);
    expect(() => padSequences([[0.5]], { dtype: 'int32' })).toThrow(
      'sequences[0][0]: expected an integer (dtype is int32), received 0.5',
    );
  });

  it('rejects ragged feature vectors, NaN and bad options', () => {
    expect(() => padSequences([[[1, 2], [3]]])).toThrow('sequences[0][1]: expected a vector of 2 numbers');
    expect(() => padSequences([[1, Number.NaN]])).toThrow('sequences[0][1]: expected a number, received NaN');
    expect(() => padSequences([[1]], { padding: 'middle' as never })).toThrow(
      'padding: expected one of "pre", "post", received "middle"',
    );
    expect(() => padSequences([[1]], { maxLength: 0 })).toThrow(
      'maxLength: expected a positive integer, received 0',
    );
  });
});
