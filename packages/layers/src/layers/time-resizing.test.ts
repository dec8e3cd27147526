/**
 * ZeroPadding1D, Cropping1D and UpSampling1D against the layout written out by hand (exact: they only move values),
 * their output shapes, masks and errors, a model with them that trains, their Keras configs, and `model.stream()`
 * refusing them. tfjs-layers 4.22 has none of them (only the 2D forms). Gradients, leaks and the config round trip:
 * the layer conformance kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { loadKerasModel } from '../saving/keras/load.js';
import { saveKerasModel } from '../saving/keras/save.js';
import { newBackend, useTfjsCpu, values } from '../test-helpers.js';
import { adam } from '../training/optimizers/adam.js';
import { cpuBackend } from '../training/test-helpers.js';
import { conv1d } from './conv1d.js';
import { cropping1d } from './cropping-1d.js';
import { maxPooling1d } from './max-pooling-1d.js';
import { simpleRNN } from './rnn.js';
import { upSampling1d } from './up-sampling-1d.js';
import { zeroPadding1d } from './zero-padding-1d.js';

beforeAll(useTfjsCpu);

/** `[batch 2, steps 3, features 2]` holding 0, 1, ..., 11 in order. */
const counting = Float64Array.from({ length: 12 }, (_, i) => i);

/** Step `t` of sample `n` of `counting` (or zeros for a step outside it). */
const step = (n: number, t: number): number[] =>
  t < 0 || t > 2 ? [0, 0] : [counting[n * 6 + t * 2]!, counting[n * 6 + t * 2 + 1]!];

function run(layer: Parameters<typeof sequential>[0][number]): {
  out: number[];
  shape: number[];
  masks: unknown;
} {
  const ref = newBackend();
  const m = sequential<RefTensor>([layer], { backend: ref, inputShape: [null, 2] });
  const { outputs, masks } = m.applyWithMasks(ref.tensor(counting, [2, 3, 2]), { lengths: [3, 1] });
  return { out: Array.from(values(ref, outputs[0]!)), shape: ref.shape(outputs[0]!), masks };
}

