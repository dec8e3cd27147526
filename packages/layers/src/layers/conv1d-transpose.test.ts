/**
 * Conv1DTranspose against tfjs-layers 4.22's conv2dTranspose on `[batch, steps, 1, channels]` (an independent
 * implementation of Keras' transposed convolution, lengths and 'same' cuts included, on tfjs' own kernel; it has no 1D
 * form, no dilation and no output padding; atol 1e-5, float32 against the float64 reference), against the definition
 * written out as loops for every option (1e-12), output shapes, errors, and the Keras config. Gradients, masks, leaks
 * and the config round trip: the layer conformance kit (`conformance.test.ts`).
 */
import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { loadKerasModel } from '../saving/keras/load.js';
import { saveKerasModel } from '../saving/keras/save.js';
import { expectClose, newBackend, randomValues, tf, tfl, useTfjsCpu, values } from '../test-helpers.js';
import { conv1d } from './conv1d.js';
import { type Conv1DTransposeArgs, conv1dTranspose } from './conv1d-transpose.js';

beforeAll(useTfjsCpu);

type Variant = Omit<Conv1DTransposeArgs, 'filters'> & { kernelSize: number };

/**
 * The transposed convolution by its definition: input step t adds kernel[j] · x[t] to step t·s + j·d − padLeft of the
 * output. The output length and padLeft come from Keras 3's JAX backend, which runs the transposed convolution as a
 * convolution of the stride-dilated input padded by (left, right) (`_convert_conv_tranpose_padding_args_from_keras_to_
 * jax`): a derivation other than the layer's (output length formula plus TensorFlow's cut).
 */
function byLoops(
  x: Float32Array,
  kernel: Float64Array,
  bias: Float64Array,
  [batch, steps, channels]: [number, number, number],
  filters: number,
  v: Variant,
): { out: number[]; outSteps: number } {
  const k = v.kernelSize;
  const s = (v.strides as number | undefined) ?? 1;
  const d = (v.dilationRate as number | undefined) ?? 1;
  const span = d * (k - 1) + 1;
  const op = v.outputPadding as number | undefined;
  const same = v.padding === 'same';
  let left: number;
  let right: number;
  if (!same) {
    left = span - 1;
    right = span - 1 + (op ?? Math.max(span, s) - span);
  } else {
    const padLength = op === undefined ? s + span - 2 : span + (span % 2) - 2 + op;
    left = Math.min(Math.floor(padLength / 2) + (padLength % 2), span - 1);
    right = padLength - left;
  }
  // A 'valid' convolution of span `span` over (steps − 1)·s + 1 dilated steps padded by left and right.
  const outSteps = (steps - 1) * s + 1 + left + right - span + 1;
  const padLeft = span - 1 - left;
  const out = new Array<number>(batch * outSteps * filters).fill(0);
  for (let n = 0; n < batch; n++)
    for (let p = 0; p < outSteps; p++)
      for (let o = 0; o < filters; o++) out[(n * outSteps + p) * filters + o] = bias[o]!;
  for (let n = 0; n < batch; n++)
    for (let t = 0; t < steps; t++)
      for (let j = 0; j < k; j++) {
        const p = t * s + j * d - padLeft;
        if (p < 0 || p >= outSteps) continue;
        for (let o = 0; o < filters; o++) {
          let sum = 0;
          for (let c = 0; c < channels; c++)
            sum += kernel[(j * filters + o) * channels + c]! * x[(n * steps + t) * channels + c]!;
          out[(n * outSteps + p) * filters + o]! += sum;
        }
      }
  return { out, outSteps };
}

