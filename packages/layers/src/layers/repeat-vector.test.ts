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
import { RepeatVector, repeatVector } from './repeat-vector.js';
import { simpleRNN } from './rnn.js';

beforeAll(useTfjsCpu);

describe('RepeatVector', () => {
  it('repeats a vector along a new time axis', () => {
    const ref = newBackend();
    const layer = repeatVector({ n: 3 }).build(ref, [null, 2]);
    expect(ref.toArray(layer.apply(ref.tensor([[1, 2]])) as RefTensor)).toEqual([
      [
        [1, 2],
        [1, 2],
        [1, 2],
      ],
    ]);
    expect(RepeatVector.fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
  });

  it('feeds a decoder in a one-to-many model (matches tfjs-layers, atol 1e-5)', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        dense({ units: 4, activation: 'tanh' }),
        repeatVector({ n: 5 }),
        simpleRNN({ units: 3, returnSequences: true }),
      ],
      { backend: ref, seed: 2, inputShape: [2] },
    );
    const theirs = tfjsChain(
      [2],
      [
        tfl.layers.dense({ units: 4, activation: 'tanh' }),
        tfl.layers.repeatVector({ n: 5 }),
        tfl.layers.simpleRNN({ units: 3, returnSequences: true, recurrentInitializer: 'zeros' }),
      ],
    );
    copyWeightsToTfjs(ours, theirs);
    const x = randomValues(4, 1);
    const y = ours.predict(ref.tensor(x, [2, 2])) as RefTensor;
    expect(ref.shape(y)).toEqual([2, 5, 3]);
    expectClose('one to many', values(ref, y), tfjsPredict(theirs, [{ values: x, shape: [2, 2] }])[0]!);
    theirs.dispose();
  });
});
