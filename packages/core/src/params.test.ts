import { describe, expect, it } from 'vitest';
import {
  checkParams,
  countParams,
  explainParamCount,
  initParams,
  initParamTensors,
  resolveCellDims,
  stateSpecs,
} from './params.js';
import { createReferenceBackend } from './reference/reference-backend.js';

describe('countParams', () => {
  it('reproduces the worked example (inputSize 45, units 64)', () => {
    expect(countParams('simpleRNN', { inputSize: 45, units: 64 })).toBe(7040);
    expect(countParams('lstm', { inputSize: 45, units: 64 })).toBe(28160);
    expect(countParams('gru', { inputSize: 45, units: 64, resetAfter: false })).toBe(21120);
    expect(countParams('gru', { inputSize: 45, units: 64, resetAfter: true })).toBe(21312);
  });

  it.each([
    [1, 1],
    [32, 128],
    [64, 256],
    [7, 3],
  ])('matches the closed forms for inputSize %i, units %i', (i, u) => {
    expect(countParams('simpleRNN', { inputSize: i, units: u })).toBe(i * u + u * u + u);
    expect(countParams('lstm', { inputSize: i, units: u })).toBe(4 * (i * u + u * u + u));
    expect(countParams('gru', { inputSize: i, units: u, resetAfter: false })).toBe(3 * (i * u + u * u + u));
    expect(countParams('gru', { inputSize: i, units: u })).toBe(3 * (i * u + u * u + 2 * u));
  });

  it.each([
    ['units', { inputSize: 3, units: 0 }, 'units: expected a positive integer, received 0'],
    ['units', { inputSize: 3, units: -2 }, 'units: expected a positive integer, received -2'],
    ['units', { inputSize: 3, units: 2.5 }, 'units: expected a positive integer, received 2.5'],
    ['inputSize', { inputSize: 0, units: 4 }, 'inputSize: expected a positive integer, received 0'],
    ['inputSize', { inputSize: '3', units: 4 }, 'inputSize: expected a positive integer, received "3"'],
  ])('rejects a bad %s with its value', (_name, config, message) => {
    expect(() => countParams('lstm', config as never)).toThrow(message);
  });

  it('names an unknown cell and lists the known ones', () => {
    expect(() => countParams('lstn', { inputSize: 3, units: 4 })).toThrow(
      'getCell: unknown cell "lstn" (did you mean "lstm"?); registered cells: simpleRNN, lstm, gru.',
    );
  });
});

describe('explainParamCount', () => {
  it('gives terms and a formula that add up', () => {
    const e = explainParamCount('lstm', { inputSize: 45, units: 64 });
    expect(e.terms.map((t) => [t.name, t.expression, t.count])).toEqual([
      ['kernel', '(45*64)*4', 11520],
      ['recurrentKernel', '(64*64)*4', 16384],
      ['bias', '64*4', 256],
    ]);
    expect(e.total).toBe(28160);
    expect(e.formula).toBe('(45*64)*4 + (64*64)*4 + 64*4 = 28160');
  });
});

describe('initParams', () => {
  it('is deterministic per seed and gives each parameter its own stream', () => {
    const a = initParams('lstm', { inputSize: 3, units: 4 }, 7);
    const b = initParams('lstm', { inputSize: 3, units: 4 }, 7);
    expect(a.kernel!.values).toEqual(b.kernel!.values);
    const c = initParams('lstm', { inputSize: 3, units: 4 }, 8);
    expect(a.kernel!.values).not.toEqual(c.kernel!.values);
    // Changing the recurrent initializer leaves the kernel untouched.
    const d = initParams('lstm', { inputSize: 3, units: 4, recurrentInitializer: 'glorotNormal' }, 7);
    expect(d.kernel!.values).toEqual(a.kernel!.values);
    expect(d.recurrentKernel!.values).not.toEqual(a.recurrentKernel!.values);
  });

  it('creates tensors on a backend', () => {
    const ref = createReferenceBackend();
    const p = initParamTensors(ref, 'gru', { inputSize: 3, units: 2 }, 1);
    expect(ref.shape(p.bias!)).toEqual([2, 6]);
    expect(ref.memory().numTensors).toBe(3);
  });
});

describe('checkParams', () => {
  const ref = createReferenceBackend();
  const { cell, dims } = resolveCellDims('lstm', { inputSize: 3, units: 2 });
  const good = initParamTensors(ref, 'lstm', { inputSize: 3, units: 2 }, 1);

  it('accepts the declared shapes', () => {
    expect(() => checkParams(ref, cell, dims, good)).not.toThrow();
  });

  it('names a parameter of the wrong shape, with both shapes', () => {
    const bad = { ...good, recurrentKernel: ref.fill([2, 6], 0) };
    expect(() => checkParams(ref, cell, dims, bad)).toThrow(
      'lstm params.recurrentKernel: expected shape [2, 8] (inputSize 3, units 2), received shape [2, 6]',
    );
  });

  it('names missing and unexpected parameters', () => {
    const { bias: _bias, ...missing } = good;
    expect(() => checkParams(ref, cell, dims, missing)).toThrow(
      'lstm params: missing "bias"; expected kernel, recurrentKernel, bias',
    );
    expect(() => checkParams(ref, cell, dims, { ...good, peephole: ref.fill([2], 0) })).toThrow(
      'lstm params: unexpected "peephole"; expected kernel, recurrentKernel, bias',
    );
  });
});

describe('stateSpecs', () => {
  it('lists each cell state', () => {
    expect(stateSpecs('lstm', { inputSize: 3, units: 5 })).toEqual([
      { name: 'h', size: 5 },
      { name: 'c', size: 5 },
    ]);
    expect(stateSpecs('gru', { inputSize: 3, units: 5 })).toEqual([{ name: 'h', size: 5 }]);
  });
});
