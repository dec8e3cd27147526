/**
 * Reshape and Permute against tfjs-layers 4.22's (same weights around them, atol 1e-5), against the layout written
 * out by hand, their output shapes, masks and errors. Gradients, leaks and the config round trip: the layer
 * conformance kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import {
  copyWeightsToTfjs,
  expectClose,
  newBackend,
  randomValues,
  tfjsChain,
  tfjsPredict,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { dense } from './dense.js';
import { permute } from './permute.js';
import { reshape } from './reshape.js';
import { simpleRNN } from './rnn.js';

beforeAll(useTfjsCpu);

describe('Permute', () => {
  it('swaps steps and features as tfjs-layers does, and drops the mask (atol 1e-5)', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [permute({ dims: [2, 1] }), simpleRNN({ units: 3 }), dense({ units: 2 })],
      {
        backend: ref,
        seed: 2,
        inputShape: [4, 3],
      },
    );
    expect(ours.outputs[0]!.shape).toEqual([null, 2]);
    expect(ours.layers[0]!.computeOutputShape([[null, 4, 3]])).toEqual([[null, 3, 4]]);
    const theirs = tfjsChain(
      [4, 3],
      [
        tfl.layers.permute({ dims: [2, 1] }),
        tfl.layers.simpleRNN({ units: 3 }),
        tfl.layers.dense({ units: 2 }),
      ],
    );
    copyWeightsToTfjs(ours, theirs);
    const x = randomValues(2 * 4 * 3, 'permute');
    const out = ours.predict(ref.tensor(x, [2, 4, 3])) as RefTensor;
    expectClose('permute', values(ref, out), tfjsPredict(theirs, [{ values: x, shape: [2, 4, 3] }])[0]!);
    const { masks } = ours.applyWithMasks(ref.tensor(x, [2, 4, 3]), { lengths: [4, 2] });
    expect(masks).toEqual([undefined]);
    theirs.dispose();
  });

  it('moves every axis of a rank-4 sample where dims says', () => {
    const ref = newBackend();
    const m = sequential<RefTensor>([permute({ dims: [3, 1, 2] })], { backend: ref, inputShape: [2, 3, 4] });
    const x = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const y = values(ref, m.predict(ref.tensor(x, [1, 2, 3, 4])) as RefTensor);
    expect(m.outputs[0]!.shape).toEqual([null, 4, 2, 3]);
    // y[0, k, i, j] = x[0, i, j, k]
    const expected: number[] = [];
    for (let k = 0; k < 4; k++)
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(x[i * 12 + j * 4 + k]!);
    expect(Array.from(y)).toEqual(expected);
    // The steps stay on axis 1 with dims [1, ...]: such a permute is a per-step layer.
    expect(permute({ dims: [1, 3, 2] }).mixesSteps).toBe(false);
    expect(permute({ dims: [2, 1] }).mixesSteps).toBe(true);
  });

  it('names the argument, what it received and what it expects', () => {
    expect(() => permute({ dims: [0, 1] })).toThrow(
      'permute dims: expected a permutation of 1, ..., n for inputs of rank n + 1 (the batch axis, 0, left out), received [0, 1]',
    );
    expect(() => permute({ dims: [1, 1] })).toThrow('permute dims');
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([permute({ dims: [2, 1] })], { backend: ref, inputShape: [2, 3, 4] }),
    ).toThrow(
      'permute (Permute) inputs: expected rank 3 [batch, 2 more axes], received shape [null, 2, 3, 4] (rank 4)',
    );
  });
});

describe('Reshape', () => {
  it('lays each sample out as targetShape, -1 resolved, as tfjs-layers does (atol 1e-5)', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        reshape({ targetShape: [-1, 2] }),
        simpleRNN({ units: 3, returnSequences: true }),
        reshape({ targetShape: [18] }),
      ],
      { backend: ref, seed: 4, inputShape: [4, 3] },
    );
    expect(ours.outputs[0]!.shape).toEqual([null, 18]);
    expect(ours.layers[0]!.computeOutputShape([[null, 4, 3]])).toEqual([[null, 6, 2]]);
    expect(ours.layers[0]!.computeOutputShape([[null, null, 3]])).toEqual([[null, null, 2]]);
    const theirs = tfjsChain(
      [4, 3],
      [
        tfl.layers.reshape({ targetShape: [-1, 2] }),
        tfl.layers.simpleRNN({ units: 3, returnSequences: true }),
        tfl.layers.reshape({ targetShape: [18] }),
      ],
    );
    copyWeightsToTfjs(ours, theirs);
    const x = randomValues(2 * 4 * 3, 'reshape');
    const out = ours.predict(ref.tensor(x, [2, 4, 3])) as RefTensor;
    expect(ref.shape(out)).toEqual([2, 18]);
    expectClose('reshape', values(ref, out), tfjsPredict(theirs, [{ values: x, shape: [2, 4, 3] }])[0]!);
    theirs.dispose();
  });

  it('keeps the order of the entries and drops the mask', () => {
    const ref = newBackend();
    const m = sequential<RefTensor>([reshape({ targetShape: [2, 6] })], { backend: ref, inputShape: [4, 3] });
    const x = Float32Array.from({ length: 2 * 12 }, (_, i) => i);
    const { outputs, masks } = m.applyWithMasks(ref.tensor(x, [2, 4, 3]), { lengths: [4, 1] });
    expect(ref.shape(outputs[0]!)).toEqual([2, 2, 6]);
    expect(Array.from(values(ref, outputs[0]!))).toEqual(Array.from(x));
    expect(masks).toEqual([undefined]);
  });

  it('names the argument, what it received and what it expects', () => {
    expect(() => reshape({ targetShape: [-1, -1] })).toThrow(
      'reshape targetShape: expected a non-empty array of positive integers with at most one -1 (the batch axis left out), received [-1, -1]',
    );
    expect(() => reshape({ targetShape: [0] })).toThrow('reshape targetShape');
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([reshape({ targetShape: [5] })], { backend: ref, inputShape: [4, 3] }),
    ).toThrow(
      'reshape (Reshape) targetShape: [5] cannot hold the 12 entries of a sample of shape [4, 3] (input [null, 4, 3])',
    );
    expect(() =>
      sequential<RefTensor>([reshape({ targetShape: [-1, 5] })], { backend: ref, inputShape: [4, 3] }),
    ).toThrow('targetShape: [-1, 5] cannot hold the 12 entries');
  });
});
