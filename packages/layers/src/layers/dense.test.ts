import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import {
  copyWeightsToTfjs,
  expectClose,
  newBackend,
  randomTensor,
  randomValues,
  tfjsChain,
  tfjsPredict,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { Dense, dense } from './dense.js';
import { masking } from './masking.js';

beforeAll(useTfjsCpu);

describe('Dense', () => {
  it('computes activation(x·kernel + bias) by hand', () => {
    const ref = newBackend();
    const layer = dense({ units: 2, activation: 'relu' }).build(ref, [null, 3], { seed: 1 });
    layer.weights[0]!.assign(
      ref.tensor([
        [1, -1],
        [2, 0],
        [0, 1],
      ]),
    );
    layer.weights[1]!.assign(ref.tensor([0.5, -3]));
    // [1, 1, 1]·W = [3, 0]; + b = [3.5, -3]; relu -> [3.5, 0]
    expect(ref.toArray(layer.apply(ref.tensor([[1, 1, 1]])) as RefTensor)).toEqual([[3.5, 0]]);
    expect(layer.weights.map((w) => [w.name, w.shape])).toEqual([
      ['dense/kernel', [3, 2]],
      ['dense/bias', [2]],
    ]);
  });

  it('projects every step of a sequence and matches tfjs-layers (atol 1e-5)', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>([dense({ units: 4, activation: 'tanh', inputShape: [null, 3] })], {
      backend: ref,
      seed: 3,
    });
    const theirs = tfjsChain([null, 3], [tfl.layers.dense({ units: 4, activation: 'tanh' })]);
    copyWeightsToTfjs(ours, theirs);
    const x = randomValues(2 * 5 * 3, 1);
    const y = ours.predict(ref.tensor(x, [2, 5, 3])) as RefTensor;
    expect(ref.shape(y)).toEqual([2, 5, 4]);
    expectClose('dense', values(ref, y), tfjsPredict(theirs, [{ values: x, shape: [2, 5, 3] }])[0]!);
    theirs.dispose();
  });

  it('passes the mask through and has no bias with useBias false', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([masking(), dense({ units: 2, useBias: false })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 3],
    });
    expect(model.weights.map((w) => w.name)).toEqual(['dense/kernel']);
    const x = ref.tensor([
      [
        [1, 2, 3],
        [0, 0, 0],
      ],
    ]);
    const { outputs, masks } = model.applyWithMasks(x);
    expect(ref.toArray(masks[0]!)).toEqual([[1, 0]]);
    ref.dispose([...outputs, masks[0]!]);
  });

  it('draws weights from the given initializers', () => {
    const ref = newBackend();
    const layer = dense({
      units: 2,
      kernelInitializer: { name: 'constant', value: 0.5 },
      biasInitializer: 'ones',
    }).build(ref, [null, 3]);
    expect(values(ref, layer.weights[0]!.read<RefTensor>()).every((v) => v === 0.5)).toBe(true);
    expect(Array.from(values(ref, layer.weights[1]!.read<RefTensor>()))).toEqual([1, 1]);
    expect(() => dense({ units: 1, kernelInitializer: 'random' as never })).toThrow(
      'dense kernelInitializer: unknown initializer "random"',
    );
  });

  it('rejects bad options and inputs', () => {
    const ref = newBackend();
    expect(() => dense({ units: 1.5 })).toThrow('dense units: expected a positive integer, received 1.5');
    expect(() => dense({ units: 1, activation: 'swoosh' as never })).toThrow(
      'dense activation: unknown activation "swoosh"',
    );
    const layer = dense({ units: 2 }).build(ref, [null, 3]);
    expect(() => layer.apply(randomTensor(ref, [2, 4], 1))).toThrow(
      'dense (Dense) inputs: expected feature size 3 (axis 1, as the layer was built), received shape [2, 4]',
    );
    expect(() => layer.apply(ref.tensor([1, 2, 3]))).toThrow(
      'dense (Dense) inputs: expected rank 2 or more [batch, ..., features], received shape [3] (rank 1)',
    );
    expect(Dense.fromConfig(layer.getConfig()).getConfig()).toEqual(layer.getConfig());
  });
});
