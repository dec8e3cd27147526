import type { RefTensor } from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { deserializeLayer } from '../engine/registry.js';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { dense } from '../layers/dense.js';
import { masking } from '../layers/masking.js';
import { lstm } from '../layers/rnn.js';
import { timeDistributed } from '../layers/time-distributed.js';
import {
  copyWeightsToTfjs,
  expectClose,
  newBackend,
  randomTensor,
  randomValues,
  tfjsPredict,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { Functional, model } from './functional.js';

beforeAll(useTfjsCpu);

const sourceFeatures = 3;
const targetFeatures = 2;
const units = 4;

/** Encoder-decoder (sequence to sequence): the decoder starts from the encoder's final states. */
function seq2seq(options: { masked?: boolean } = {}) {
  const source = input({ shape: [null, sourceFeatures], name: 'source' });
  const encoderInput = options.masked ? (masking().apply(source) as SymbolicTensor) : source;
  const encoder = lstm({ units, returnState: true, recurrentActivation: 'hardSigmoid', name: 'encoder' });
  const [, h, c] = encoder.apply(encoderInput) as SymbolicTensor[];
  const target = input({ shape: [null, targetFeatures], name: 'target' });
  const decoder = lstm({
    units,
    returnSequences: true,
    returnState: true,
    recurrentActivation: 'hardSigmoid',
    name: 'decoder',
  });
  const [decoded] = decoder.apply(target, { initialState: [h!, c!] }) as SymbolicTensor[];
  const head = timeDistributed(dense({ units: targetFeatures, activation: 'softmax' }), { name: 'head' });
  const probs = head.apply(decoded!) as SymbolicTensor;
  return { source, target, encoder, decoder, head, probs, h: h!, c: c! };
}

describe('functional models', () => {
  for (const masked of [false, true]) {
    it(`run an encoder-decoder with different input and output lengths like tfjs-layers (atol 1e-5)${masked ? ', masked source' : ''}`, () => {
      const ref = newBackend();
      const g = seq2seq({ masked });
      const ours = model<RefTensor>({
        inputs: [g.source, g.target],
        outputs: g.probs,
        backend: ref,
        seed: 3,
      });
      expect(ours.layers.map((l) => l.name)).toEqual([
        ...(masked ? ['masking'] : []),
        'encoder',
        'decoder',
        'head',
      ]);
      const zeros = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;
      const source = tfl.input({ shape: [null, sourceFeatures] });
      const encoded = masked ? (tfl.layers.masking({}).apply(source) as tfl.SymbolicTensor) : source;
      const [, h, c] = tfl.layers
        .lstm({ units, returnState: true, ...zeros })
        .apply(encoded) as tfl.SymbolicTensor[];
      const target = tfl.input({ shape: [null, targetFeatures] });
      const decoded = tfl.layers
        .lstm({ units, returnSequences: true, ...zeros })
        .apply(target, { initialState: [h!, c!] }) as tfl.SymbolicTensor;
      const probs = tfl.layers
        .timeDistributed({ layer: tfl.layers.dense({ units: targetFeatures, activation: 'softmax' }) })
        .apply(decoded) as tfl.SymbolicTensor;
      const theirs = tfl.model({ inputs: [source, target], outputs: probs });
      copyWeightsToTfjs(ours, theirs);
      const x = randomValues(2 * 6 * sourceFeatures, 1);
      // The second source sequence has 5 valid steps. tfjs-layers 4.22's executor keeps the last mask it saw in a
      // kwargs object shared by every later node (engine/executor.js), so its decoder is also masked by the source
      // mask's first 4 steps; keeping those valid keeps that bug out of the comparison. Here (as in Keras) the decoder
      // gets no mask: its input has none.
      if (masked) x.fill(0, (6 + 5) * sourceFeatures);
      const y = randomValues(2 * 4 * targetFeatures, 2);
      const out = ours.predict([
        ref.tensor(x, [2, 6, sourceFeatures]),
        ref.tensor(y, [2, 4, targetFeatures]),
      ]) as RefTensor;
      expect(ref.shape(out)).toEqual([2, 4, targetFeatures]);
      const expected = tfjsPredict(theirs, [
        { values: x, shape: [2, 6, sourceFeatures] },
        { values: y, shape: [2, 4, targetFeatures] },
      ])[0]!;
      expectClose('seq2seq', values(ref, out), expected);
      if (!masked) {
        // Lengths for one input of several: the same as masking it.
        const lengths = ours.predict(
          [ref.tensor(x, [2, 6, sourceFeatures]), ref.tensor(y, [2, 4, targetFeatures])],
          {
            lengths: [[6, 6], undefined],
          },
        ) as RefTensor;
        expectClose('lengths per input', values(ref, lengths), expected);
      }
      theirs.dispose();
    });
  }

  it('share layers between a training model and step-by-step inference models', () => {
    const ref = newBackend();
    const g = seq2seq();
    const training = model<RefTensor>({
      inputs: [g.source, g.target],
      outputs: g.probs,
      backend: ref,
      seed: 5,
    });
    const encoderModel = model<RefTensor>({ inputs: g.source, outputs: [g.h, g.c], backend: ref });
    const stepInput = input({ shape: [null, targetFeatures] });
    const hIn = input({ shape: [units] });
    const cIn = input({ shape: [units] });
    const [stepOut, hOut, cOut] = g.decoder.apply(stepInput, {
      initialState: [hIn, cIn],
    }) as SymbolicTensor[];
    const decoderModel = model<RefTensor>({
      inputs: [stepInput, hIn, cIn],
      outputs: [g.head.apply(stepOut!) as SymbolicTensor, hOut!, cOut!],
      backend: ref,
    });
    expect(decoderModel.weights.map((w) => w.name)).toEqual([
      'decoder/kernel',
      'decoder/recurrent_kernel',
      'decoder/bias',
      'head/dense/kernel',
      'head/dense/bias',
    ]);
    expect(decoderModel.weights[0]!.read()).toBe(training.weights[3]!.read());
    const x = randomTensor(ref, [2, 5, sourceFeatures], 7);
    const y = randomTensor(ref, [2, 3, targetFeatures], 8);
    const full = ref.toArray(training.predict([x, y]) as RefTensor) as number[][][];
    let [h, c] = encoderModel.predict(x) as RefTensor[];
    for (let t = 0; t < 3; t++) {
      const step = ref.slice(y, [0, t, 0], [-1, 1, -1]);
      const [p, h2, c2] = decoderModel.predict([step, h!, c!]) as RefTensor[];
      const probs = ref.toArray(p!) as number[][][];
      expectClose(
        `step ${t}`,
        probs.flat(2),
        full.flatMap((row) => row[t]!),
        { atol: 1e-12, rtol: 0 },
      );
      [h, c] = [h2, c2];
    }
  });

  it('serializes its graph and rebuilds the same model', () => {
    const ref = newBackend();
    const g = seq2seq();
    const original = model<RefTensor>({
      inputs: [g.source, g.target],
      outputs: [g.probs, g.h],
      backend: ref,
      seed: 9,
    });
    const config = JSON.parse(JSON.stringify(original.toJSON()));
    expect(config.className).toBe('Functional');
    expect(config.config.inputs).toEqual([
      { name: 'source', batchShape: [null, null, 3], dtype: 'float32' },
      { name: 'target', batchShape: [null, null, 2], dtype: 'float32' },
    ]);
    expect(config.config.nodes).toEqual([
      { layer: 'encoder', inputs: [['source', 0, 0]] },
      {
        layer: 'decoder',
        inputs: [['target', 0, 0]],
        initialState: [
          ['encoder', 0, 1],
          ['encoder', 0, 2],
        ],
      },
      { layer: 'head', inputs: [['decoder', 0, 0]] },
    ]);
    expect(config.config.outputs).toEqual([
      ['head', 0, 0],
      ['encoder', 0, 1],
    ]);
    const rebuilt = Functional.fromConfig<RefTensor>(config.config, deserializeLayer, { backend: ref });
    rebuilt.setWeights(original.getWeights());
    const x = randomTensor(ref, [1, 4, 3], 1);
    const y = randomTensor(ref, [1, 2, 2], 2);
    const a = original.predict([x, y]) as RefTensor[];
    const b = rebuilt.predict([x, y]) as RefTensor[];
    a.forEach((t, i) => {
      expectClose(`output ${i}`, values(ref, b[i]!), values(ref, t), { atol: 0, rtol: 0 });
    });
    expect(JSON.parse(JSON.stringify(rebuilt.toJSON()))).toEqual(config);
  });

  it('explains graphs it cannot run', () => {
    const ref = newBackend();
    const a = input({ shape: [2] });
    const b = input({ shape: [2] });
    const y = dense({ units: 1 }).apply(b) as SymbolicTensor;
    expect(() => model({ inputs: a, outputs: y })).toThrow(
      "model (Functional): an output depends on an input that is not among the model's inputs",
    );
    expect(() => model({ inputs: y, outputs: y })).toThrow(
      'model (Functional) inputs[0]: expected a tensor made by input(), received a layer output',
    );
    const twice = dense({ units: 1, name: 'same' });
    const other = dense({ units: 1, name: 'same' });
    expect(() =>
      model({ inputs: a, outputs: other.apply(twice.apply(a) as SymbolicTensor) as SymbolicTensor }),
    ).toThrow('model (Functional): two different layers are named "same"; names must be unique');
    const unbuilt = model<RefTensor>({ inputs: b, outputs: y });
    expect(() => unbuilt.predict(ref.fill([1, 2], 0))).toThrow(
      'model (Functional): not built; pass { backend } to model() or call build(backend)',
    );
    const built = unbuilt.build(ref);
    expect(ref.shape(built.predict(ref.fill([1, 2], 0)) as RefTensor)).toEqual([1, 1]);
    expect(() => built.predict([ref.fill([1, 2], 0), ref.fill([1, 2], 0)])).toThrow(
      'model (Functional) predict x: expected one tensor (the model has 1 input), received a list of 2',
    );
    expect(() => lstm({ units: 2 }).apply(input({ shape: [3] }))).toThrow(
      'lstm (LSTM) inputs: expected rank 3 [batch, time, features], received shape [null, 3] (rank 2)',
    );
    expect(() =>
      lstm({ units: 2 }).apply(input({ shape: [null, 3] }), { initialState: [input({ shape: [2] })] }),
    ).toThrow('lstm (LSTM) initialState: expected 2 tensors (h, c), received 1');
  });
});
