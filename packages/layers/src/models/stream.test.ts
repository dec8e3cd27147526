import type { RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { bidirectional } from '../layers/bidirectional.js';
import { conv1d } from '../layers/conv1d.js';
import { dense } from '../layers/dense.js';
import { embedding } from '../layers/embedding.js';
import { globalAveragePooling1d } from '../layers/global-average-pooling-1d.js';
import { maxPooling1d } from '../layers/max-pooling-1d.js';
import { permute } from '../layers/permute.js';
import { reshape } from '../layers/reshape.js';
import { gru, lstm, simpleRNN } from '../layers/rnn.js';
import { stacked } from '../layers/stacked.js';
import { timeDistributed } from '../layers/time-distributed.js';
import { expectClose, newBackend, randomTensor, values } from '../test-helpers.js';
import { sequential } from './sequential.js';

const exact = { atol: 1e-12, rtol: 0 };

describe('streaming', () => {
  it('stepping one time step at a time equals the full-sequence pass', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        lstm({ units: 4, returnSequences: true, inputShape: [null, 3] }),
        stacked([gru({ units: 3 }), simpleRNN({ units: 3 })], { returnSequences: true, residual: true }),
        timeDistributed(dense({ units: 2 })),
      ],
      { backend: ref, seed: 2 },
    );
    const x = randomTensor(ref, [2, 5, 3], 1);
    const full = ref.toArray(model.predict(x) as RefTensor) as number[][][];
    const stream = model.stream();
    const before = ref.memory().numTensors;
    for (let t = 0; t < 5; t++) {
      const step = ref.tidy(() => ref.reshape(ref.slice(x, [0, t, 0], [-1, 1, -1]), [2, 3]));
      const y = stream.step(step) as RefTensor;
      expect(ref.shape(y)).toEqual([2, 2]);
      expectClose(
        `step ${t}`,
        values(ref, y),
        full.flatMap((row) => row[t]!),
        exact,
      );
      ref.dispose([step, y]);
    }
    // Carried: lstm h, c; gru h; simpleRNN h; and the last output of each of the three recurrent layers.
    expect(ref.memory().numTensors).toBe(before + 7);
    expect(stream.getStates('lstm')).toHaveLength(2);
    expect(stream.getStates(model.layers[1]!)).toHaveLength(2);
    stream.reset();
    expect(ref.memory().numTensors).toBe(before);
    expect(stream.getStates('lstm')).toBeUndefined();
  });

  it('steps token ids through an embedding, and a many-to-one model gives its final output at the last step', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        embedding({ inputDim: 10, outputDim: 3 }),
        lstm({ units: 4 }),
        dense({ units: 2, activation: 'softmax' }),
      ],
      { backend: ref, seed: 5, inputShape: [null] },
    );
    const ids = ref.tensor([
      [1, 5, 2, 9],
      [3, 3, 0, 7],
    ]);
    const full = values(ref, model.predict(ids) as RefTensor);
    const stream = model.stream();
    let last: RefTensor | undefined;
    for (let t = 0; t < 4; t++) {
      if (last) ref.dispose(last);
      last = stream.step(ref.reshape(ref.slice(ids, [0, t], [-1, 1]), [2])) as RefTensor;
    }
    expectClose('final', values(ref, last!), full, exact);
  });

  it('takes a step as predict takes inputs: nested arrays and { data, shape } host values, tensors made here freed', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [embedding({ inputDim: 10, outputDim: 3 }), gru({ units: 4 }), dense({ units: 2 })],
      { backend: ref, seed: 5, inputShape: [null] },
    );
    const full = values(
      ref,
      model.predict([
        [1, 5, 2],
        [3, 3, 7],
      ]) as RefTensor,
    );
    const stream = model.stream();
    const before = ref.memory().numTensors;
    let last: RefTensor | undefined;
    for (const step of [[1, 3], { data: Int32Array.of(5, 3), shape: [2] }, [2, 7]]) {
      if (last) ref.dispose(last);
      last = stream.step(step) as RefTensor;
    }
    expectClose('final', values(ref, last!), full, exact);
    ref.dispose(last!);
    stream.reset();
    // The tensors made from the host values were freed with each step.
    expect(ref.memory().numTensors).toBe(before);
    // Host token ids are checked as predict checks them.
    expect(() => stream.step([1, 12])).toThrow('stream step inputs');
    expect(() => stream.step([1, 12])).toThrow('12');
  });

  it('refuses a step of the wrong shape, naming the shape of one step', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([lstm({ units: 2 }), dense({ units: 1 })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 1],
    });
    const stream = model.stream();
    // [batch, features] is one step of [batch, time, features]; a whole sequence is not.
    expect(() => stream.step([[[0.5]]])).toThrow(
      'sequential (Sequential) stream step inputs: expected shape [?, 1], received shape [1, 1, 1]',
    );
    expect(() => stream.step([0.5, 0.25])).toThrow(
      'sequential (Sequential) stream step inputs: expected shape [?, 1], received shape [2]',
    );
    expect(() => stream.step([ref.fill([1, 1], 0), ref.fill([1, 1], 0)])).toThrow(
      'sequential (Sequential) stream step inputs: expected 1 (one per model input), received 2',
    );
    ref.dispose(stream.step([[0.5], [0.25]]) as RefTensor);
  });

  it('keeps the state of rows masked at a step, like a masked full pass', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([gru({ units: 3, returnSequences: true, inputShape: [null, 2] })], {
      backend: ref,
      seed: 3,
    });
    const x = randomTensor(ref, [2, 4, 2], 9);
    const full = ref.toArray(model.predict(x, { lengths: [4, 2] }) as RefTensor) as number[][][];
    const stream = model.stream();
    for (let t = 0; t < 4; t++) {
      const y = stream.step(ref.reshape(ref.slice(x, [0, t, 0], [-1, 1, -1]), [2, 2]), {
        mask: [1, t < 2 ? 1 : 0],
      });
      expectClose(
        `step ${t}`,
        values(ref, y as RefTensor),
        full.flatMap((row) => row[t]!),
        exact,
      );
    }
    expect(() => stream.step(ref.fill([2, 2], 0), { mask: [1] })).toThrow(
      'sequential (Sequential) stream step mask: expected 2 values (one per batch row), received [1]',
    );
  });

  it('starts from given states (a decoder from an encoder’s states) and refuses backward layers', () => {
    const ref = newBackend();
    const decoder = lstm({ units: 3, returnSequences: true, name: 'decoder' });
    const model = sequential<RefTensor>([decoder, dense({ units: 2 })], {
      backend: ref,
      seed: 1,
      inputShape: [null, 2],
    });
    const h = randomTensor(ref, [1, 3], 1);
    const c = randomTensor(ref, [1, 3], 2);
    const x = randomTensor(ref, [1, 3, 2], 3);
    const seq = decoder.apply(x, { initialState: [h, c] }) as RefTensor;
    const head = model.layers[1]!;
    const expected = values(ref, head.apply(seq) as RefTensor);
    const stream = model.stream();
    stream.setStates('decoder', [h, c]);
    const got: number[] = [];
    for (let t = 0; t < 3; t++) {
      got.push(
        ...values(ref, stream.step(ref.reshape(ref.slice(x, [0, t, 0], [-1, 1, -1]), [1, 2])) as RefTensor),
      );
    }
    expectClose('decoder stream', got, expected, exact);
    expect(() => stream.setStates('decoder', [h])).toThrow(
      'sequential (Sequential) stream setStates(decoder): expected an array of 2 state tensors ([batch, 3], [batch, 3]), received 1',
    );
    expect(() => stream.getStates('encoder')).toThrow(
      'sequential (Sequential) stream: no layer named "encoder"',
    );
    const both = sequential<RefTensor>([bidirectional(lstm({ units: 2 }))], {
      backend: ref,
      inputShape: [null, 2],
    });
    expect(() => both.stream()).toThrow(
      'sequential (Sequential) stream: bidirectional (Bidirectional) reads the sequence backwards; it needs the whole sequence and cannot run one step at a time',
    );
    const backwards = sequential<RefTensor>([lstm({ units: 2, goBackwards: true })], {
      backend: ref,
      inputShape: [null, 2],
    });
    expect(() => backwards.stream()).toThrow('lstm (LSTM) reads the sequence backwards');
    // A convolution or pooling over time combines steps: stepping it alone would give other outputs.
    for (const layer of [
      conv1d({ filters: 2, kernelSize: 2, padding: 'causal' }),
      maxPooling1d(),
      globalAveragePooling1d(),
    ]) {
      const model = sequential<RefTensor>([layer], { backend: ref, inputShape: [null, 2] });
      expect(() => model.stream()).toThrow(
        `sequential (Sequential) stream: ${layer.describe()} combines several time steps into each output (a convolution or pooling over time); it needs the whole sequence and cannot run one step at a time`,
      );
    }
    // Layers that move or regroup the steps say what they do.
    for (const [layer, says] of [
      [reshape({ targetShape: [-1] }), 'lays out each sample whole, time steps included'],
      [permute({ dims: [2, 1] }), 'moves the time axis away from axis 1'],
    ] as const) {
      const model = sequential<RefTensor>([layer], { backend: ref, inputShape: [3, 2] });
      expect(() => model.stream()).toThrow(
        `stream: ${layer.describe()} ${says}; it needs the whole sequence`,
      );
    }
  });
});