describe('Conv1DTranspose', () => {
  const variants: Variant[] = [
    { kernelSize: 3 },
    { kernelSize: 3, strides: 2 },
    { kernelSize: 2, strides: 3 },
    { kernelSize: 4, strides: 2, padding: 'same' },
    { kernelSize: 3, strides: 2, padding: 'same' },
    { kernelSize: 5, padding: 'same' },
    { kernelSize: 1, strides: 2, padding: 'same' },
  ];
  for (const v of variants) {
    it(`matches tfjs-layers' conv2dTranspose on a width-1 image: ${JSON.stringify(v)} (atol 1e-5)`, () => {
      const ref = newBackend();
      const [batch, steps, channels, filters] = [2, 5, 3, 4];
      const ours = sequential<RefTensor>([conv1dTranspose({ filters, activation: 'tanh', ...v })], {
        backend: ref,
        seed: 3,
        inputShape: [steps, channels],
      });
      const layer = tfl.layers.conv2dTranspose({
        filters,
        activation: 'tanh',
        kernelSize: [v.kernelSize, 1],
        strides: [(v.strides as number | undefined) ?? 1, 1],
        padding: v.padding ?? 'valid',
        inputShape: [steps, 1, channels],
      });
      const theirs = tfl.sequential({ layers: [layer] });
      const [kernel, bias] = ours.getWeightData();
      theirs.setWeights([
        tf.tensor(kernel!.values, [v.kernelSize, 1, filters, channels]),
        tf.tensor(bias!.values),
      ]);
      const x = randomValues(batch * steps * channels, JSON.stringify(v));
      const out = ours.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor;
      const got = theirs.predict(tf.tensor(x, [batch, steps, 1, channels])) as tf.Tensor;
      expect(ref.shape(out)).toEqual([got.shape[0], got.shape[1], got.shape[3]]);
      expect(ours.outputs[0]!.shape).toEqual([null, got.shape[1], filters]);
      expectClose(JSON.stringify(v), values(ref, out), got.dataSync() as Float32Array);
      tf.dispose(got);
      theirs.dispose();
    });
  }

  const loopVariants: Variant[] = [
    ...variants,
    { kernelSize: 3, dilationRate: 2 },
    { kernelSize: 2, dilationRate: 3, padding: 'same' },
    { kernelSize: 3, strides: 2, outputPadding: 1 },
    { kernelSize: 3, strides: 3, padding: 'same', outputPadding: 2 },
    { kernelSize: 3, strides: 2, padding: 'same', outputPadding: 0 },
    { kernelSize: 1, strides: 4, outputPadding: 3 },
    // An even span with 'same' and outputPadding: TensorFlow refuses 0 (Keras 3's JAX and torch backends cut span / 2).
    { kernelSize: 4, strides: 2, padding: 'same', outputPadding: 1 },
    { kernelSize: 2, strides: 2, padding: 'same', outputPadding: 0 },
    { kernelSize: 2, dilationRate: 2, padding: 'same', outputPadding: 0 },
  ];
  for (const v of loopVariants) {
    it(`matches the definition written out as loops: ${JSON.stringify(v)} (1e-12)`, () => {
      const ref = newBackend();
      const [batch, steps, channels, filters] = [2, 4, 3, 2];
      const m = sequential<RefTensor>(
        [conv1dTranspose({ filters, biasInitializer: 'glorotUniform', ...v })],
        {
          backend: ref,
          seed: 8,
          inputShape: [null, channels],
        },
      );
      const [kernel, bias] = m.getWeightData();
      const x = randomValues(batch * steps * channels, `loops ${JSON.stringify(v)}`);
      const expected = byLoops(
        x,
        Float64Array.from(kernel!.values),
        Float64Array.from(bias!.values),
        [batch, steps, channels],
        filters,
        v,
      );
      const out = m.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor;
      expect(ref.shape(out)).toEqual([batch, expected.outSteps, filters]);
      expect(m.layers[0]!.computeOutputShape([[null, steps, channels]])).toEqual([
        [null, expected.outSteps, filters],
      ]);
      expectClose('loops', values(ref, out), expected.out, { atol: 1e-12, rtol: 1e-12 });
    });
  }

  it("gives the lengths Keras' documentation and formulas give", () => {
    const length = (steps: number, options: Omit<Conv1DTransposeArgs, 'filters'>) =>
      conv1dTranspose({ filters: 1, ...options }).computeOutputShape([[null, steps, 2]])[0]![1];
    // Keras' docstring: 10 steps, kernel 3, strides 2, 'valid' → 21.
    expect(length(10, { kernelSize: 3, strides: 2 })).toBe(21);
    expect(length(10, { kernelSize: 3, strides: 2, padding: 'same' })).toBe(20);
    expect(length(10, { kernelSize: 1, strides: 3 })).toBe(30);
    expect(length(10, { kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 })).toBe(20);
    expect(length(10, { kernelSize: 4, strides: 2, padding: 'same', outputPadding: 0 })).toBe(18);
    expect(length(10, { kernelSize: 3, strides: 2, outputPadding: 1 })).toBe(22);
  });

  it('with outputPadding, undoes the length change of the convolution it transposes; refuses stream', () => {
    const ref = newBackend();
    for (const padding of ['valid', 'same'] as const) {
      const m = sequential<RefTensor>(
        [
          conv1d({ filters: 4, kernelSize: 3, strides: 2, padding }),
          conv1dTranspose({
            filters: 2,
            kernelSize: 3,
            strides: 2,
            padding,
            outputPadding: 0,
          }),
        ],
        { backend: ref, seed: 1, inputShape: [9, 2] },
      );
      expect(m.outputs[0]!.shape).toEqual([null, 9, 2]);
    }
    const streamed = sequential<RefTensor>([conv1dTranspose({ filters: 2, kernelSize: 1 })], {
      backend: ref,
      inputShape: [null, 2],
    });
    expect(() => streamed.stream()).toThrow(
      'conv1d_transpose (Conv1DTranspose) spreads each step over several output steps (a transposed convolution over time); it needs the whole sequence',
    );
  });

  it('names the argument, what it received and what it expects', () => {
    expect(() => conv1dTranspose({ filters: 0, kernelSize: 2 })).toThrow('conv1dTranspose filters');
    expect(() => conv1dTranspose({ filters: 2, kernelSize: 2, strides: 2, dilationRate: 2 })).toThrow(
      'conv1dTranspose strides and dilationRate: expected one of them to be 1 (as Keras), received strides 2 and dilationRate 2',
    );
    expect(() => conv1dTranspose({ filters: 2, kernelSize: 2, strides: 2, outputPadding: 2 })).toThrow(
      'conv1dTranspose outputPadding: expected an integer from 0 to strides − 1 (1), or null, received 2',
    );
    expect(() => conv1dTranspose({ filters: 2, kernelSize: 2, padding: 'causal' as never })).toThrow(
      'conv1dTranspose padding',
    );
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([conv1dTranspose({ filters: 2, kernelSize: 2 })], {
        backend: ref,
        inputShape: [4, null],
      }),
    ).toThrow('conv1d_transpose (Conv1DTranspose): the channels axis of the input must be known to build');
  });

  it('loads from Keras configs (Keras 3 and Keras 2 fields); saving for tfjs-layers is refused', async () => {
    const ref = newBackend();
    const base = sequential<RefTensor>([conv1d({ filters: 3, kernelSize: 1 })], {
      backend: ref,
      seed: 2,
      inputShape: [null, 2],
    });
    const artifacts = await saveKerasModel(base);
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    topology.config.layers.push({
      class_name: 'Conv1DTranspose',
      config: {
        name: 'up',
        filters: 2,
        kernel_size: [3],
        strides: [2],
        padding: 'same',
        output_padding: [1],
        data_format: 'channels_last',
        dilation_rate: [1],
        groups: 1,
        activation: 'relu',
        use_bias: true,
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
    });
    const weights = [
      ...artifacts.weightSpecs!,
      { name: 'up/kernel', shape: [3, 2, 3], dtype: 'float32' as const },
      { name: 'up/bias', shape: [2], dtype: 'float32' as const },
    ];
    const kernel = randomValues(18, 'keras kernel');
    const bias = Float32Array.from([0.5, -0.25]);
    const before = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const data = new Uint8Array(before.byteLength + 20 * 4);
    data.set(before);
    data.set(new Uint8Array(kernel.buffer), before.byteLength);
    data.set(new Uint8Array(bias.buffer), before.byteLength + 18 * 4);
    const loaded = await loadKerasModel<RefTensor>(
      { ...artifacts, modelTopology: topology, weightSpecs: weights, weightData: data.buffer },
      { backend: ref },
    );
    expect(loaded.layers[1]!.getConfig()).toMatchObject({
      filters: 2,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      outputPadding: 1,
      dilationRate: 1,
      activation: 'relu',
    });
    expect(
      loaded
        .getWeightData()
        .slice(2)
        .map((w) => Array.from(w.values)),
    ).toEqual([Array.from(kernel), [0.5, -0.25]]);
    expect(loaded.outputs[0]!.shape).toEqual([null, null, 2]);
    await expect(saveKerasModel(loaded)).rejects.toThrow(
      'saveKerasModel: layer up (Conv1DTranspose): tfjs-layers 4.22 has no Conv1DTranspose layer (only Conv2DTranspose); save with saveModel',
    );
  });
});
