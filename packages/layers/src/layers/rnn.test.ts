import {
  type AnyCellPlugin,
  type CellPlugin,
  countParams,
  type FusedSequenceKernel,
  getCell,
  type RefTensor,
  registerCell,
  scanCell,
  unregisterCell,
} from '@seqmodel/core';
import { beforeAll, describe, expect, it } from 'vitest';
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
import { masking } from './masking.js';
import { GRU, gru, LSTM, lstm, RNN, rnn, SimpleRNN, simpleRNN } from './rnn.js';

beforeAll(useTfjsCpu);

const batch = 3;
const time = 6;
const features = 4;
const units = 5;
/** Post-padded lengths for masked cases: full, shorter, a single step. */
const lengths = [6, 4, 1];

/** Inputs with the padded steps zeroed, so that a Masking layer (maskValue 0) finds exactly `lengths`. */
const paddedInputs = (seed: number) => paddedValues(lengths, time, features, seed);

type Kind = 'simpleRNN' | 'lstm' | 'gru';

function ourLayer(kind: Kind, options: Record<string, unknown>) {
  if (kind === 'simpleRNN') return simpleRNN({ units, ...options });
  if (kind === 'lstm') return lstm({ units, ...options });
  return gru({ units, resetAfter: false, ...options });
}

function theirLayer(kind: Kind, options: Record<string, unknown>) {
  const common = {
    units,
    kernelInitializer: 'zeros',
    recurrentInitializer: 'zeros',
    biasInitializer: 'zeros',
    ...options,
  };
  if (kind === 'simpleRNN') return tfl.layers.simpleRNN(common as never);
  if (kind === 'lstm') return tfl.layers.lstm(common as never);
  return tfl.layers.gru(common as never);
}

describe('recurrent layers match tfjs-layers 4.22 on the same weights (atol 1e-5)', () => {
  const cases: { kind: Kind; options: Record<string, unknown> }[] = [
    { kind: 'simpleRNN', options: {} },
    { kind: 'simpleRNN', options: { activation: 'relu', goBackwards: true } },
    { kind: 'lstm', options: { recurrentActivation: 'hardSigmoid' } },
    { kind: 'lstm', options: { recurrentActivation: 'sigmoid', goBackwards: true } },
    { kind: 'lstm', options: { recurrentActivation: 'sigmoid', useBias: false } },
    { kind: 'gru', options: { recurrentActivation: 'hardSigmoid' } },
    { kind: 'gru', options: { recurrentActivation: 'sigmoid', goBackwards: true } },
  ];
  for (const { kind, options } of cases) {
    for (const returnSequences of [true, false]) {
      for (const masked of [false, true]) {
        const label = `${kind} ${JSON.stringify(options)} returnSequences ${returnSequences}${masked ? ' masked' : ''}`;
        it(label, () => {
          const ref = newBackend();
          const layerOptions = { ...options, returnSequences, returnState: true };
          const ours = sequential<RefTensor>(
            [
              ...(masked ? [masking({ inputShape: [null, features] })] : []),
              ourLayer(kind, masked ? layerOptions : { ...layerOptions, inputShape: [null, features] }),
            ],
            { backend: ref, seed: 7, outputs: 'several' },
          );
          const theirs = tfjsChain(
            [null, features],
            [...(masked ? [tfl.layers.masking({})] : []), theirLayer(kind, layerOptions)],
          );
          copyWeightsToTfjs(ours, theirs);
          const x = masked ? paddedInputs(1) : randomValues(batch * time * features, 1);
          const input = ref.tensor(x, [batch, time, features]);
          const outputs = ours.predict(input);
          const expected = tfjsPredict(theirs, [{ values: x, shape: [batch, time, features] }]);
          expectOutputsClose(
            label,
            outputs.map((y) => values(ref, y)),
            expected,
          );
          theirs.dispose();
        });
      }
    }
  }

  it('lengths give the same outputs as a Masking layer (and as tfjs with Masking)', () => {
    const ref = newBackend();
    const ours = sequential<RefTensor>(
      [lstm({ units, returnSequences: true, inputShape: [null, features] })],
      {
        backend: ref,
        seed: 3,
      },
    );
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.masking({ inputShape: [null, features] }),
        theirLayer('lstm', { returnSequences: true, recurrentActivation: 'sigmoid' }),
      ],
    });
    copyWeightsToTfjs(ours, theirs);
    const x = paddedInputs(2);
    const y = ours.predict(ref.tensor(x, [batch, time, features]), { lengths }) as RefTensor;
    expectClose(
      'lengths',
      values(ref, y),
      tfjsPredict(theirs, [{ values: x, shape: [batch, time, features] }])[0]!,
    );
    theirs.dispose();
  });
});

