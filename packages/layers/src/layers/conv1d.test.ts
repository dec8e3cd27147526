/**
 * Conv1D against tfjs-layers 4.22's conv1d (an independent implementation on tfjs' own convolution kernel) on the
 * same weights, for every padding with strides and dilation; against a convolution written out by hand; shapes and
 * errors. Gradients, masks, leaks and the float64 reference: the layer conformance kit (`conformance.test.ts`).
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
import { Conv1D, type Conv1DPadding, conv1d } from './conv1d.js';
import { dense } from './dense.js';
import { conv1dGeometry } from './time-windows.js';

beforeAll(useTfjsCpu);

describe('Conv1D', () => {
  const variants: { padding: Conv1DPadding; kernelSize: number; strides?: number; dilationRate?: number }[] =
    [
      { padding: 'valid', kernelSize: 3 },
      { padding: 'valid', kernelSize: 2, strides: 2 },
      { padding: 'same', kernelSize: 4 },
      { padding: 'same', kernelSize: 3, strides: 3 },
      { padding: 'causal', kernelSize: 3, dilationRate: 2 },
      { padding: 'causal', kernelSize: 1 },
      { padding: 'valid', kernelSize: 2, dilationRate: 3 },
    ];
  for (const v of variants) {
    it(`matches tfjs-layers: ${JSON.stringify(v)} (atol 1e-5)`, () => {
      const ref = newBackend();
      const [batch, steps, channels, filters] = [2, 9, 3, 4];
      const ours = sequential<RefTensor>([conv1d({ filters, activation: 'tanh', ...v })], {
        backend: ref,
        seed: 5,
        inputShape: [steps, channels],
      });
      // tfjs-layers 4.22 has no causal padding: there, 'valid' on the input with span − 1 zero steps in front.
      const causal = v.padding === 'causal';
      const front = causal ? (v.dilationRate ?? 1) * (v.kernelSize - 1) : 0;
      const theirs = tfjsChain(
        [steps + front, channels],
        [tfl.layers.conv1d({ filters, activation: 'tanh', ...v, padding: causal ? 'valid' : v.padding })],
      );
      copyWeightsToTfjs(ours, theirs);
      const x = randomValues(batch * steps * channels, JSON.stringify(v));
      const padded = new Float32Array(batch * (steps + front) * channels);
      for (let i = 0; i < batch; i++) {
        padded.set(
          x.subarray(i * steps * channels, (i + 1) * steps * channels),
          (i * (steps + front) + front) * channels,
        );
      }
      const out = ours.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor;
      const { outSteps } = conv1dGeometry(
        steps,
        v.kernelSize,
        v.strides ?? 1,
        v.dilationRate ?? 1,
        v.padding,
      );
      expect(ref.shape(out)).toEqual([batch, outSteps, filters]);
      expect(ours.outputs[0]!.shape).toEqual([null, outSteps, filters]);
      expectClose(
        'conv1d',
        values(ref, out),
        tfjsPredict(theirs, [{ values: padded, shape: [batch, steps + front, channels] }])[0]!,
      );
    });
  }

  it("'same' with strides that pads both sides (7 steps, kernel 4, strides 2: 1 left, 2 right) matches tfjs-layers", () => {
    const ref = newBackend();
    const [batch, steps, channels] = [2, 7, 2];
    const v = { filters: 3, kernelSize: 4, strides: 2, padding: 'same' as const };
    expect(conv1dGeometry(steps, 4, 2, 1, 'same')).toEqual({ outSteps: 4, padLeft: 1, padRight: 2 });
    const ours = sequential<RefTensor>([conv1d(v)], { backend: ref, seed: 3, inputShape: [steps, channels] });
    const theirs = tfjsChain([steps, channels], [tfl.layers.conv1d(v)]);
    copyWeightsToTfjs(ours, theirs);
    const x = randomValues(batch * steps * channels, 'same-strided');
    const out = ours.predict(ref.tensor(x, [batch, steps, channels])) as RefTensor;
    expectClose(
      'conv1d',
      values(ref, out),
      tfjsPredict(theirs, [{ values: x, shape: [batch, steps, channels] }])[0]!,
    );
  });

  it('is the sum over taps written out by hand (causal, dilation 2, no bias)', () => {
    const ref = newBackend();
    const layer = conv1d({ filters: 1, kernelSize: 2, dilationRate: 2, padding: 'causal', useBias: false });
    const model = sequential<RefTensor>([layer], { backend: ref, seed: 1, inputShape: [null, 1] });
    // kernel [2, 1, 1]: tap 0 weighs 10, tap 1 weighs 1. Output t = 10·x[t − 2] + x[t] (zeros before the start).
    model.setWeights([[10, 1]]);
    const out = model.predict(ref.tensor([[[1], [2], [3], [4]]])) as RefTensor;
    expect(ref.toArray(out)).toEqual([[[1], [2], [13], [24]]]);
  });

  it('lengths, options and errors', () => {
    expect(conv1dGeometry(10, 3, 1, 1, 'valid')).toEqual({ outSteps: 8, padLeft: 0, padRight: 0 });
    expect(conv1dGeometry(10, 4, 1, 1, 'same')).toEqual({ outSteps: 10, padLeft: 1, padRight: 2 });
    expect(conv1dGeometry(10, 3, 3, 1, 'same')).toEqual({ outSteps: 4, padLeft: 1, padRight: 1 });
    expect(conv1dGeometry(10, 3, 1, 2, 'causal')).toEqual({ outSteps: 10, padLeft: 4, padRight: 0 });
    expect(new Conv1D({ filters: 2, kernelSize: [3], strides: [1] }).kernelSize).toBe(3);
    expect(() => conv1d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(
      'conv1d strides and dilationRate: expected one of them to be 1 (as Keras), received strides 2 and dilationRate 2',
    );
    expect(() => conv1d({ filters: 2, kernelSize: 0 })).toThrow(
      'conv1d kernelSize: expected a positive integer (or [n]), received 0',
    );
    expect(() => conv1d({ filters: 2, kernelSize: 3, padding: 'full' as never })).toThrow(
      'conv1d padding: expected one of "valid", "same", "causal", received "full"',
    );
    expect(() => conv1d({ filters: 2, kernel_size: 3 } as never)).toThrow('(did you mean "kernelSize"?)');
    const ref = newBackend();
    const short = sequential<RefTensor>([conv1d({ filters: 1, kernelSize: 5 })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 1],
    });
    expect(() => short.predict(ref.tensor([[[1], [2], [3]]]))).toThrow(
      "input of 3 steps is shorter than the kernel's span of 5 steps; expected at least that many, or padding 'same' or 'causal'",
    );
    // With the length known, at build time (as Keras), not later in another layer.
    expect(() =>
      sequential<RefTensor>([conv1d({ filters: 1, kernelSize: 4 }), dense({ units: 1 })], {
        backend: ref,
        seed: 1,
        inputShape: [2, 1],
      }),
    ).toThrow("input of 2 steps is shorter than the kernel's span of 4 steps");
  });
});
