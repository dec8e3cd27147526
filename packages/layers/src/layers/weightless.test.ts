/**
 * UnitNormalization, Rescaling and Identity: values written out by hand, Rescaling against tfjs-layers 4.22's (atol
 * 1e-5), masks, errors, and their Keras configs (UnitNormalization saving refused: tfjs-layers has none; Identity saved
 * as Activation('linear')). Gradients, leaks and the config round trip: the layer conformance kit
 * (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { expectTfjsReloadAgrees } from '../saving/keras/keras-test-helpers.js';
import { loadKerasModel } from '../saving/keras/load.js';
import { saveKerasModel } from '../saving/keras/save.js';
import { expectClose, newBackend, randomValues, tf, tfl, useTfjsCpu, values } from '../test-helpers.js';
import { dense } from './dense.js';
import { identity } from './identity.js';
import { rescaling } from './rescaling.js';
import { unitNormalization } from './unit-normalization.js';

beforeAll(useTfjsCpu);

describe('UnitNormalization', () => {
  it('divides by the norm over its axes, by hand; passes masks; a zero vector stays zero', () => {
    const ref = newBackend();
    const x = ref.tensor([
      [
        [3, 4],
        [0, 0],
      ],
      [
        [1, 0],
        [0, 2],
      ],
    ]);
    const last = unitNormalization().build(ref, [null, null, 2]);
    expect(ref.toArray(last.apply(x) as RefTensor)).toEqual([
      [
        [0.6, 0.8],
        [0, 0],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    ]);
    // Over steps and features: each sample's whole matrix (norms 5 and √5).
    const both = unitNormalization({ axis: [1, -1] }).build(ref, [null, null, 2]);
    const r5 = Math.sqrt(5);
    expect(Array.from(values(ref, both.apply(x) as RefTensor))).toEqual([
      0.6,
      0.8,
      0,
      0,
      1 / r5,
      0,
      0,
      2 / r5,
    ]);
    expect(both.mixesSteps).toBe(true);
    expect(last.mixesSteps).toBe(false);
    const m = sequential<RefTensor>([unitNormalization()], { backend: ref, inputShape: [null, 2] });
    const { masks } = m.applyWithMasks(x, { lengths: [2, 1] });
    expect(ref.toArray(masks[0]!)).toEqual([
      [1, 1],
      [1, 0],
    ]);
  });

  it('names the argument, what it received and what it expects', () => {
    expect(() => unitNormalization({ axis: 0 })).toThrow(
      'unitNormalization axis: expected an axis or a non-empty list of axes, not 0 (the batch), received 0',
    );
    expect(() => unitNormalization({ axis: [] })).toThrow('unitNormalization axis');
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([unitNormalization({ axis: 3 })], { backend: ref, inputShape: [4, 2] }),
    ).toThrow(
      'unit_normalization (UnitNormalization) axis: 3 is outside the axes 1 to 2 (or -2 to -1) of a rank-3 input',
    );
  });
});

describe('Rescaling', () => {
  it('scales and shifts as tfjs-layers does, and per feature by hand', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>([rescaling({ scale: 1 / 127.5, offset: -1 })], {
      backend: ref,
      inputShape: [null, 3],
    });
    const theirs = tfl.sequential({
      layers: [tfl.layers.rescaling({ scale: 1 / 127.5, offset: -1, inputShape: [4, 3] })],
    });
    const x = randomValues(2 * 4 * 3, 'rescale').map((v) => (v + 3) * 40);
    const got = theirs.predict(tf.tensor(x, [2, 4, 3])) as tf.Tensor;
    expectClose(
      'rescaling',
      values(ref, ours.predict(ref.tensor(x, [2, 4, 3])) as RefTensor),
      got.dataSync(),
    );
    tf.dispose(got);
    theirs.dispose();
    const perFeature = rescaling({ scale: [2, -1], offset: [0.5, 0] }).build(ref, [null, 2]);
    expect(ref.toArray(perFeature.apply(ref.tensor([[1, 3]])) as RefTensor)).toEqual([[2.5, -3]]);
  });

  it('names the argument, what it received and what it expects', () => {
    expect(() => rescaling({ scale: Number.NaN })).toThrow(
      'rescaling scale: expected a finite number or a non-empty list of them (one per feature), received NaN',
    );
    expect(() => rescaling({ scale: [1, 2], offset: [1, 2, 3] })).toThrow(
      'rescaling offset: expected a number or 2 values, one per entry of scale, received [1, 2, 3]',
    );
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([rescaling({ scale: [1, 2] })], { backend: ref, inputShape: [3] }),
    ).toThrow('rescaling (Rescaling) inputs');
  });
});

describe('Keras configs', () => {
  it('load all three; save Rescaling and Identity for tfjs-layers (which predicts the same), refuse UnitNormalization', async () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        dense({ units: 3 }),
        rescaling({ scale: 0.5, offset: 1 }),
        identity({ name: 'same' }),
        dense({ units: 2 }),
      ],
      { backend: ref, seed: 3, inputShape: [null, 2] },
    );
    const x = randomValues(2 * 3 * 2, 'weightless');
    const { artifacts, layers } = await expectTfjsReloadAgrees('weightless', ours, [
      { values: x, shape: [2, 3, 2] },
    ]);
    expect(layers.map((l) => l.class_name)).toEqual(['Dense', 'Rescaling', 'Activation', 'Dense']);
    // Keras 3 writes Identity, a list scale as a serialized array, and UnitNormalization's axis as a list.
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    topology.config.layers[2] = { class_name: 'Identity', config: { name: 'same', trainable: true } };
    topology.config.layers[1].config.scale = {
      class_name: '__numpy__',
      config: { value: [0.5, 0.25, 2], dtype: 'float32' },
    };
    topology.config.layers.push({ class_name: 'UnitNormalization', config: { name: 'unit', axis: [-1] } });
    const loaded = await loadKerasModel<RefTensor>(
      { ...artifacts, modelTopology: topology },
      { backend: ref },
    );
    expect(loaded.layers.map((l) => l.className)).toEqual([
      'Dense',
      'Rescaling',
      'Identity',
      'Dense',
      'UnitNormalization',
    ]);
    expect(loaded.layers[1]!.getConfig()).toMatchObject({ scale: [0.5, 0.25, 2], offset: 1 });
    const out = values(ref, loaded.predict(ref.tensor(x, [2, 3, 2])) as RefTensor);
    for (let i = 0; i < out.length; i += 2) expect(out[i]! ** 2 + out[i + 1]! ** 2).toBeCloseTo(1, 12);
    await expect(saveKerasModel(loaded)).rejects.toThrow(
      'saveKerasModel: layer rescaling (Rescaling) scale: tfjs-layers 4.22 takes a number for scale and offset, not one per feature',
    );
    // One row nested in lists is per feature; a column would scale the steps, and is refused.
    topology.config.layers[1].config.scale = [[[0.5, 0.25, 2]]];
    const nested = await loadKerasModel<RefTensor>(
      { ...artifacts, modelTopology: topology },
      { backend: ref },
    );
    expect(nested.layers[1]!.getConfig()).toMatchObject({ scale: [0.5, 0.25, 2] });
    topology.config.layers[1].config.scale = [[0.5], [0.25], [2]];
    await expect(loadKerasModel({ ...artifacts, modelTopology: topology }, { backend: ref })).rejects.toThrow(
      'loadKerasModel: layer rescaling (Rescaling) option scale: expected a number or a list of numbers (one per feature), received [[0.5], [0.25], [2]]',
    );
    const unit = sequential<RefTensor>([unitNormalization()], { backend: ref, inputShape: [null, 2] });
    await expect(saveKerasModel(unit)).rejects.toThrow(
      'saveKerasModel: layer unit_normalization (UnitNormalization): tfjs-layers 4.22 has no UnitNormalization layer; save with saveModel',
    );
  });
});
