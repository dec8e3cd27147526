/**
 * The batch contract's converter on the float64 reference backend: dtypes from the host arrays, one value or a list
 * per field, tensors of the backend used as they are, and nothing left behind when a value cannot be converted.
 */
import { describe, expect, it } from 'vitest';
import { batchToTensors } from './batch.js';
import { hostDtype, isHostTensor, isNestedNumbers, isRagged, toBackendTensor } from './host-tensor.js';
import { createReferenceBackend, type RefTensor } from './reference/reference-backend.js';

describe('host tensors', () => {
  it('become tensors with the dtype their array implies; nested arrays are one float32 tensor', () => {
    const backend = createReferenceBackend();
    const created: RefTensor[] = [];
    const ids = toBackendTensor(
      backend,
      { data: Int32Array.from([3, 1, 4, 1]), shape: [2, 2] },
      'ids',
      created,
    );
    const values = toBackendTensor(backend, { data: [0.5, 1.5, 2.5], shape: [3, 1] }, 'values', created);
    const wide = toBackendTensor(backend, { data: Float64Array.from([0.25]), shape: [1] }, 'wide', created);
    const nested = toBackendTensor(backend, [[1, 2, 3]], 'nested', created);
    expect([ids, values, wide, nested].map((t) => backend.dtype(t))).toEqual([
      'int32',
      'float32',
      'float32',
      'float32',
    ]);
    expect(backend.toArray(ids)).toEqual([
      [3, 1],
      [4, 1],
    ]);
    expect(backend.shape(values)).toEqual([3, 1]);
    expect(backend.shape(nested)).toEqual([1, 3]);
    expect(created).toEqual([ids, values, wide, nested]);
    // A tensor of the backend is the caller's: used as it is, not listed as made here.
    expect(toBackendTensor(backend, ids, 'ids again', created)).toBe(ids);
    expect(created).toHaveLength(4);
    expect(() => toBackendTensor(backend, 'abc', 'fit x')).toThrow(
      'fit x: expected a tensor of backend reference, { data, shape } host values, or nested arrays of numbers, received "abc"',
    );
    backend.dispose(created);
    expect(backend.memory().numTensors).toBe(0);
  });

  it('ragged nested arrays: the argument named, and a hint to pad sequences of different lengths', () => {
    const backend = createReferenceBackend();
    expect(isRagged([[1, 2], [3]])).toBe(true);
    expect(isRagged([[[1], [2]], [[3]]])).toBe(true);
    expect(
      isRagged([
        [1, 2],
        [3, 4],
      ]),
    ).toBe(false);
    const before = backend.memory().numTensors;
    expect(() => toBackendTensor(backend, [[1, 2], [3]], 'fit x')).toThrow(
      /^fit x: ragged nested array .*\(sequences of different lengths: pad them to one length first, e\.g\. with padSequences from @seqmodel\/datasets, and pass its mask\)$/,
    );
    expect(backend.memory().numTensors).toBe(before);
  });

  it('are told apart from lists and other objects', () => {
    expect(isHostTensor({ data: new Float32Array(2), shape: [2] })).toBe(true);
    expect(isHostTensor({ data: [1], shape: 1 })).toBe(false);
    expect(isHostTensor([{ data: [], shape: [] }])).toBe(false);
    expect(isNestedNumbers([[1], [2]])).toBe(true);
    expect(isNestedNumbers([])).toBe(true);
    expect(isNestedNumbers([[[1]], undefined])).toBe(true);
    expect(isNestedNumbers([{ data: [1], shape: [1] }, [[1]]])).toBe(false);
    expect(isNestedNumbers([undefined, [1]])).toBe(false);
    expect(hostDtype(new Int32Array(1))).toBe('int32');
    expect(hostDtype(new Uint8Array(1))).toBe('float32');
  });
});