describe('GRU resetAfter: true (Keras 3 / PyTorch)', () => {
  /** An independent scalar float64 GRU (reset after the recurrent product), written from the equations. */
  function gruResetAfter(
    x: Float32Array,
    w: Float32Array,
    u: Float32Array,
    bias: Float32Array,
    n: { batch: number; time: number; features: number; units: number },
  ): number[][][] {
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const out: number[][][] = [];
    for (let b = 0; b < n.batch; b++) {
      let h = new Array<number>(n.units).fill(0);
      const seq: number[][] = [];
      for (let t = 0; t < n.time; t++) {
        const xi = (k: number) => x[(b * n.time + t) * n.features + k]!;
        const gate = (g: number, j: number) => {
          let inPart = bias[g * n.units + j]!;
          for (let k = 0; k < n.features; k++) inPart += xi(k) * w[k * 3 * n.units + g * n.units + j]!;
          let recPart = bias[3 * n.units + g * n.units + j]!;
          for (let k = 0; k < n.units; k++) recPart += h[k]! * u[k * 3 * n.units + g * n.units + j]!;
          return [inPart, recPart] as const;
        };
        const next = h.map((hj, j) => {
          const [zi, zr] = gate(0, j);
          const [ri, rr] = gate(1, j);
          const [ci, cr] = gate(2, j);
          const z = sig(zi + zr);
          const r = sig(ri + rr);
          const candidate = Math.tanh(ci + r * cr);
          return z * hj + (1 - z) * candidate;
        });
        h = next;
        seq.push([...h]);
      }
      out.push(seq);
    }
    return out;
  }

  it('matches an independent float64 implementation (atol 1e-12)', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [gru({ units, returnSequences: true, inputShape: [null, features] })],
      {
        backend: ref,
        seed: 11,
      },
    );
    // Non-zero biases so both bias rows matter.
    const [w, u, b] = model.getWeightData();
    expect(b!.shape).toEqual([2, 3 * units]);
    const bias = randomValues(6 * units, 'bias');
    model.setWeights([w!.values, u!.values, bias]);
    const x = randomValues(batch * time * features, 5);
    const y = model.predict(ref.tensor(x, [batch, time, features])) as RefTensor;
    const expected = gruResetAfter(x, w!.values, u!.values, bias, { batch, time, features, units });
    expectClose('gru resetAfter', values(ref, y), expected.flat(2), { atol: 1e-12, rtol: 0 });
  });
});

