import { countParams, type RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deserializeLayer } from '../engine/registry.js';
import { sequential } from '../models/sequential.js';
import {
  copyWeightsToTfjs,
  expectClose,
  expectOutputsClose,
  newBackend,
  paddedValues,
  randomTensor,
  randomValues,
  tfjsChain,
  tfjsPredict,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { Bidirectional, bidirectional, type MergeMode } from './bidirectional.js';
import { masking } from './masking.js';
import { gru, lstm, type RNN, simpleRNN } from './rnn.js';

beforeAll(useTfjsCpu);

const batch = 3;
const time = 5;
const features = 3;
const units = 4;
const lengths = [5, 3, 1];

/** Inputs with the padded steps zeroed, so that a Masking layer (maskValue 0) finds exactly `lengths`. */
const paddedInputs = (seed: number) => paddedValues(lengths, time, features, seed);

type Kind = 'simpleRNN' | 'lstm' | 'gru';
const kinds: Kind[] = ['lstm', 'gru', 'simpleRNN'];

function ourInner(kind: Kind, options: Record<string, unknown>): RNN {
  if (kind === 'lstm') return lstm({ units, recurrentActivation: 'hardSigmoid', ...options });
  if (kind === 'gru')
    return gru({ units, resetAfter: false, recurrentActivation: 'hardSigmoid', ...options });
  return simpleRNN({ units, ...options });
}

function theirInner(kind: Kind, options: Record<string, unknown>) {
  const common = { units, kernelInitializer: 'zeros', recurrentInitializer: 'zeros', ...options };
  if (kind === 'lstm') return tfl.layers.lstm(common as never);
  if (kind === 'gru') return tfl.layers.gru(common as never);
  return tfl.layers.simpleRNN(common as never);
}

describe('Bidirectional matches tfjs-layers 4.22 on the same weights (atol 1e-5)', () => {
  const modes: MergeMode[] = ['concat', 'sum', 'mul', 'ave', null];
  modes.forEach((mergeMode, m) => {
    for (const returnSequences of [true, false]) {
      for (const masked of [false, true]) {
        const kind = kinds[(m + (returnSequences ? 0 : 1)) % kinds.length]!;
        const returnState = m % 2 === 0;
        const label = `mergeMode ${mergeMode} ${kind} returnSequences ${returnSequences} returnState ${returnState}${masked ? ' masked' : ''}`;
        it(label, () => {
          const ref = newBackend();
          const inner = { returnSequences, returnState };
          const ours = sequential<RefTensor>(
            [...(masked ? [masking()] : []), bidirectional(ourInner(kind, inner), { mergeMode })],
            {
              backend: ref,
              seed: 21,
              inputShape: [null, features],
              outputs: returnState || mergeMode === null ? 'several' : 'one',
            },
          );
          const theirs = tfjsChain(
            [null, features],
            [
              ...(masked ? [tfl.layers.masking({})] : []),
              tfl.layers.bidirectional({
                layer: theirInner(kind, inner) as never,
                mergeMode: mergeMode as never,
              }),
            ],
          );
          copyWeightsToTfjs(ours, theirs);
          const x = masked ? paddedInputs(3) : randomValues(batch * time * features, 3);
          const outputs = ours.predict(ref.tensor(x, [batch, time, features]));
          const list = Array.isArray(outputs) ? outputs : [outputs];
          const expected = tfjsPredict(theirs, [{ values: x, shape: [batch, time, features] }]);
          expectOutputsClose(
            label,
            list.map((y) => values(ref, y)),
            expected,
          );
          theirs.dispose();
        });
      }
    }
  });

  it('propagates the mask to the next recurrent layer', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [
        masking({ inputShape: [null, features] }),
        bidirectional(lstm({ units, returnSequences: true, recurrentActivation: 'hardSigmoid' })),
        lstm({ units: 2, recurrentActivation: 'hardSigmoid' }),
      ],
      { backend: ref, seed: 4 },
    );
    const theirs = tfjsChain(
      [null, features],
      [
        tfl.layers.masking({}),
        tfl.layers.bidirectional({ layer: theirInner('lstm', { returnSequences: true }) as never }),
        tfl.layers.lstm({ units: 2, kernelInitializer: 'zeros', recurrentInitializer: 'zeros' }),
      ],
    );
    copyWeightsToTfjs(ours, theirs);
    const x = paddedInputs(8);
    const y = ours.predict(ref.tensor(x, [batch, time, features])) as RefTensor;
    expectClose(
      'masked stack',
      values(ref, y),
      tfjsPredict(theirs, [{ values: x, shape: [batch, time, features] }])[0]!,
    );
    theirs.dispose();
  });
});

