import { createReferenceBackend } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { batches } from './batch.js';
import { toTensor, toTensors } from './to-tensors.js';
import { padSequences } from './transforms/pad.js';

describe('toTensors', () => {
  it('creates tensors with the shapes and dtypes of the batch, and nothing else', () => {
    const backend = createReferenceBackend();
    const padded = padSequences([[1, 2, 3], [4]], { padding: 'post' });
    const before = backend.memory().numTensors;
    const t = toTensors(backend, {
      inputs: padded.values,
      targets: { data: Float32Array.from([0.5, 1.5]), shape: [2] },
      mask: padded.mask,
      lengths: padded.lengths,
    });
    expect(backend.memory().numTensors).toBe(before + 4);
    expect(backend.dtype(t.inputs)).toBe('int32');
    expect(backend.toArray(t.inputs)).toEqual([
      [1, 2, 3],
      [4, 0, 0],
    ]);
    expect(backend.dtype(t.targets!)).toBe('float32');
    expect(backend.toArray(t.mask!)).toEqual([
      [1, 1, 1],
      [1, 0, 0],
    ]);
    expect(backend.dtype(t.lengths!)).toBe('int32');
    expect(backend.toArray(t.lengths!)).toEqual([3, 1]);
    expect(t.sampleWeights).toBeUndefined();
    backend.dispose(t as never);
    expect(backend.memory().numTensors).toBe(before);
  });

  it('converts every batch of a data set without leaking', () => {
    const backend = createReferenceBackend();
    const data = {
      inputs: { data: Float32Array.from({ length: 30 }, (_, i) => i), shape: [5, 3, 2] },
      targets: { data: Float32Array.from({ length: 5 }, (_, i) => i), shape: [5, 1] },
    };
    for (const batch of batches(data, { batchSize: 2 })) {
      const t = toTensors(backend, batch);
      expect(backend.shape(t.inputs)).toEqual(batch.inputs.shape);
      expect(Array.from(backend.dataSync(t.inputs))).toEqual(Array.from(batch.inputs.data));
      backend.dispose(t as never);
    }
    expect(backend.memory().numTensors).toBe(0);
  });

  it('disposes what it created when a later tensor fails', () => {
    const backend = createReferenceBackend();
    const bad = {
      inputs: { data: new Float32Array(4), shape: [2, 2] },
      targets: { data: new Float32Array(3), shape: [2, 2] },
    };
    expect(() => toTensors(backend, bad)).toThrow();
    expect(backend.memory().numTensors).toBe(0);
    expect(backend.toArray(toTensor(backend, { data: Int32Array.from([7]), shape: [1] }))).toEqual([7]);
  });
});