describe('RNN layer', () => {
  it('names and orders weights as Keras, with shapes and counts from core', () => {
    const ref = newBackend();
    const m = sequential<RefTensor>(
      [
        lstm({ units: 8, inputShape: [null, 3], returnSequences: true }),
        gru({ units: 4, returnSequences: true }),
        simpleRNN({ units: 2, name: 'last' }),
      ],
      { backend: ref, seed: 1 },
    );
    expect(m.weights.map((w) => [w.name, w.shape])).toEqual([
      ['lstm/kernel', [3, 32]],
      ['lstm/recurrent_kernel', [8, 32]],
      ['lstm/bias', [32]],
      ['gru/kernel', [8, 12]],
      ['gru/recurrent_kernel', [4, 12]],
      ['gru/bias', [2, 12]],
      ['last/kernel', [4, 2]],
      ['last/recurrent_kernel', [2, 2]],
      ['last/bias', [2]],
    ]);
    const layers = m.layers as RNN[];
    expect(layers[0]!.countParams()).toBe(countParams('lstm', { inputSize: 3, units: 8 }));
    expect(layers[1]!.countParams()).toBe(countParams('gru', { inputSize: 8, units: 4 }));
    expect(layers[2]!.countParams()).toBe(countParams('simpleRNN', { inputSize: 4, units: 2 }));
    expect(layers.map((l) => l.className)).toEqual(['LSTM', 'GRU', 'SimpleRNN']);
    expect(layers[0]).toBeInstanceOf(LSTM);
    expect(layers[1]).toBeInstanceOf(GRU);
    expect(layers[2]).toBeInstanceOf(SimpleRNN);
  });

  it('draws the same weights from the same seed, through core initializers', () => {
    const make = (seed: number) =>
      sequential<RefTensor>([lstm({ units: 4, inputShape: [null, 3] })], {
        backend: newBackend(),
        seed,
      }).getWeightData();
    const a = make(5);
    const b = make(5);
    const c = make(6);
    expect(a.map((w) => Array.from(w.values))).toEqual(b.map((w) => Array.from(w.values)));
    expect(Array.from(a[0]!.values)).not.toEqual(Array.from(c[0]!.values));
    // The LSTM forget-gate bias starts at 1 (unitForgetBias), as core's initializer says.
    expect(Array.from(a[2]!.values)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('takes the cell’s initializer options, a frozen flag, and a fixed batch size', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        lstm({
          units: 2,
          kernelInitializer: 'zeros',
          recurrentInitializer: { name: 'identity', gain: 2 },
          biasInitializer: 'ones',
          unitForgetBias: false,
          trainable: false,
          inputShape: [null, 3],
          batchSize: 4,
        }),
      ],
      { backend: ref, seed: 1 },
    );
    const [kernel, recurrent, bias] = model.getWeightData();
    expect(kernel!.values.every((v) => v === 0)).toBe(true);
    expect(Array.from(recurrent!.values)).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    expect(bias!.values.every((v) => v === 1)).toBe(true);
    expect(model.trainableWeights).toEqual([]);
    expect(model.inputs[0]!.shape).toEqual([4, null, 3]);
    expect(() => model.predict(ref.fill([2, 5, 3], 0))).toThrow(
      'sequential (Sequential) inputs: expected shape [4, ?, 3], received shape [2, 5, 3]',
    );
    const viaBatchShape = lstm({ units: 2, batchInputShape: [4, 7, 3] });
    expect(viaBatchShape.batchInputShape).toEqual([4, 7, 3]);
    expect(viaBatchShape.getConfig().batchInputShape).toEqual([4, 7, 3]);
  });

  it('runs any registered cell, by name or as a plugin object, with the cell options', () => {
    // A leaky integrator: h = (1 - a) * h + a * tanh(x·W), a an option.
    const leaky: CellPlugin<{ rate: number }> = {
      name: 'leakyTest',
      defaultOptions: { rate: 0.5 },
      params: ({ inputSize, units: n }) => [
        { name: 'kernel', shape: [inputSize, n], initializer: 'glorotUniform' },
      ],
      state: ({ units: n }) => [{ name: 'h', size: n }],
      step(ops, { input, state, params, dims }) {
        const a = dims.options.rate;
        const h = ops.add(ops.mul(state[0]!, 1 - a), ops.mul(ops.tanh(ops.matMul(input, params.kernel!)), a));
        return { output: h, state: [h] };
      },
    };
    registerCell(leaky as AnyCellPlugin);
    try {
      const ref = newBackend();
      const byName = sequential<RefTensor>(
        [rnn({ cell: 'leakyTest', units: 2, rate: 1, inputShape: [null, 1] })],
        {
          backend: ref,
          seed: 1,
        },
      );
      const byObject = sequential<RefTensor>(
        [rnn({ cell: leaky as AnyCellPlugin, units: 2, rate: 1, inputShape: [null, 1] })],
        { backend: ref, seed: 1 },
      );
      byName.setWeights([[1, -1]]);
      byObject.setWeights([[1, -1]]);
      const x = ref.tensor([[[0.5], [2]]]);
      // rate 1: h = tanh(x·W) of the last step.
      expectClose('by name', values(ref, byName.predict(x) as RefTensor), [Math.tanh(2), Math.tanh(-2)]);
      expectClose('by object', values(ref, byObject.predict(x) as RefTensor), [Math.tanh(2), Math.tanh(-2)]);
      expect(byName.layers[0]!.getConfig()).toMatchObject({ cell: 'leakyTest', rate: 1, units: 2 });
      expect(() => rnn({ cell: 'leakyTest', units: 2, unknownOption: 3 })).toThrow(
        'leakyTest options: unknown option "unknownOption"; known options: cell, units, returnSequences, returnState, goBackwards, stateful, dropout, recurrentDropout, zeroOutputForMask, fused, name, trainable, inputShape, batchSize, batchInputShape; options of the cell leakyTest: rate',
      );
      // A misspelt layer option is named as such, not taken for an option of the cell.
      expect(() => rnn({ cell: 'leakyTest', units: 2, retrunSequences: true })).toThrow(
        /unknown option "retrunSequences" \(did you mean "returnSequences"\?\)/,
      );
      expect(() => rnn({ cell: 'leakyTest', units: 2, raet: 0.5 })).toThrow(/\(did you mean "rate"\?\)/);
      expect(() => rnn({ cell: 'leakyTest', units: 2, recurrentDropout: 0.5 })).toThrow(
        'leakyTest recurrentDropout: the cell leakyTest does not support recurrent dropout',
      );
    } finally {
      unregisterCell('leakyTest');
    }
    expect(() => rnn({ cell: 'noSuchCell', units: 2 })).toThrow(
      'rnn cell: unknown cell "noSuchCell"; registered cells: simpleRNN, lstm, gru. A plugin cell is known by name ' +
        'only once registered: call registerCell(cell) first (also before loading a saved model that uses it)',
    );
    expect(() => rnn({ units: 2 } as never)).toThrow(
      'rnn cell: expected a cell plugin object or the name of a registered cell, received undefined',
    );
    expect(() => rnn({ cell: { name: 'half' } as never, units: 2 })).toThrow(
      'rnn cell.params: expected a function',
    );
    expect(() => rnn({ cell: 'LSTM', units: 2, name: 'encoder' })).toThrow(
      'rnn "encoder" cell: unknown cell "LSTM" (did you mean "lstm"?); registered cells: simpleRNN, lstm, gru.',
    );
  });

  it('returns the final states with returnState and starts from initialState', () => {
    const ref = newBackend();
    const layer = lstm({ units: 3, returnSequences: true, returnState: true }).build(ref, [null, null, 2], {
      seed: 1,
    });
    const x = randomTensor(ref, [2, 4, 2], 1);
    const [seq, h, c] = layer.apply(x) as RefTensor[];
    expect(ref.shape(seq!)).toEqual([2, 4, 3]);
    // The last output is the final h.
    expectClose('h', values(ref, h!), values(ref, ref.slice(seq!, [0, 3, 0], [-1, 1, -1])), {
      atol: 0,
      rtol: 0,
    });
    // Running the first two steps, then the last two from the states, equals running all four.
    const first = layer.apply(ref.slice(x, [0, 0, 0], [-1, 2, -1])) as RefTensor[];
    const second = layer.apply(ref.slice(x, [0, 2, 0], [-1, 2, -1]), {
      initialState: [first[1]!, first[2]!],
    }) as RefTensor[];
    expectClose('resumed', values(ref, second[0]!), values(ref, ref.slice(seq!, [0, 2, 0], [-1, 2, -1])), {
      atol: 1e-12,
      rtol: 0,
    });
    expectClose('c', values(ref, second[2]!), values(ref, c!), { atol: 1e-12, rtol: 0 });
    expect(() => layer.apply(x, { initialState: [h!] })).toThrow(
      'lstm (LSTM) initialState: expected 2 tensors (h, c), received 1',
    );
    expect(() => layer.apply(x, { initialState: [h!, ref.fill([2, 4], 0)] })).toThrow(
      'lstm (LSTM) initialState[1] (c): expected shape [batch, 3], received shape [2, 4]',
    );
    expect(() => layer.apply(x, { initialState: [ref.fill([1, 3], 0), ref.fill([1, 3], 0)] })).toThrow(
      'lstm (LSTM) initialState[0] (h): expected shape [2, 3] (batch of the inputs [2, 4, 2]), received shape [1, 3]',
    );
  });

  it('outputs zeros at masked steps with zeroOutputForMask, else repeats the last output', () => {
    const ref = newBackend();
    const make = (zeroOutputForMask: boolean) =>
      sequential<RefTensor>(
        [simpleRNN({ units: 2, returnSequences: true, zeroOutputForMask, inputShape: [null, 1] })],
        {
          backend: ref,
          seed: 4,
        },
      );
    const x = ref.tensor([[[1], [2], [3]]]);
    const carry = ref.toArray(make(false).predict(x, { lengths: [2] }) as RefTensor) as number[][][];
    const zeros = ref.toArray(make(true).predict(x, { lengths: [2] }) as RefTensor) as number[][][];
    expect(carry[0]![2]).toEqual(carry[0]![1]);
    expect(zeros[0]![2]).toEqual([0, 0]);
    expect(zeros[0]![1]).toEqual(carry[0]![1]);
  });

  it('goBackwards returns outputs in reversed order, as Keras', () => {
    const ref = newBackend();
    const forward = simpleRNN({ units: 2, returnSequences: true }).build(ref, [null, null, 1], { seed: 2 });
    const backward = forward.cloneWith({ goBackwards: true }).build(ref, [null, null, 1], { seed: 3 });
    backward.weights.forEach((w, i) => {
      w.assign(ref.reshape(forward.weights[i]!.read<RefTensor>(), w.shape));
    });
    const x = ref.tensor([[[1], [2], [3]]]);
    const reversedInput = ref.tensor([[[3], [2], [1]]]);
    expectClose(
      'reversed',
      values(ref, backward.apply(x) as RefTensor),
      values(ref, forward.apply(reversedInput) as RefTensor),
      {
        atol: 0,
        rtol: 0,
      },
    );
  });

  it('uses the backend fused kernel when it supports the call, and the generic loop otherwise', () => {
    const calls: string[] = [];
    const ref = newBackend();
    const kernel: FusedSequenceKernel<RefTensor> = {
      supports: (args) => (args.mask === undefined ? undefined : 'no masks'),
      run: (args) => {
        calls.push(args.cell.name);
        return scanCell(ref, args);
      },
    };
    const backend = Object.assign(ref, { fusedKernels: new Map([['lstm', kernel]]) });
    const model = sequential<RefTensor>([lstm({ units: 2, inputShape: [null, 2] })], { backend, seed: 1 });
    const x = randomTensor(ref, [2, 3, 2], 1);
    const fused = values(ref, model.predict(x) as RefTensor);
    expect(calls).toEqual(['lstm']);
    model.predict(x, { lengths: [3, 2] });
    expect(calls).toEqual(['lstm']);
    const never = sequential<RefTensor>([lstm({ units: 2, inputShape: [null, 2], fused: 'never' })], {
      backend,
      seed: 1,
    });
    expectClose('generic', values(ref, never.predict(x) as RefTensor), fused, { atol: 0, rtol: 0 });
    expect(calls).toEqual(['lstm']);
    const required = sequential<RefTensor>([lstm({ units: 2, inputShape: [null, 2], fused: 'require' })], {
      backend,
      seed: 1,
    });
    expect(() => required.predict(x, { lengths: [3, 2] })).toThrow(
      'fused kernel required but unavailable: no masks',
    );
  });

  it('names the layer, the argument, the shape received and the one expected in errors', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>([lstm({ units: 2, inputShape: [null, 3], name: 'encoder' })], {
      backend: ref,
      seed: 1,
    });
    const layer = model.layers[0]!;
    expect(() => layer.apply(ref.fill([4, 3], 1))).toThrow(
      'encoder (LSTM) inputs: expected rank 3 [batch, time, features], received shape [4, 3] (rank 2)',
    );
    expect(() => layer.apply(ref.fill([2, 5, 4], 1))).toThrow(
      'encoder (LSTM) inputs: expected feature size 3 (axis 2, as the layer was built), received shape [2, 5, 4]',
    );
    expect(() => model.predict(ref.fill([2, 5, 4], 1))).toThrow(
      'sequential (Sequential) inputs: expected shape [?, ?, 3], received shape [2, 5, 4]',
    );
    const x = ref.fill([2, 5, 3], 1);
    expect(() => layer.apply(x, { mask: ref.fill([2, 4], 1) })).toThrow(
      'encoder (LSTM) mask: expected shape [2, 5] ([batch, time] of the input [2, 5, 3]), received shape [2, 4]',
    );
    expect(() => model.predict(x, { mask: ref.fill([2, 4], 1) })).toThrow(
      'sequential (Sequential) predict mask: expected shape [2, 5] ([batch, time] of x [2, 5, 3]), received shape [2, 4]',
    );
    expect(() => model.predict(x, { lengths: [5, 3, 1] })).toThrow(
      'sequential (Sequential) predict lengths: expected 2 rows (as x), received 3',
    );
    expect(() => model.predict(x, { lengths: [5, 6] })).toThrow(
      'sequential (Sequential) predict lengths[1]: expected an integer in [0, 5] (the time steps of x [2, 5, 3]), received 6',
    );
    expect(() => lstm({ units: 0 })).toThrow('lstm units: expected a positive integer, received 0');
    expect(() => lstm({ units: 2, dropout: 1 })).toThrow(
      'lstm dropout: expected a rate in [0, 1), received 1',
    );
    expect(() => lstm({ units: 2, recurrentActivation: 'nope' as never })).toThrow(
      'lstm.recurrentActivation: unknown activation "nope"',
    );
    expect(() => sequential([lstm({ units: 2 })], { backend: ref }).predict(ref.fill([2, 3], 1))).toThrow(
      'lstm (LSTM) inputs: expected rank 3 [batch, time, features], received shape [null, 3] (rank 2)',
    );
  });

  it('serializes to a config and back', () => {
    const layer = gru({ units: 3, resetAfter: false, goBackwards: true, dropout: 0.25, name: 'g' });
    const config = layer.getConfig();
    expect(config).toMatchObject({
      name: 'g',
      units: 3,
      resetAfter: false,
      goBackwards: true,
      dropout: 0.25,
      recurrentActivation: 'sigmoid',
      returnSequences: false,
    });
    const again = GRU.fromConfig(JSON.parse(JSON.stringify(config)));
    expect(again.getConfig()).toEqual(config);
    const generic = RNN.fromConfig(rnn({ cell: 'gru', units: 2 }).getConfig());
    expect(generic.cell).toBe(getCell('gru'));
  });
});