describe('Bidirectional', () => {
  it('reverses only the valid part of each masked sequence in the backward direction', () => {
    const ref = newBackend();
    const layer = bidirectional(lstm({ units, returnSequences: true, returnState: true }), {
      mergeMode: null,
    });
    layer.build(ref, [null, null, features], { seed: 2 });
    // A forward LSTM with the backward layer's weights, run on each valid part reversed by hand.
    const plain = lstm({ units, returnSequences: true, returnState: true }).build(
      ref,
      [null, null, features],
      { seed: 9 },
    );
    plain.weights.forEach((w, i) => {
      w.assign(ref.reshape(layer.backwardLayer.weights[i]!.read<RefTensor>(), w.shape));
    });
    const x = randomTensor(ref, [batch, time, features], 4);
    const mask = ref.tensor(lengths.map((l) => Array.from({ length: time }, (_, t) => (t < l ? 1 : 0))));
    const [, backward, , , hB, cB] = layer.apply(x, { mask }) as RefTensor[];
    const backwardSeq = ref.toArray(backward!) as number[][][];
    lengths.forEach((length, b) => {
      const row = ref.toArray(ref.slice(x, [b, 0, 0], [1, length, -1])) as number[][][];
      const reversed = ref.tensor([[...row[0]!].reverse()]);
      const [seq, h, c] = plain.apply(reversed) as RefTensor[];
      const expectedSeq = (ref.toArray(seq!) as number[][][])[0]!;
      for (let t = 0; t < length; t++) {
        expectClose(`row ${b} step ${t}`, backwardSeq[b]![t]!, expectedSeq[length - 1 - t]!, {
          atol: 1e-12,
          rtol: 0,
        });
      }
      expectClose(`row ${b} h`, (ref.toArray(hB!) as number[][])[b]!, (ref.toArray(h!) as number[][])[0]!, {
        atol: 1e-12,
        rtol: 0,
      });
      expectClose(`row ${b} c`, (ref.toArray(cB!) as number[][])[b]!, (ref.toArray(c!) as number[][])[0]!, {
        atol: 1e-12,
        rtol: 0,
      });
    });
  });

  it('names weights forward then backward, and counts twice the cell', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([bidirectional(gru({ units: 3 }))], {
      backend: ref,
      seed: 1,
      inputShape: [null, 2],
    });
    expect(model.weights.map((w) => w.name)).toEqual([
      'bidirectional/forward_gru/kernel',
      'bidirectional/forward_gru/recurrent_kernel',
      'bidirectional/forward_gru/bias',
      'bidirectional/backward_gru/kernel',
      'bidirectional/backward_gru/recurrent_kernel',
      'bidirectional/backward_gru/bias',
    ]);
    expect(model.countParams()).toBe(2 * countParams('gru', { inputSize: 2, units: 3 }));
    const layer = model.layers[0] as Bidirectional;
    expect(layer.backwardLayer.goBackwards).toBe(true);
    expect(layer.backwardLayer.className).toBe('GRU');
    // Forward and backward weights are drawn from different streams.
    const data = model.getWeightData();
    expect(Array.from(data[0]!.values)).not.toEqual(Array.from(data[3]!.values));
  });

  it('takes a separate backward layer, checked against the forward one', () => {
    const ref = newBackend();
    const layer = bidirectional(lstm({ units: 3, returnSequences: true }), {
      backwardLayer: gru({ units: 2, returnSequences: true, goBackwards: true }),
    });
    const model = sequential<RefTensor>([layer], { backend: ref, seed: 1, inputShape: [null, 2] });
    expect(model.outputs[0]!.shape).toEqual([null, null, 5]);
    const y = model.predict(randomTensor(ref, [2, 4, 2], 1)) as RefTensor;
    expect(ref.shape(y)).toEqual([2, 4, 5]);
    expect(model.weights.map((w) => w.name)).toContain('bidirectional/backward_gru/recurrent_kernel');
    expect(() => bidirectional(lstm({ units: 3 }), { backwardLayer: lstm({ units: 3 }) })).toThrow(
      'bidirectional backwardLayer: its goBackwards must differ from the forward layer',
    );
    expect(() =>
      bidirectional(lstm({ units: 3 }), {
        backwardLayer: lstm({ units: 3, goBackwards: true, returnSequences: true }),
      }),
    ).toThrow(
      "bidirectional backwardLayer: returnSequences is true but the forward layer's is false; they must match",
    );
    const summed = bidirectional(lstm({ units: 3 }), {
      mergeMode: 'sum',
      backwardLayer: lstm({ units: 2, goBackwards: true }),
    });
    expect(() => summed.build(ref, [null, null, 2])).toThrow(
      'bidirectional (Bidirectional): mergeMode sum needs equal output sizes, forward 3 and backward 2',
    );
    expect(() => bidirectional(lstm({ units: 3 }), { mergeMode: 'max' as never })).toThrow(
      'bidirectional mergeMode: expected "concat", "sum", "mul", "ave" or null, received "max"',
    );
  });

  it('splits initialState into forward then backward states', () => {
    const ref = newBackend();
    const layer = bidirectional(lstm({ units: 2, returnState: true }), { mergeMode: null }).build(
      ref,
      [null, null, 1],
      {
        seed: 3,
      },
    );
    const x = randomTensor(ref, [1, 3, 1], 2);
    const s = (v: number) => ref.fill([1, 2], v);
    const [f, b, hf, cf, hb, cb] = layer.apply(x, {
      initialState: [s(0.1), s(0.2), s(0.3), s(0.4)],
    }) as RefTensor[];
    // Each output a tensor of its own, though the last outputs equal the h states (conformance kit finding).
    expect(new Set([f, b, hf, cf, hb, cb]).size).toBe(6);
    const fOnly = layer.forwardLayer.apply(x, { initialState: [s(0.1), s(0.2)] }) as RefTensor[];
    const bOnly = layer.backwardLayer.apply(x, { initialState: [s(0.3), s(0.4)] }) as RefTensor[];
    expectClose('forward', values(ref, f!), values(ref, fOnly[0]!), { atol: 0, rtol: 0 });
    expectClose('backward', values(ref, b!), values(ref, bOnly[0]!), { atol: 0, rtol: 0 });
    expectClose(
      'states',
      [hf, cf, hb, cb].flatMap((t) => [...values(ref, t!)]),
      [
        ...values(ref, fOnly[1]!),
        ...values(ref, fOnly[2]!),
        ...values(ref, bOnly[1]!),
        ...values(ref, bOnly[2]!),
      ],
    );
    expect(() => layer.apply(x, { initialState: [s(0), s(0)] })).toThrow(
      'bidirectional (Bidirectional) initialState: expected 4 tensors (2 forward then 2 backward), received 2',
    );
  });

  it('round-trips through its config', () => {
    const layer = bidirectional(gru({ units: 3, resetAfter: false, returnSequences: true }), {
      mergeMode: 'ave',
    });
    const config = layer.serialize();
    const again = deserializeLayer(JSON.parse(JSON.stringify(config))) as Bidirectional;
    expect(again).toBeInstanceOf(Bidirectional);
    expect(again.serialize()).toEqual(config);
    expect(again.forwardLayer.name).toBe('forward_gru');
    expect(again.backwardLayer.name).toBe('backward_gru');
    const custom = bidirectional(lstm({ units: 2 }), {
      backwardLayer: gru({ units: 2, goBackwards: true }),
    }).serialize();
    const customAgain = deserializeLayer(custom) as Bidirectional;
    expect(customAgain.backwardLayer.className).toBe('GRU');
    expect(customAgain.serialize()).toEqual(custom);
  });
});
