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
    const reads = new ParamReads<number>({ kernel: 1, recurrentKernel: 2 });
    expect(reads.params.kernel).toBe(1);
    expect(String(reads.params)).toBe('[object Object]');
    expect(Object.keys(reads.params)).toEqual(['kernel', 'recurrentKernel']);
    const error = new Error('matMul(b): expected a tensor, received undefined.');
    expect(reads.explain(error, 'c')).toBe(error);
    expect(reads.params.recurrentKernal).toBeUndefined();
    const explained = reads.explain(error, 'c') as Error;
    expect(explained.message).toBe(
      'c cell: matMul(b): expected a tensor, received undefined; its code read parameters it was not given: params.recurrentKernal (did you mean "recurrentKernel"?)',
    );
    expect((explained as { cause?: unknown }).cause).toBe(error);
  });

  it('checkMisspelled throws for an absent name read whose closest given one was never read, naming both', () => {
    const reads = new ParamReads<number>({ kernel: 1, bias: 2 });
    expect(reads.params.kernel).toBe(1);
    // `affine(ops, x, params.kernel, params.bais)`: undefined is allowed there, so nothing failed.
    expect(reads.params.bais).toBeUndefined();
    expect(() => reads.checkMisspelled('c')).toThrow(
      'c cell: its code read parameters it was not given, and never read the declared ones they are closest to: params.bais (did you mean "bias"? params.bias was never read)',
    );
    // Read after all: a cell testing for a second, optional name.
    expect(reads.params.bias).toBe(2);
    expect(() => reads.checkMisspelled('c')).not.toThrow();
    // Absent names far from every given one (a cell without a bias testing for one) are no misspelling.
    const plain = new ParamReads<number>({ kernel: 1, recurrentKernel: 2 });
    expect(plain.params.bias).toBeUndefined();
    expect(() => plain.checkMisspelled('c')).not.toThrow();
  });

  it('leaves an error as it is when the absent names read are not near a given one, or it is about something else', () => {
    // A cell without a bias testing for one, then failing for another reason.
    const reads = new ParamReads<number>({ kernel: 1, recurrentKernel: 2 });
    expect(reads.params.bias === undefined).toBe(true);
    const undefinedState = new TypeError("Cannot read properties of undefined (reading 'shape')");
    expect(reads.explain(undefinedState, 'c')).toBe(undefinedState);
    expect(reads.params.kernal).toBeUndefined();
    const shapes = new Error('shapes [2, 3] and [4, 5] do not match');
    expect(reads.explain(shapes, 'c')).toBe(shapes);
  });
});

describe('a step reading a parameter it was not given', () => {
  const config = { inputSize: 3, units: 4 };
  const dims = resolveCellDims(misspelled, config).dims;

  it('fails in the generic loop with an error naming the cell, the name and the closest given one', () => {
    const params = initParamTensors(ref, misspelled, config, 1);
    const inputs = ref.tensor(new Float32Array(2 * 3 * 3), [2, 3, 3]);
    expect(() => scanCell(ref, { cell: misspelled, units: 4, inputs, params })).toThrow(
      /^testMisspelledParam cell: .*undefined; its code read parameters it was not given: params\.recurrentKernal \(did you mean "recurrentKernel"\?\)$/,
    );
  });

  it('leaves the error of a cell testing for an optional parameter and failing for another reason as it was', () => {
    const noBias = cellWithStep('testOptionalBias', (ops, { input, state, params }) => {
      const z = ops.add(input, ops.matMul(state[0]!, params.recurrentKernel!));
      const h = ops.tanh(params.bias === undefined ? z : ops.add(z, params.bias));
      return { output: h, state: [] }; // the next step's state[0] is undefined
    });
    const params = initParamTensors(ref, noBias, config, 1);
    const inputs = ref.tensor(new Float32Array(2 * 3 * 3), [2, 3, 3]);
    let message = '';
    try {
      scanCell(ref, { cell: noBias, units: 4, inputs, params });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('undefined');
    expect(message).not.toContain('params.bias');
    expect(message).not.toMatch(/^testOptionalBias cell:/);
  });

  it('fails after the loop, leaving no tensor behind, when a misspelled optional parameter failed nowhere', () => {
    const unread = cellWithStep('testUnreadParam', (ops, { input, state, params }) => {
      const z = ops.add(input, ops.matMul(state[0]!, params.recurrentKernel!));
      const h = ops.tanh(params.kernal === undefined ? z : ops.add(z, params.kernal));
      return { output: h, state: [h] };
    });
    const noProjection = { ...unread, projectInput: undefined };
    const params = initParamTensors(ref, noProjection, { inputSize: 4, units: 4 }, 1);
    const inputs = ref.tensor(new Float32Array(2 * 3 * 4), [2, 3, 4]);
    const before = ref.memory().numTensors;
    expect(() => scanCell(ref, { cell: noProjection, units: 4, inputs, params })).toThrow(
      /^testUnreadParam cell: .*params\.kernal \(did you mean "kernel"\? params\.kernel was never read\)$/,
    );
    expect(ref.memory().numTensors).toBe(before);
    const compiled = compileCell(
      noProjection,
      resolveCellDims(noProjection, { inputSize: 4, units: 4 }).dims,
      2,
      {
        training: true,
        recurrentMask: false,
      },
    );
    expect((compiled as { reason: string }).reason).toMatch(
      /^tracing the step failed: testUnreadParam cell: .*params\.kernal \(did you mean "kernel"\?/,
    );
  });

  it("gives the compiler's reason for the generic loop the same words", () => {
    const compiled = compileCell(misspelled, dims, 2, { training: true, recurrentMask: false });
    expect((compiled as { reason: string }).reason).toMatch(
      /^tracing the step failed: testMisspelledParam cell: .*undefined; its code read parameters it was not given: params\.recurrentKernal \(did you mean "recurrentKernel"\?\)$/,
    );
  });
});
