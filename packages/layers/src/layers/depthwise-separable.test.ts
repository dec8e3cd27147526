/**
 * DepthwiseConv1D and SeparableConv1D against tfjs-layers 4.22's depthwiseConv2d and separableConv2d on `[batch,
 * steps, 1, channels]` (independent implementations on tfjs' own kernels; atol 1e-5, float32 against the float64
 * reference), against the depthwise sum written out as loops with dilation (1e-12), output shapes, errors, and Keras
 * configs. Gradients, masks, leaks and the config round trip: the layer conformance kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { loadKerasModel } from '../saving/keras/load.js';
import { saveKerasModel } from '../saving/keras/save.js';
import { expectClose, newBackend, randomValues, tf, tfl, useTfjsCpu, values } from '../test-helpers.js';
import { conv1d } from './conv1d.js';
import { depthwiseConv1d } from './depthwise-conv1d.js';
import { separableConv1d } from './separable-conv1d.js';

beforeAll(useTfjsCpu);

type Variant = { kernelSize: number; strides?: number; padding?: 'valid' | 'same'; depthMultiplier?: number };

const variants: Variant[] = [
  { kernelSize: 3 },
  { kernelSize: 2, strides: 2, depthMultiplier: 2 },
  { kernelSize: 4, padding: 'same', depthMultiplier: 3 },
  { kernelSize: 3, strides: 3, padding: 'same' },
];

/** tfjs-layers' 2D layer on `[batch, steps, 1, channels]`, with our weights reshaped to its 4D kernels. */
function tfjs2d(
  layer: tfl.layers.Layer,
  weights: { shape: number[]; values: Float32Array | Float64Array }[],
  x: Float32Array,
  [batch, steps, channels]: number[],
): { shape: number[]; values: Float32Array } {
  const model = tfl.sequential({ layers: [layer] });
  model.setWeights(
    weights.map((w) =>
      w.shape.length === 3
        ? tf.tensor(w.values, [w.shape[0]!, 1, w.shape[1]!, w.shape[2]!])
        : tf.tensor(w.values),
    ),
  );
  const out = model.predict(tf.tensor(x, [batch!, steps!, 1, channels!])) as tf.Tensor;
  const result = {
    shape: [out.shape[0], out.shape[1], out.shape[3]] as number[],
    values: out.dataSync() as Float32Array,
  };
  tf.dispose(out);
  model.dispose();
  return result;
}