describe('stateful RNN', () => {
  it('carries the final state into the next call until resetStates()', () => {
    const ref = newBackend();
    const stateful = sequential<RefTensor>(
      [lstm({ units: 3, stateful: true, returnSequences: true, inputShape: [null, 2] })],
      {
        backend: ref,
        seed: 9,
      },
    );
    const plain = sequential<RefTensor>([lstm({ units: 3, returnSequences: true, inputShape: [null, 2] })], {
      backend: ref,
      seed: 9,
    });
    const x = randomTensor(ref, [2, 6, 2], 1);
    const full = values(ref, plain.predict(x) as RefTensor);
    const first = values(ref, stateful.predict(ref.slice(x, [0, 0, 0], [-1, 3, -1])) as RefTensor);
    const second = values(ref, stateful.predict(ref.slice(x, [0, 3, 0], [-1, 3, -1])) as RefTensor);
    const joined = [
      ...first.subarray(0, 9),
      ...second.subarray(0, 9),
      ...first.subarray(9),
      ...second.subarray(9),
    ];
    expectClose('stateful halves', joined, full, { atol: 1e-12, rtol: 0 });
    const layer = stateful.layers[0] as RNN;
    expect(layer.getStates<RefTensor>()).toHaveLength(2);
    expect(() => stateful.predict(randomTensor(ref, [3, 2, 2], 2))).toThrow(
      'lstm (LSTM): this stateful layer holds states for a batch of 2, received a batch of 3; keep the batch size fixed or call resetStates() first',
    );
    const before = ref.memory().numTensors;
    stateful.resetStates();
    expect(ref.memory().numTensors).toBe(before - 2);
    expect(layer.getStates()).toBeUndefined();
    const again = values(ref, stateful.predict(ref.slice(x, [0, 0, 0], [-1, 3, -1])) as RefTensor);
    expectClose('after reset', again, first, { atol: 0, rtol: 0 });
    // resetStates(states) copies given states.
    const h = ref.fill([2, 3], 0.5);
    layer.resetStates([h, ref.fill([2, 3], 0)]);
    ref.dispose(h);
    expect(ref.toArray(layer.getStates<RefTensor>()![0]!)).toEqual([
      [0.5, 0.5, 0.5],
      [0.5, 0.5, 0.5],
    ]);
    // updateStates: false leaves the carried state alone.
    const held = layer.getStates<RefTensor>()![0];
    stateful.apply(ref.slice(x, [0, 0, 0], [-1, 3, -1]), { updateStates: false });
    expect(layer.getStates<RefTensor>()![0]).toBe(held);
    expect(() => (plain.layers[0] as RNN).resetStates([h])).toThrow(
      'lstm (LSTM) resetStates(states): expected a stateful layer (made with stateful: true), received states for a layer that is not stateful',
    );
  });
});

