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
import { activation } from './activation.js';
import { dense } from './dense.js';
import { Flatten, flatten } from './flatten.js';
import { simpleRNN } from './rnn.js';

beforeAll(useTfjsCpu);

describe('Flatten', () => {
  it('flattens all but the batch axis and drops the mask (matches tfjs-layers, atol 1e-5)', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        simpleRNN({ units: 2, returnSequences: true }),
        flatten(),
        dense({ units: 3 }),
        activation({ activation: 'softmax' }),
      ],
      { backend: ref, seed: 3, inputShape: [4, 3] },
    );
    expect(ours.outputs[0]!.shape).toEqual([null, 3]);
    expect(ours.layers[1]!.computeOutputShape([[null, 4, 2]])).toEqual([[null, 8]]);
    const theirs = tfjsChain(
      [4, 3],
      [
        tfl.layers.simpleRNN({ units: 2, returnSequences: true, recurrentInitializer: 'zeros' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3 }),
        tfl.layers.activation({ activation: 'softmax' }),
      ],
    );
    copyWeightsToTfjs(ours, theirs);
    const x = randomValues(2 * 4 * 3, 4);
    const { outputs, masks } = ours.applyWithMasks(ref.tensor(x, [2, 4, 3]), { lengths: [4, 2] });
    expect(masks).toEqual([undefined]);
    const full = ours.predict(ref.tensor(x, [2, 4, 3])) as RefTensor;
    expectClose('flatten', values(ref, full), tfjsPredict(theirs, [{ values: x, shape: [2, 4, 3] }])[0]!);
    expect(ref.shape(outputs[0]!)).toEqual([2, 3]);
    expect(Flatten.fromConfig(ours.layers[1]!.getConfig()).getConfig()).toEqual(ours.layers[1]!.getConfig());
    theirs.dispose();
  });
});
