import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { lstm } from './cells/lstm.js';
import { SeqmodelError } from './errors.js';
import { assertFinite, firstNonFinite, unravelIndex } from './numerics.js';
import { initParamTensors, resolveCellOptions } from './params.js';
import { runSequence } from './recurrence.js';
import { createReferenceBackend, type RefTensor } from './reference/reference-backend.js';

describe('numerics checks', () => {
  it('finds the first non-finite value', () => {
    expect(firstNonFinite([1, 2, 3])).toBe(-1);
    expect(firstNonFinite([1, Number.NaN, Number.POSITIVE_INFINITY])).toBe(1);
    expect(firstNonFinite(Float32Array.of(0, 0, Number.NEGATIVE_INFINITY))).toBe(2);
  });

  it('unravels flat indices row-major', () => {
    expect(unravelIndex(0, [2, 3, 4])).toEqual([0, 0, 0]);
    expect(unravelIndex(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(unravelIndex(13, [2, 3, 4])).toEqual([1, 0, 1]);
    expect(unravelIndex(0, [])).toEqual([]);
  });

  it('names the argument, the first bad index, the count and the shape', () => {
    const ref = createReferenceBackend();
    const values = new Float64Array(24);
    values[13] = Number.NaN;
    values[20] = Number.POSITIVE_INFINITY;
    const x = ref.tensor(values, [2, 3, 4]);
    expect(() => assertFinite(ref, x, 'lstm inputs')).toThrow(
      new SeqmodelError(
        'lstm inputs: expected finite values, received NaN at index [1, 0, 1] ' +
          '(2 of 24 elements not finite, shape [2, 3, 4])',
      ),
    );
    expect(() => assertFinite(ref, ref.tensor([1, 2]), 'x')).not.toThrow();
  });

  it('runSequence checks every argument when the backend asks for it, and only then', () => {
    const ref = createReferenceBackend();
    const checking: Backend<RefTensor> = Object.assign(Object.create(ref) as typeof ref, {
      checkNumerics: true,
    });
    const params = initParamTensors(ref, lstm, { inputSize: 2, units: 3 }, 1);
    const inputs = ref.tensor([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    const badState = ref.tensor([[0, Number.NaN, 0]]);
    const args = {
      cell: lstm,
      options: resolveCellOptions(lstm, {}),
      units: 3,
      inputs,
      params,
      initialState: [ref.fill([1, 3], 0), badState],
    };
    expect(() => runSequence(checking, args)).toThrow(
      /lstm initialState\[1\]: expected finite values, received NaN at index \[0, 1\]/,
    );
    const unchecked = runSequence(ref, args);
    expect(Number.isNaN(ref.dataSync(unchecked.output)[0])).toBe(true);
    // A mask must hold 0 and 1 only: 0.5 would otherwise count as valid without a word.
    const halfMask = { ...args, initialState: undefined, mask: ref.tensor([[1, 0.5]]) };
    expect(() => runSequence(checking, halfMask)).toThrow(
      'lstm mask: expected 0 (masked) or 1 (valid) in a mask, received 0.5 at index [0, 1] (1 of 2 values, shape [1, 2])',
    );
    expect(() => runSequence(ref, halfMask)).not.toThrow();
    expect(() => runSequence(checking, { ...halfMask, mask: ref.tensor([[1, Number.NaN]]) })).toThrow(
      'lstm mask: expected 0 (masked) or 1 (valid) in a mask, received NaN at index [0, 1]',
    );
  });
});