describe('batchToTensors', () => {
  it('converts every field of a data set batch, lengths to int32, and makes nothing else', () => {
    const backend = createReferenceBackend();
    const out = batchToTensors(backend, {
      inputs: { data: Int32Array.from([5, 6, 7, 8, 0, 0]), shape: [2, 3] },
      targets: { data: Float32Array.from([1, 0]), shape: [2] },
      mask: { data: Float32Array.from([1, 1, 1, 1, 0, 0]), shape: [2, 3] },
      lengths: Int32Array.from([3, 1]),
      sampleWeights: { data: Float32Array.from([0.5, 2]), shape: [2] },
    });
    expect(backend.memory().numTensors).toBe(5);
    const t = out as { inputs: RefTensor; targets: RefTensor; mask: RefTensor; lengths: RefTensor };
    expect(backend.dtype(t.inputs)).toBe('int32');
    expect(backend.toArray(t.inputs)).toEqual([
      [5, 6, 7],
      [8, 0, 0],
    ]);
    expect(backend.dtype(t.lengths)).toBe('int32');
    expect(backend.toArray(t.lengths)).toEqual([3, 1]);
    expect(backend.toArray(out.sampleWeights!)).toEqual([0.5, 2]);
    expect(Object.keys(out).sort()).toEqual(['inputs', 'lengths', 'mask', 'sampleWeights', 'targets']);
    backend.dispose(out as never);
    expect(backend.memory().numTensors).toBe(0);
  });

  it('keeps lists (several inputs or outputs, masks or lengths per input) and the given tensors', () => {
    const backend = createReferenceBackend();
    const own = backend.tensor([[1], [2]]);
    const created: RefTensor[] = [];
    const out = batchToTensors(
      backend,
      {
        inputs: [own, [[3], [4]]],
        targets: [{ data: [1, 2], shape: [2] }],
        mask: [undefined, [[1], [0]]],
        lengths: [undefined, [1, 0]],
      },
      { created },
    );
    const inputs = out.inputs as RefTensor[];
    expect(inputs[0]).toBe(own);
    expect(backend.toArray(inputs[1]!)).toEqual([[3], [4]]);
    expect(Array.isArray(out.targets) && out.targets.length).toBe(1);
    expect((out.mask as (RefTensor | undefined)[])[0]).toBeUndefined();
    const lengths = out.lengths as (RefTensor | undefined)[];
    expect(lengths[0]).toBeUndefined();
    expect(backend.toArray(lengths[1]!)).toEqual([1, 0]);
    // Made here: the second input, the target, the second mask and lengths; `own` stays the caller's.
    expect(created).toHaveLength(4);
    expect(created).not.toContain(own);
    backend.dispose([...created, own]);
    expect(backend.memory().numTensors).toBe(0);
  });

  it('reads an array of inputs or targets as one per input or output when the model has several', () => {
    const backend = createReferenceBackend();
    const batch = {
      inputs: [[1], [2]],
      targets: [
        [[1], [0]],
        [2, 3],
      ],
    };
    const out = batchToTensors(backend, batch, { counts: { targets: 2 } });
    expect(backend.shape(out.inputs as RefTensor)).toEqual([2, 1]);
    expect((out.targets as RefTensor[]).map((t) => backend.shape(t))).toEqual([[2, 1], [2]]);
    backend.dispose(out as never);
    // Without the count, nested numbers are one value: here a ragged one.
    expect(() => batchToTensors(backend, batch)).toThrow(/ragged/);
    expect(backend.memory().numTensors).toBe(0);
  });

  it('names the field (and entry) that cannot be converted, and frees what it made', () => {
    const backend = createReferenceBackend();
    const created: RefTensor[] = [];
    const bad = (batch: object, names?: Record<string, string>) => () =>
      batchToTensors(backend, batch as never, { created, ...(names === undefined ? {} : { names }) });
    const x = { data: new Float32Array(4), shape: [2, 2] };
    expect(bad({ inputs: x, targets: x, sampleWeights: 'w' })).toThrow(
      'sampleWeights: expected a tensor of backend reference, { data, shape } host values, or nested arrays of numbers, received "w"',
    );
    expect(bad({ inputs: [x, { shape: [2] }] }, { inputs: 'fit x' })).toThrow(
      /^fit x\[1\]: expected a tensor/,
    );
    expect(bad({ inputs: x, lengths: [2, 2.5] }, { lengths: 'fit lengths' })).toThrow(
      'fit lengths[1]: expected a non-negative integer length, received 2.5',
    );
    expect(bad({ inputs: x, lengths: [undefined, Int32Array.from([-1, 2])] })).toThrow(
      'lengths[1][0]: expected a non-negative integer length, received -1',
    );
    expect(bad({ inputs: x, lengths: 'all' })).toThrow(
      'lengths: expected an Int32Array, an array of integers or an int tensor, received "all"',
    );
    expect(bad({ inputs: [x, undefined] })).toThrow(/^inputs\[1\]: expected a tensor of backend reference/);
    expect(bad({ targets: x })).toThrow(
      'inputs: expected a tensor-like, or one per model input, received undefined',
    );
    // A host tensor whose data does not fit its shape fails in the backend, after others were made.
    expect(bad({ inputs: x, targets: { data: new Float32Array(3), shape: [2, 2] } })).toThrow();
    expect(created).toEqual([]);
    expect(backend.memory().numTensors).toBe(0);
  });
});