describe('ZeroPadding1D, Cropping1D, UpSampling1D', () => {
  it('lay the steps out as written by hand, and drop the mask (as Keras)', () => {
    const padded = run(zeroPadding1d({ padding: [2, 1] }));
    expect(padded.shape).toEqual([2, 6, 2]);
    expect(padded.out).toEqual([0, 1].flatMap((n) => [-2, -1, 0, 1, 2, 3].flatMap((t) => step(n, t))));
    expect(padded.masks).toEqual([undefined]);
    expect(run(zeroPadding1d()).out).toEqual(
      [0, 1].flatMap((n) => [-1, 0, 1, 2, 3].flatMap((t) => step(n, t))),
    );
    expect(run(zeroPadding1d({ padding: 0 })).out).toEqual(Array.from(counting));

    const cropped = run(cropping1d({ cropping: [1, 0] }));
    expect(cropped.shape).toEqual([2, 2, 2]);
    expect(cropped.out).toEqual([0, 1].flatMap((n) => [1, 2].flatMap((t) => step(n, t))));
    expect(cropped.masks).toEqual([undefined]);
    expect(run(cropping1d()).out).toEqual([0, 1].flatMap((n) => step(n, 1)));

    const upsampled = run(upSampling1d({ size: 3 }));
    expect(upsampled.shape).toEqual([2, 9, 2]);
    expect(upsampled.out).toEqual(
      [0, 1].flatMap((n) => [0, 0, 0, 1, 1, 1, 2, 2, 2].flatMap((t) => step(n, t))),
    );
    expect(upsampled.masks).toEqual([undefined]);
    expect(run(upSampling1d()).shape).toEqual([2, 6, 2]);
  });

  it('give output shapes with unknown steps kept unknown', () => {
    expect(zeroPadding1d({ padding: 3 }).computeOutputShape([[null, 4, 2]])).toEqual([[null, 10, 2]]);
    expect(zeroPadding1d().computeOutputShape([[null, null, 2]])).toEqual([[null, null, 2]]);
    expect(cropping1d({ cropping: [0, 2] }).computeOutputShape([[5, 4, 2]])).toEqual([[5, 2, 2]]);
    expect(cropping1d().computeOutputShape([[null, null, 2]])).toEqual([[null, null, 2]]);
    expect(upSampling1d({ size: 4 }).computeOutputShape([[null, 3, 2]])).toEqual([[null, 12, 2]]);
    expect(upSampling1d().computeOutputShape([[null, null, 2]])).toEqual([[null, null, 2]]);
  });

  it('name the argument, what it received and what it expects', () => {
    expect(() => zeroPadding1d({ padding: -1 })).toThrow(
      'zeroPadding1d padding: expected a non-negative integer or [start, end] of them, received -1',
    );
    expect(() => zeroPadding1d({ padding: [1, 2, 3] as never })).toThrow('zeroPadding1d padding');
    expect(() => cropping1d({ cropping: [1.5, 0] as never })).toThrow(
      'cropping1d cropping: expected a non-negative integer or [start, end] of them, received [1.5, 0]',
    );
    expect(() => upSampling1d({ size: 0 })).toThrow('upSampling1d size');
    expect(() => zeroPadding1d({ pading: 1 } as never)).toThrow('pading');
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([cropping1d({ cropping: [2, 1] })], { backend: ref, inputShape: [3, 2] }),
    ).toThrow(
      'cropping1d (Cropping1D) cropping: [2, 1] removes all 3 steps of the input; expected fewer steps cropped than the input has',
    );
    // Unknown steps are checked when the layer runs.
    const m = sequential<RefTensor>([cropping1d({ cropping: 2 })], { backend: ref, inputShape: [null, 2] });
    const x = ref.tensor(counting, [2, 3, 2]);
    const before = ref.memory().numTensors;
    expect(() => m.predict(x)).toThrow('[2, 2] removes all 3 steps');
    expect(ref.memory().numTensors).toBe(before);
    expect(() => sequential<RefTensor>([upSampling1d()], { backend: ref, inputShape: [2] })).toThrow(
      'up_sampling1d (UpSampling1D) inputs: expected rank 3 [batch, steps, features], received shape [null, 2] (rank 2)',
    );
  });

  it('build a convolutional autoencoder over time that trains, and that the stream refuses', async () => {
    const backend = cpuBackend();
    const m = sequential(
      [
        // 8 steps, padded to 11, convolved to 10, pooled to 5, repeated to 10, cropped to 8.
        zeroPadding1d({ padding: [2, 1] }),
        conv1d({ filters: 3, kernelSize: 2, activation: 'tanh' }),
        maxPooling1d({ poolSize: 2 }),
        upSampling1d({ size: 2 }),
        cropping1d({ cropping: 1 }),
        conv1d({ filters: 2, kernelSize: 1 }),
      ],
      { backend, seed: 3, inputShape: [8, 2] },
    );
    expect(m.outputs[0]!.shape).toEqual([null, 8, 2]);
    const x = backend.tensor(
      Float32Array.from({ length: 4 * 8 * 2 }, (_, i) => Math.sin(i)),
      [4, 8, 2],
    );
    m.compile({ optimizer: adam({ learningRate: 0.05 }), loss: 'mse' });
    const history = await m.fit(x, x, { epochs: 1, batchSize: 4, verbose: 0 });
    const before = backend.memory().numTensors;
    history.history.loss!.push(
      ...(await m.fit(x, x, { epochs: 20, batchSize: 4, verbose: 0 })).history.loss!,
    );
    const loss = history.history.loss!;
    expect(loss.at(-1)!).toBeLessThan(loss[0]! * 0.7);
    expect(backend.memory().numTensors).toBe(before);
    backend.dispose(x);
    m.dispose();
    const ref = newBackend();
    for (const [layer, says] of [
      [zeroPadding1d(), 'adds steps of zeros at the start and the end of the sequence'],
      [cropping1d(), 'removes steps at the start and the end of the sequence'],
      [upSampling1d(), 'repeats each step, making more steps than it reads'],
    ] as const) {
      const model = sequential<RefTensor>([layer, simpleRNN({ units: 2 })], {
        backend: ref,
        inputShape: [null, 2],
      });
      expect(() => model.stream()).toThrow(
        `sequential (Sequential) stream: ${layer.describe()} ${says}; it needs the whole sequence and cannot run one step at a time`,
      );
    }
  });

  it('load from Keras configs (Keras 3 and Keras 2 fields), and are refused when saving for tfjs-layers', async () => {
    const ref = newBackend();
    const base = sequential<RefTensor>([conv1d({ filters: 2, kernelSize: 1, useBias: false })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 2],
    });
    const artifacts = await saveKerasModel(base);
    const withLayers = (layers: { class_name: string; config: Record<string, unknown> }[]) => {
      const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
      topology.config.layers.push(...layers);
      return { ...artifacts, modelTopology: topology };
    };
    const loaded = await loadKerasModel<RefTensor>(
      withLayers([
        {
          class_name: 'ZeroPadding1D',
          config: { name: 'pad', padding: [2, 0], data_format: 'channels_last' },
        },
        { class_name: 'UpSampling1D', config: { name: 'up', size: 3 } },
        { class_name: 'Cropping1D', config: { name: 'crop', cropping: [1, 4] } },
      ]),
      { backend: ref },
    );
    expect(loaded.layers.slice(1).map((l) => l.getConfig())).toMatchObject([
      { padding: [2, 0] },
      { size: 3 },
      { cropping: [1, 4] },
    ]);
    const x = ref.tensor(counting, [2, 3, 2]);
    const conv = values(ref, base.predict(x) as RefTensor);
    // Padded to 5 steps, repeated to 15, cropped to steps 1..10 of those: padded steps 0,0,1,1,1,2,2,2,3,3.
    const expected = [0, 1].flatMap((n) =>
      [0, 0, 1, 1, 1, 2, 2, 2, 3, 3].flatMap((p) =>
        p < 2 ? [0, 0] : [conv[n * 6 + (p - 2) * 2]!, conv[n * 6 + (p - 2) * 2 + 1]!],
      ),
    );
    expect(Array.from(values(ref, loaded.predict(x) as RefTensor))).toEqual(expected);
    // Keras' defaults, and padding given as one number.
    const defaults = await loadKerasModel<RefTensor>(
      withLayers([
        { class_name: 'ZeroPadding1D', config: { name: 'pad', padding: 1 } },
        { class_name: 'UpSampling1D', config: { name: 'up' } },
        { class_name: 'Cropping1D', config: { name: 'crop' } },
      ]),
      { backend: ref },
    );
    expect(defaults.layers.slice(1).map((l) => l.getConfig())).toMatchObject([
      { padding: [1, 1] },
      { size: 2 },
      { cropping: [1, 1] },
    ]);
    await expect(
      loadKerasModel(
        withLayers([{ class_name: 'ZeroPadding1D', config: { name: 'pad', data_format: 'channels_first' } }]),
        { backend: ref },
      ),
    ).rejects.toThrow(
      'loadKerasModel: layer pad (ZeroPadding1D) option data_format: expected "channels_last" (transpose channels-first inputs instead), received "channels_first"',
    );
    await expect(
      loadKerasModel(withLayers([{ class_name: 'Cropping1D', config: { name: 'crop', cropping: [1] } }]), {
        backend: ref,
      }),
    ).rejects.toThrow(
      'loadKerasModel: layer crop (Cropping1D) option cropping: expected a non-negative integer or [start, end] of them, received [1]',
    );
    await expect(saveKerasModel(loaded)).rejects.toThrow(
      'saveKerasModel: layer pad (ZeroPadding1D): tfjs-layers 4.22 has no ZeroPadding1D layer (only its 2D form); save with saveModel',
    );
  });
});
