/** PendingUpdates: held values are assigned by commit, freed by discard, and never both. */
import { type Backend, createReferenceBackend, type RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { PendingUpdates } from './context.js';
import { LayerWeight } from './weight.js';

describe('PendingUpdates', () => {
  const backend = createReferenceBackend();
  const weight = (name: string) =>
    new LayerWeight(
      `bn/${name}`,
      name,
      name,
      [2],
      false,
      backend as Backend<unknown>,
      backend.tensor([0, 0]),
    );

  it('assigns on commit, frees on discard, and a discard after a commit that threw frees only what no weight took', () => {
    const [a, b] = [weight('a'), weight('b')];
    const before = backend.memory().numTensors;
    const pending = new PendingUpdates<RefTensor>(backend);
    pending.hold(a, backend.tensor([1, 2]));
    pending.hold(a, backend.tensor([3, 4])); // replaces (and frees) the first
    pending.hold(b, backend.tensor([5, 6, 7])); // the wrong shape: its assignment throws
    expect(() => pending.commit()).toThrow('weight bn/b');
    pending.discard();
    expect(Array.from(backend.toFloat64(a.read<RefTensor>()))).toEqual([3, 4]);
    expect(Array.from(backend.toFloat64(b.read<RefTensor>()))).toEqual([0, 0]);
    // a's old value and the two replaced or refused values are gone; a's new one is a's.
    expect(backend.memory().numTensors).toBe(before);
    const discarded = new PendingUpdates<RefTensor>(backend);
    discarded.hold(b, backend.tensor([8, 9]));
    discarded.discard();
    discarded.commit();
    expect(Array.from(backend.toFloat64(b.read<RefTensor>()))).toEqual([0, 0]);
    expect(backend.memory().numTensors).toBe(before);
  });
});