describe('dropout in recurrent layers', () => {
  /** A linear simple RNN with W = I and U = 0: the output at each step is the (dropped-out) input of that step. */
  function passThrough(options: Record<string, unknown>) {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        simpleRNN({
          units: 3,
          activation: 'linear',
          useBias: false,
          returnSequences: true,
          inputShape: [null, 3],
          ...options,
        }),
      ],
      { backend: ref, seed: 1 },
    );
    model.setWeights([
      [1, 0, 0, 0, 1, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    return { ref, model };
  }

  it('uses one input mask per sequence for every step, only in training, reproducibly from the rng', () => {
    const { ref, model } = passThrough({ dropout: 0.5 });
    const x = ref.fill([4, 5, 3], 1);
    expect(values(ref, model.apply(x) as RefTensor).every((v) => v === 1)).toBe(true);
    const y = ref.toArray(model.apply(x, { training: true, rng: 42 }) as RefTensor) as number[][][];
    const again = ref.toArray(model.apply(x, { training: true, rng: 42 }) as RefTensor);
    expect(again).toEqual(y);
    for (const seq of y) {
      for (const step of seq) expect(step).toEqual(seq[0]); // the same mask at every step
      for (const v of seq[0]!) expect([0, 2]).toContain(v); // inverted dropout: 0 or 1 / (1 - 0.5)
    }
    expect(new Set(y.flat(2)).size).toBe(2);
    const other = ref.toArray(model.apply(x, { training: true, rng: 43 }) as RefTensor);
    expect(other).not.toEqual(y);
  });

  it('uses one recurrent mask per sequence on the state fed back', () => {
    const { ref, model } = passThrough({ recurrentDropout: 0.5 });
    model.setWeights([
      [1, 0, 0, 0, 1, 0, 0, 0, 1],
      [1, 0, 0, 0, 1, 0, 0, 0, 1],
    ]);
    // x_0 = 1, then 0: h_1 = 1, h_2 = h_1 * m · I = m, h_3 = m * m.
    const x = ref.tensor(
      Float32Array.from({ length: 4 * 3 * 3 }, (_, i) => (i % 9 < 3 ? 1 : 0)),
      [4, 3, 3],
    );
    const y = ref.toArray(model.apply(x, { training: true, rng: 5 }) as RefTensor) as number[][][];
    for (const seq of y) {
      expect(seq[0]).toEqual([1, 1, 1]);
      seq[1]!.forEach((m, j) => {
        expect([0, 2]).toContain(m);
        expect(seq[2]![j]).toBe(m * m);
      });
    }
  });
});

describe('no leaks', () => {
  it('frees everything but the outputs, across calls and after a throw', () => {
    const ref = newBackend();
    const model = sequential<RefTensor>(
      [
        lstm({
          units: 3,
          returnSequences: true,
          returnState: true,
          dropout: 0.2,
          recurrentDropout: 0.2,
          inputShape: [null, 2],
        }),
      ],
      { backend: ref, seed: 1, outputs: 'several' },
    );
    const x = randomTensor(ref, [2, 4, 2], 1);
    const before = ref.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const out = model.apply(x, { training: i === 1, lengths: [4, 2] });
      expect(ref.memory().numTensors).toBe(before + 3);
      ref.dispose(out);
    }
    expect(ref.memory().numTensors).toBe(before);
    expect(() => model.apply(x, { lengths: [4, 9] })).toThrow();
    const bad = ref.fill([2, 4, 5], 1);
    const count = ref.memory().numTensors;
    expect(() => model.apply(bad)).toThrow();
    expect(ref.memory().numTensors).toBe(count);
  });

  it('returns the last output and the final state as tensors of their own (conformance kit finding)', () => {
    // The generic loop's last output is the cell's new h itself; `[output, h]` handed out one tensor twice, so
    // freeing the output freed the state.
    const ref = newBackend();
    for (const layer of [simpleRNN({ units: 2, returnState: true }), gru({ units: 2, returnState: true })]) {
      layer.build(ref, [null, null, 2], { seed: 1 });
      const x = randomTensor(ref, [2, 3, 2], 1);
      const before = ref.memory().numTensors;
      const [y, h] = layer.apply(x) as RefTensor[];
      expect(y).not.toBe(h);
      expect(ref.memory().numTensors).toBe(before + 2);
      ref.dispose(y!);
      expect(values(ref, h!)).toHaveLength(4);
      ref.dispose(h!);
      expect(ref.memory().numTensors).toBe(before);
    }
  });
});