describe('DepthwiseConv1D and SeparableConv1D', () => {
  const [batch, steps, channels] = [2, 7, 3];
  for (const v of variants) {
    it(`DepthwiseConv1D matches tfjs-layers' depthwiseConv2d: ${JSON.stringify(v)} (atol 1e-5)`, () => {
      const ref = newBackend();
      const ours = sequential<RefTensor>(
        [depthwiseConv1d({ ...v, activation: 'tanh', biasInitializer: 'glorotUniform' })],
        {
          backend: ref,
          seed: 2,
          inputShape: [steps, channels],
        },
      );
      const x = randomValues(batch * steps * channels, `depthwise ${JSON.stringify(v)}`);
      const theirs = tfjs2d(
        tfl.layers.depthwiseConv2d({
          kernelSize: [v.kernelSize, 1],
          strides: [v.strides ?? 1, 1],
          padding: v.padding ?? 'valid',
          depthMultiplier: v.depthMultiplier ?? 1,
          activation: 'tanh',
          inputShape: [steps, 1, channels],
        }),
        ours.getWeightData().map((w) => ({ shape: [...w.shape], values: w.values })),
        x,
        [batch, steps, channels],
      );
      const out = ours.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor;
      expect(ref.shape(out)).toEqual(theirs.shape);
      expect(ours.outputs[0]!.shape).toEqual([null, ...theirs.shape.slice(1)]);
      expectClose('depthwise', values(ref, out), theirs.values);
    });

    it(`SeparableConv1D matches tfjs-layers' separableConv2d: ${JSON.stringify(v)} (atol 1e-5)`, () => {
      const ref = newBackend();
      const filters = 4;
      const ours = sequential<RefTensor>(
        [separableConv1d({ ...v, filters, activation: 'relu', biasInitializer: 'glorotUniform' })],
        { backend: ref, seed: 3, inputShape: [steps, channels] },
      );
      const x = randomValues(batch * steps * channels, `separable ${JSON.stringify(v)}`);
      const theirs = tfjs2d(
        tfl.layers.separableConv2d({
          filters,
          kernelSize: [v.kernelSize, 1],
          strides: [v.strides ?? 1, 1],
          padding: v.padding ?? 'valid',
          depthMultiplier: v.depthMultiplier ?? 1,
          activation: 'relu',
          inputShape: [steps, 1, channels],
        }),
        ours.getWeightData().map((w) => ({ shape: [...w.shape], values: w.values })),
        x,
        [batch, steps, channels],
      );
      const out = ours.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor;
      expect(ref.shape(out)).toEqual(theirs.shape);
      expectClose('separable', values(ref, out), theirs.values);
    });
  }

  it('DepthwiseConv1D with dilation matches the sum written out as loops (1e-12); SeparableConv1D is it then a 1x1 Conv1D', () => {
    const ref = newBackend();
    const [k, d, m] = [2, 3, 2];
    const layer = depthwiseConv1d({ kernelSize: k, dilationRate: d, depthMultiplier: m, padding: 'same' });
    const model = sequential<RefTensor>([layer], { backend: ref, seed: 4, inputShape: [null, channels] });
    const [kernel] = model.getWeightData();
    const x = randomValues(batch * steps * channels, 'dilated');
    const out = values(ref, model.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor);
    // 'same' with span d·(k − 1) + 1 = 4: 3 steps of padding, 1 on the left, 2 on the right.
    const expected: number[] = [];
    for (let n = 0; n < batch; n++)
      for (let t = 0; t < steps; t++)
        for (let c = 0; c < channels; c++)
          for (let q = 0; q < m; q++) {
            let s = 0;
            for (let j = 0; j < k; j++) {
              const p = t + j * d - 1;
              if (p >= 0 && p < steps)
                s += x[(n * steps + p) * channels + c]! * kernel!.values[(j * channels + c) * m + q]!;
            }
            expected.push(s);
          }
    expectClose('dilated depthwise', out, expected, { atol: 1e-12, rtol: 1e-12 });

    const separable = sequential<RefTensor>(
      [separableConv1d({ filters: 2, kernelSize: k, dilationRate: d, depthMultiplier: m, padding: 'same' })],
      { backend: ref, seed: 5, inputShape: [null, channels] },
    );
    const [depthwiseKernel, pointwise, bias] = separable.getWeightData();
    expect(pointwise!.shape).toEqual([1, channels * m, 2]);
    const twoSteps = sequential<RefTensor>(
      [
        depthwiseConv1d({
          kernelSize: k,
          dilationRate: d,
          depthMultiplier: m,
          padding: 'same',
          useBias: false,
        }),
        conv1d({ filters: 2, kernelSize: 1 }),
      ],
      { backend: ref, inputShape: [null, channels] },
    );
    twoSteps.setWeights([
      { values: depthwiseKernel!.values, shape: depthwiseKernel!.shape },
      { values: pointwise!.values, shape: pointwise!.shape },
      { values: bias!.values, shape: bias!.shape },
    ]);
    const xs = ref.tensor(x, [batch, steps, channels]);
    expectClose(
      'separable',
      values(ref, separable.predict(xs) as RefTensor),
      values(ref, twoSteps.predict(xs) as RefTensor),
      {
        atol: 1e-12,
        rtol: 1e-12,
      },
    );
  });

  it('names the argument, what it received and what it expects', () => {
    expect(() => depthwiseConv1d({ kernelSize: 2, depthMultiplier: 0 })).toThrow(
      'depthwiseConv1d depthMultiplier',
    );
    expect(() => depthwiseConv1d({ kernelSize: 2, padding: 'causal' as never })).toThrow(
      'depthwiseConv1d padding',
    );
    expect(() => depthwiseConv1d({ kernelSize: 2, depthwiseInitializer: 'nope' as never })).toThrow(
      'depthwiseConv1d depthwiseInitializer',
    );
    expect(() => separableConv1d({ kernelSize: 2 } as never)).toThrow('separableConv1d filters');
    expect(() => separableConv1d({ filters: 2, kernelSize: 2, strides: 2, dilationRate: 2 })).toThrow(
      'separableConv1d strides and dilationRate: expected one of them to be 1 (as Keras), received strides 2 and dilationRate 2',
    );
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([depthwiseConv1d({ kernelSize: 5 })], { backend: ref, inputShape: [3, 2] }),
    ).toThrow(
      "depthwise_conv1d (DepthwiseConv1D): input of 3 steps is shorter than the kernel's span of 5 steps; expected at least that many, or padding 'same'",
    );
  });

  it('load from Keras configs with their weights; saving for tfjs-layers is refused', async () => {
    const ref = newBackend();
    const base = sequential<RefTensor>([conv1d({ filters: 3, kernelSize: 1, useBias: false })], {
      backend: ref,
      seed: 2,
      inputShape: [null, 2],
    });
    const artifacts = await saveKerasModel(base);
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    // As Keras 2 writes them: `groups` on both, and on SeparableConv1D the kernel options of the Conv it derives from.
    const common = {
      strides: [1],
      data_format: 'channels_last',
      dilation_rate: [1],
      groups: 1,
      use_bias: true,
    };
    topology.config.layers.push(
      {
        class_name: 'DepthwiseConv1D',
        config: {
          name: 'dw',
          kernel_size: [2],
          padding: 'same',
          depth_multiplier: 2,
          activation: 'relu',
          ...common,
        },
      },
      {
        class_name: 'SeparableConv1D',
        config: {
          name: 'sep',
          filters: 2,
          kernel_size: [3],
          padding: 'valid',
          depth_multiplier: 1,
          activation: 'linear',
          depthwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
          pointwise_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
          depthwise_regularizer: null,
          pointwise_constraint: null,
          kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
          kernel_regularizer: null,
          kernel_constraint: null,
          ...common,
        },
      },
    );
    // dw: depthwise [2, 3, 2], bias [6]; sep: depthwise [3, 6, 1], pointwise [1, 6, 2], bias [2].
    const shapes: [string, number[]][] = [
      ['dw/depthwise_kernel', [2, 3, 2]],
      ['dw/bias', [6]],
      ['sep/depthwise_kernel', [3, 6, 1]],
      ['sep/pointwise_kernel', [1, 6, 2]],
      ['sep/bias', [2]],
    ];
    const added = shapes.map(([name, shape]) =>
      randomValues(
        shape.reduce((n, d) => n * d, 1),
        name,
      ),
    );
    const before = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const data = new Uint8Array(before.byteLength + added.reduce((n, a) => n + a.byteLength, 0));
    data.set(before);
    let at = before.byteLength;
    for (const a of added) {
      data.set(new Uint8Array(a.buffer), at);
      at += a.byteLength;
    }
    const loaded = await loadKerasModel<RefTensor>(
      {
        ...artifacts,
        modelTopology: topology,
        weightSpecs: [
          ...artifacts.weightSpecs!,
          ...shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' as const })),
        ],
        weightData: data.buffer,
      },
      { backend: ref },
    );
    expect(loaded.layers.slice(1).map((l) => l.getConfig())).toMatchObject([
      { kernelSize: 2, padding: 'same', depthMultiplier: 2, activation: 'relu' },
      { filters: 2, kernelSize: 3, padding: 'valid', depthMultiplier: 1 },
    ]);
    expect(
      loaded
        .getWeightData()
        .slice(1)
        .map((w) => Array.from(w.values)),
    ).toEqual(added.map((a) => Array.from(a)));
    expect(loaded.outputs[0]!.shape).toEqual([null, null, 2]);
    await expect(saveKerasModel(loaded)).rejects.toThrow(
      'saveKerasModel: layer dw (DepthwiseConv1D): tfjs-layers 4.22 has no DepthwiseConv1D layer (only its 2D form); save with saveModel',
    );
  });
});
