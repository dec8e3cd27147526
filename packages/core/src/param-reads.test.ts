import { describe, expect, it } from 'vitest';
import { compileCell, resolveCellDims } from './index.js';
import { ParamReads } from './param-reads.js';
import { initParamTensors } from './params.js';
import { scanCell } from './recurrence.js';
import { createReferenceBackend } from './reference/reference-backend.js';
import { cellWithStep } from './test-helpers.js';

const ref = createReferenceBackend();

/** A cell whose step reads `recurrentKernal`, one letter off its declared `recurrentKernel`. */
const misspelled = cellWithStep('testMisspelledParam', (ops, { input, state, params }) => {
  const h = ops.tanh(ops.add(input, ops.matMul(state[0]!, params.recurrentKernal!)));
  return { output: h, state: [h] };
});

describe('ParamReads', () => {
  it('notes the absent names read, and leaves reads of given names and of the prototype alone', () => {
    const reads = new ParamReads<number>({ kernel: 1, bias: 2 });
    expect(reads.params.kernel).toBe(1);
    expect(String(reads.params)).toBe('[object Object]');
    expect(Object.keys(reads.params)).toEqual(['kernel', 'bias']);
    const error = new Error('x');
    expect(reads.explain(error, 'c')).toBe(error);
    expect(reads.params.recurrentKernal).toBeUndefined();
    const explained = reads.explain(
      new Error('matMul(b): expected a tensor, received undefined'),
      'c',
    ) as Error;
    expect(explained.message).toBe(
      'c cell: matMul(b): expected a tensor, received undefined. Its code read params.recurrentKernal, which it was not given (its parameters: kernel, bias)',
    );
    expect((explained as { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it('leaves an error about something else as it is, absent names read or not', () => {
    const reads = new ParamReads<number>({ kernel: 1 });
    expect(reads.params.bias === undefined).toBe(true); // a cell testing for an optional parameter
    const error = new Error('shapes [2, 3] and [4, 5] do not match');
    expect(reads.explain(error, 'c')).toBe(error);
  });
});

describe('a step reading a parameter it was not given', () => {
  const config = { inputSize: 3, units: 4 };
  const dims = resolveCellDims(misspelled, config).dims;

  it('fails in the generic loop with an error naming the cell, the name and the closest given one', () => {
    const params = initParamTensors(ref, misspelled, config, 1);
    const inputs = ref.tensor(new Float32Array(2 * 3 * 3), [2, 3, 3]);
    expect(() => scanCell(ref, { cell: misspelled, units: 4, inputs, params })).toThrow(
      /^testMisspelledParam cell: .*undefined\. Its code read params\.recurrentKernal \(did you mean "recurrentKernel"\?\), which it was not given \(its parameters: kernel, recurrentKernel\)$/,
    );
  });

  it("gives the compiler's reason for the generic loop the same words", () => {
    const compiled = compileCell(misspelled, dims, 2, { training: true, recurrentMask: false });
    expect((compiled as { reason: string }).reason).toMatch(
      /^tracing the step failed: testMisspelledParam cell: .*Its code read params\.recurrentKernal \(did you mean "recurrentKernel"\?\)/,
    );
  });
});
