import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deserializeLayer } from '../engine/registry.js';
import { sequential } from '../models/sequential.js';
import {
  copyWeightsToTfjs,
  expectClose,
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
import { bidirectional } from './bidirectional.js';
import { masking } from './masking.js';
import { gru, lstm, simpleRNN } from './rnn.js';
import { Stacked, stacked } from './stacked.js';

beforeAll(useTfjsCpu);

const batch = 3;
const time = 5;
const features = 3;
const lengths = [5, 2, 4];

/** Inputs with the padded steps zeroed, so that a Masking layer (maskValue 0) finds exactly `lengths`. */
const paddedInputs = (seed: number) => paddedValues(lengths, time, features, seed);

const zeros = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;

describe('Stacked matches the same layers stacked in tfjs-layers 4.22 (atol 1e-5)', () => {
  for (const masked of [false, true]) {
    for (const returnSequences of [true, false]) {
      it(`lstm, bidirectional gru, simpleRNN; returnSequences ${returnSequences}${masked ? ', masked' : ''}`, () => {
        const ref = newBackend();
        const ours = sequential<RefTensor>(
          [
            ...(masked ? [masking()] : []),
            stacked(
              [
                lstm({ units: 4, recurrentActivation: 'hardSigmoid' }),
                bidirectional(gru({ units: 3, resetAfter: false, recurrentActivation: 'hardSigmoid' }), {
                  mergeMode: 'sum',
                }),
                simpleRNN({ units: 2 }),
              ],
              { returnSequences },
            ),
          ],
          { backend: ref, seed: 5, inputShape: [null, features] },
        );
        const theirs = tfjsChain(
          [null, features],
          [
            ...(masked ? [tfl.layers.masking({})] : []),
            tfl.layers.lstm({ units: 4, returnSequences: true, ...zeros }),
            tfl.layers.bidirectional({
              layer: tfl.layers.gru({ units: 3, returnSequences: true, ...zeros }) as never,
              mergeMode: 'sum',
            }),
            tfl.layers.simpleRNN({ units: 2, returnSequences, ...zeros }),
          ],
        );
        copyWeightsToTfjs(ours, theirs);
        const x = masked ? paddedInputs(6) : randomValues(batch * time * features, 6);
        const y = ours.predict(ref.tensor(x, [batch, time, features])) as RefTensor;
        expectClose(
          'stacked',
          values(ref, y),
          tfjsPredict(theirs, [{ values: x, shape: [batch, time, features] }])[0]!,
        );
        theirs.dispose();
      });
    }
  }
});

describe('Stacked', () => {
  it('builds numLayers copies of one layer, named uniquely inside the stack', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [stacked({ cell: 'lstm', units: 4, numLayers: 3, recurrentActivation: 'hardSigmoid' })],
      {
        backend: ref,
        seed: 2,
        inputShape: [null, features],
      },
    );
    expect(model.weights.map((w) => w.name)).toEqual(
      ['lstm', 'lstm_1', 'lstm_2'].flatMap((l) =>
        ['kernel', 'recurrent_kernel', 'bias'].map((w) => `stacked/${l}/${w}`),
      ),
    );
    const layer = model.layers[0] as Stacked;
    expect(layer.layers.map((l) => l.className)).toEqual(['LSTM', 'LSTM', 'LSTM']);
    expect(layer.stateSizesPerLayer()).toEqual([
      [4, 4],
      [4, 4],
      [4, 4],
    ]);
    expect(layer.returnSequences).toBe(false);
    const explicit = sequential<RefTensor>(
      [
        stacked([
          lstm({ units: 4, recurrentActivation: 'hardSigmoid' }),
          lstm({ units: 4, recurrentActivation: 'hardSigmoid' }),
          lstm({ units: 4, recurrentActivation: 'hardSigmoid' }),
        ]),
      ],
      { backend: ref, seed: 2, inputShape: [null, features] },
    );
    const x = randomTensor(ref, [2, 4, features], 1);
    expectClose(
      'same layers',
      values(ref, explicit.predict(x) as RefTensor),
      values(ref, model.predict(x) as RefTensor),
      {
        atol: 0,
        rtol: 0,
      },
    );
    const custom = sequential<RefTensor>(
      [stacked({ cell: 'gru', units: 2, numLayers: 2, resetAfter: false })],
      {
        backend: ref,
        seed: 1,
        inputShape: [null, 2],
      },
    );
    expect(custom.weights[2]!.shape).toEqual([6]);
  });

  it('adds residual connections from the second layer on', () => {
    const ref = newBackend();
    const make = (returnSequences: boolean) =>
      stacked([gru({ units: 3 }), gru({ units: 3 }), gru({ units: 3 })], {
        residual: true,
        returnSequences,
      }).build(ref, [null, null, 2], { seed: 8 });
    const layer = make(true);
    const [l0, l1, l2] = layer.layers;
    const x = randomTensor(ref, [2, 4, 2], 3);
    const mask = ref.tensor([
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ]);
    // Each layer again, returning sequences, with the stack's weights.
    const seqLayer = (source: typeof l1) => {
      const copy = gru({ units: 3, returnSequences: true }).build(ref, [null, null, 3], { seed: 1 });
      copy.weights.forEach((w, i) => {
        w.assign(ref.reshape(source!.weights[i]!.read<RefTensor>(), w.shape));
      });
      return copy;
    };
    const first = gru({ units: 3, returnSequences: true }).build(ref, [null, null, 2], { seed: 1 });
    first.weights.forEach((w, i) => {
      w.assign(ref.reshape(l0!.weights[i]!.read<RefTensor>(), w.shape));
    });
    const h0 = first.apply(x, { mask }) as RefTensor;
    const h1 = ref.add(seqLayer(l1).apply(h0, { mask }) as RefTensor, h0);
    const h2 = ref.add(seqLayer(l2).apply(h1, { mask }) as RefTensor, h1);
    expectClose('residual sequences', values(ref, layer.apply(x, { mask }) as RefTensor), values(ref, h2), {
      atol: 1e-12,
      rtol: 0,
    });
    // Without sequences: the last layer's final output plus its input at each row's last valid step.
    const last = make(false);
    last.weights.forEach((w, i) => {
      w.assign(ref.reshape(layer.weights[i]!.read<RefTensor>(), w.shape));
    });
    const final = ref.toArray(last.apply(x, { mask }) as RefTensor) as number[][];
    const full = ref.toArray(h2) as number[][][];
    expectClose('row 0', final[0]!, full[0]![3]!, { atol: 1e-12, rtol: 0 });
    expectClose('row 1', final[1]!, full[1]![1]!, { atol: 1e-12, rtol: 0 });
    expect(() =>
      stacked([gru({ units: 3 }), gru({ units: 4 })], { residual: true }).build(ref, [null, null, 2]),
    ).toThrow(
      'stacked (Stacked) residual: layer 1 gru_1 (GRU) has input size 3 and output size 4; a residual connection needs them equal',
    );
  });

  it('applies dropout between layers only, only in training, reproducibly', () => {
    const ref = newBackend();
    // Two linear pass-through layers (W = I, U = 0): the output is the input times the mask between them.
    const layer = stacked(
      [
        simpleRNN({ units: 2, activation: 'linear', useBias: false }),
        simpleRNN({ units: 2, activation: 'linear', useBias: false }),
      ],
      { dropout: 0.5, returnSequences: true },
    ).build(ref, [null, null, 2], { seed: 1 });
    for (const w of layer.weights) {
      w.assign(ref.tensor(w.shortName === 'kernel' ? [1, 0, 0, 1] : [0, 0, 0, 0], w.shape));
    }
    const x = ref.fill([3, 6, 2], 1);
    expect(values(ref, layer.apply(x) as RefTensor).every((v) => v === 1)).toBe(true);
    const y = values(ref, layer.apply(x, { training: true, rng: 3 }) as RefTensor);
    expect(values(ref, layer.apply(x, { training: true, rng: 3 }) as RefTensor)).toEqual(y);
    expect(new Set(y)).toEqual(new Set([0, 2]));
    // Each entry independently (not one mask per sequence).
    const rows = ref.toArray(ref.tensor(y, [3, 6, 2])) as number[][][];
    expect(rows.some((seq) => seq.some((step) => JSON.stringify(step) !== JSON.stringify(seq[0])))).toBe(
      true,
    );
  });

  it('returns every layer’s states and starts from given ones, in layer order', () => {
    const ref = newBackend();
    const layer = stacked([lstm({ units: 2 }), gru({ units: 3 })], { returnState: true }).build(
      ref,
      [null, null, 2],
      {
        seed: 4,
      },
    );
    expect(layer.stateSizes()).toEqual([2, 2, 3]);
    const x = randomTensor(ref, [2, 3, 2], 5);
    const [y, h0, c0, h1] = layer.apply(x) as RefTensor[];
    expect([y, h0, c0, h1].map((t) => ref.shape(t!))).toEqual([
      [2, 3],
      [2, 2],
      [2, 2],
      [2, 3],
    ]);
    expectClose('last output is the last state', values(ref, y!), values(ref, h1!), { atol: 0, rtol: 0 });
    // Equal values in tensors of their own: freeing the output must not free the state (conformance kit finding).
    expect(y).not.toBe(h1);
    const resumed = layer.apply(x, { initialState: [h0!, c0!, h1!] }) as RefTensor[];
    expect(values(ref, resumed[0]!)).not.toEqual(values(ref, y!));
    expect(() => layer.apply(x, { initialState: [h0!] })).toThrow(
      'stacked (Stacked) initialState: expected 3 tensors (2 + 1 for the layers in order), received 1',
    );
    const model = sequential<RefTensor>(
      [stacked([lstm({ units: 2 }), gru({ units: 3 })], { returnState: true })],
      {
        backend: ref,
        seed: 1,
        inputShape: [null, 2],
        outputs: 'several',
      },
    );
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 3],
      [null, 2],
      [null, 2],
      [null, 3],
    ]);
  });

  it('rejects layers it cannot stack, and round-trips through its config', () => {
    expect(() => stacked([lstm({ units: 2, returnState: true })])).toThrow(
      'stacked layers[0] lstm (LSTM): returnState must be off inside a stack; set returnState on the stack',
    );
    expect(() => stacked([bidirectional(lstm({ units: 2 }), { mergeMode: null })])).toThrow(
      'stacked layers[0] bidirectional (Bidirectional): a Bidirectional layer in a stack needs a mergeMode',
    );
    expect(() => stacked([])).toThrow('stacked(layers): expected at least one recurrent layer');
    expect(() => stacked({ cell: 'mgu', units: 2, numLayers: 2 })).toThrow(
      'stacked cell: unknown cell "mgu"; registered cells: simpleRNN, lstm, gru. A plugin cell is known by name only',
    );
    const layer = stacked([lstm({ units: 2 }), bidirectional(gru({ units: 2 }))], {
      dropout: 0.1,
      residual: false,
    });
    const config = layer.serialize();
    const again = deserializeLayer(JSON.parse(JSON.stringify(config)));
    expect(again).toBeInstanceOf(Stacked);
    expect(again.serialize()).toEqual(config);
  });
});
