import type { Backend } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { input } from '../engine/symbolic.js';
import { bidirectional } from '../layers/bidirectional.js';
import { dense } from '../layers/dense.js';
import { gru, lstm, simpleRNN } from '../layers/rnn.js';
import { stacked } from '../layers/stacked.js';
import { timeDistributed } from '../layers/time-distributed.js';
import { cpuBackend, seeded } from '../training/test-helpers.js';
import { model as functionalModel } from './functional.js';
import { sequential } from './sequential.js';

type B = ReturnType<typeof cpuBackend>;
type T = ReturnType<B['tensor']>;

const read = (b: Backend<T>, t: T): number[] => Array.from(b.dataSync(t));

/** Entry [n, t, j] of a flat [batch, time, size] array. */
const at = (flat: readonly number[], time: number, size: number, n: number, t: number, j: number) =>
  flat[(n * time + t) * size + j]!;

describe('model.inspect', () => {
  it("records every step's states and gates; the last h is the layer's output, and nothing leaks", () => {
    const b = cpuBackend();
    const m = sequential([lstm({ units: 3, returnSequences: true, inputShape: [null, 2] })], {
      backend: b,
      seed: 1,
    });
    const x = b.tensor(seeded(2 * 5 * 2, 'x'), [2, 5, 2]);
    const expected = read(b, m.predict(x) as T);
    const before = b.memory().numTensors;
    const look = m.inspect(x);
    expect(look.recurrent.map((r) => [r.path, r.cell, r.goBackwards])).toEqual([['lstm', 'lstm', false]]);
    const [layer] = look.recurrent;
    expect(Object.keys(layer!.states)).toEqual(['h', 'c']);
    expect(Object.keys(layer!.gates).sort()).toEqual(['candidate', 'forget', 'input', 'output']);
    for (const t of [...Object.values(layer!.states), ...Object.values(layer!.gates)]) {
      expect(b.shape(t)).toEqual([2, 5, 3]);
    }
    // The fused kernel ran in predict, the generic loop here: same values within float32 rounding.
    read(b, layer!.states.h!).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    read(b, look.outputs[0]!).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    expect(look.objective).toBeUndefined();
    expect(layer!.stateGradients).toBeUndefined();
    look.dispose();
    expect(b.memory().numTensors).toBe(before);
    // Host values, as predict takes them: the same states, and the tensors made from them freed.
    const host = m.inspect(b.toArray(x) as number[][][], { lengths: [5, 3] });
    const masked = m.inspect(x, { lengths: [5, 3] });
    expect(read(b, host.recurrent[0]!.states.h!)).toEqual(read(b, masked.recurrent[0]!.states.h!));
    host.dispose();
    masked.dispose();
    expect(b.memory().numTensors).toBe(before);
  });

  it('gives ∂L/∂h_t equal to finite differences of the loss with h_t perturbed through the stream API', () => {
    const b = cpuBackend();
    const [batch, time, units] = [2, 4, 3];
    const m = sequential([lstm({ units, inputShape: [null, 2] }), dense({ units: 1 })], {
      backend: b,
      seed: 3,
    });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const xValues = seeded(batch * time * 2, 'x', -2, 2);
    const x = b.tensor(xValues, [batch, time, 2]);
    const y = b.tensor([0.7, -0.4], [batch, 1]);
    const before = b.memory().numTensors;
    const look = m.inspect(x, { targets: y });
    const grads = read(b, look.recurrent[0]!.stateGradients!);
    expect(b.shape(look.recurrent[0]!.stateGradients!)).toEqual([batch, time, units]);
    expect(look.objective).toBeCloseTo(m.testOnBatch(x, y).loss!, 6);

    // An independent route: run the steps one by one, add ε to h_t between steps, finish, compute the MSE here. The
    // model reads only the last step's output, dense(h_T), which the stream has computed before h_T can be changed:
    // for t = T − 1 the dense layer is applied here to the perturbed state.
    const [kernel, bias] = m.layers[1]!.weights.map((w) => read(b, w.read<T>()));
    const lossWith = (t0: number, n0: number, j0: number, eps: number): number => {
      const stream = m.stream();
      let out: number[] = [];
      for (let t = 0; t < time; t++) {
        const xt = b.tensor(
          Array.from({ length: batch * 2 }, (_, k) => xValues[(Math.floor(k / 2) * time + t) * 2 + (k % 2)]!),
          [batch, 2],
        );
        const yt = stream.step(xt) as T;
        out = read(b, yt);
        b.dispose([xt, yt]);
        if (t === t0) {
          const [h, c] = stream.getStates('lstm')!;
          const bumped = read(b, h!);
          bumped[n0 * units + j0]! += eps;
          if (t === time - 1) {
            out = [0, 1].map(
              (n) => bias![0]! + [0, 1, 2].reduce((s, j) => s + bumped[n * units + j]! * kernel![j]!, 0),
            );
          }
          const hb = b.tensor(bumped, [batch, units]);
          stream.setStates('lstm', [hb, c!]);
          b.dispose(hb);
        }
      }
      stream.reset();
      return ((out[0]! - 0.7) ** 2 + (out[1]! + 0.4) ** 2) / batch;
    };
    const eps = 1e-2;
    for (let t = 0; t < time; t++) {
      for (let n = 0; n < batch; n++) {
        for (let j = 0; j < units; j++) {
          const numeric = (lossWith(t, n, j, eps) - lossWith(t, n, j, -eps)) / (2 * eps);
          expect(Math.abs(at(grads, time, units, n, t, j) - numeric)).toBeLessThan(2e-3);
        }
      }
    }
    // The gradient reaches back through time: not zero at the first step.
    expect(Math.max(...[0, 1, 2].map((j) => Math.abs(at(grads, time, units, 0, 0, j))))).toBeGreaterThan(
      1e-3,
    );
    look.dispose();
    b.dispose([x, y]);
    expect(b.memory().numTensors).toBe(before - 2);
  });

  it("gives ∂objective/∂x_t (Distill's connectivity) equal to the gradient with respect to the model's input; later steps get 0", () => {
    const b = cpuBackend();
    const m = sequential(
      [gru({ units: 4, returnSequences: true, inputShape: [null, 3] }), timeDistributed(dense({ units: 2 }))],
      { backend: b, seed: 4 },
    );
    const x = b.tensor(seeded(2 * 6 * 3, 'x'), [2, 6, 3]);
    // The first sequence's second output at step 2.
    const objective = (outputs: readonly T[]) => b.sum(b.slice(outputs[0]!, [0, 2, 1], [1, 1, 1]));
    const look = m.inspect(x, { objective });
    const direct = b.valueAndGrads((xx) => objective([m.apply(xx) as T]), [x]);
    const viaProbe = read(b, look.recurrent[0]!.inputGradients!);
    const expected = read(b, direct.grads[0]!);
    viaProbe.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 6);
    });
    for (let t = 3; t < 6; t++) for (let f = 0; f < 3; f++) expect(at(viaProbe, 6, 3, 0, t, f)).toBe(0);
    // The second sequence does not enter the objective at all.
    for (let t = 0; t < 6; t++) for (let f = 0; f < 3; f++) expect(at(viaProbe, 6, 3, 1, t, f)).toBe(0);
    expect(Math.abs(at(viaProbe, 6, 3, 0, 0, 0))).toBeGreaterThan(0);
    expect(look.objective).toBeCloseTo(read(b, direct.value)[0]!, 6);
    look.dispose();
  });

  it('lists the layers inside Bidirectional and stacked layers, with steps in input order for the backward one', () => {
    const b = cpuBackend();
    const m = sequential(
      [
        bidirectional(simpleRNN({ units: 2, returnSequences: true }), { inputShape: [null, 1] }),
        stacked([gru({ units: 2 }), lstm({ units: 2 })], { returnSequences: true }),
      ],
      { backend: b, seed: 5 },
    );
    const x = b.tensor(seeded(1 * 4, 'x'), [1, 4, 1]);
    const look = m.inspect(x, { objective: (o) => b.sum(o[0]!) });
    expect(look.recurrent.map((r) => [r.path, r.goBackwards])).toEqual([
      ['bidirectional/forward_simple_rnn', false],
      ['bidirectional/backward_simple_rnn', true],
      ['stacked/gru', false],
      ['stacked/lstm', false],
    ]);
    // The backward layer alone: its outputs come in processing order (Keras), its trace in input order.
    const backward = sequential(
      [simpleRNN({ units: 2, returnSequences: true, goBackwards: true, inputShape: [null, 1] })],
      {
        backend: b,
        seed: 5,
      },
    );
    backward.setWeights(m.layers[0]!.weights.slice(3).map((w) => w.read<T>()));
    const processing = read(b, backward.predict(x) as T);
    const traced = read(b, look.recurrent[1]!.states.h!);
    for (let t = 0; t < 4; t++) {
      for (let j = 0; j < 2; j++)
        expect(at(traced, 4, 2, 0, t, j)).toBeCloseTo(at(processing, 4, 2, 0, 3 - t, j), 6);
    }
    expect(b.shape(look.recurrent[1]!.stateGradients!)).toEqual([1, 4, 2]);
    look.dispose();
  });

  it('refuses what it cannot do, by name, and leaks nothing when it refuses', () => {
    const b = cpuBackend();
    const m = sequential([lstm({ units: 2, inputShape: [null, 1] }), dense({ units: 1 })], {
      backend: b,
      seed: 6,
    });
    const x = b.tensor([1, 2, 3], [1, 3, 1]);
    const y = b.tensor([1], [1, 1]);
    const plain = sequential([dense({ units: 1, inputShape: [3] })], { backend: b, seed: 1 });
    const flat = b.tensor([1, 2, 3], [1, 3]);
    const shared = lstm({ units: 1, returnSequences: true });
    const inp = input({ shape: [null, 1] });
    const twice = functionalModel({
      inputs: inp,
      outputs: shared.apply(shared.apply(inp)),
      backend: b,
      seed: 1,
    });
    twice.predict(x);
    const refusals: [() => unknown, string][] = [
      [
        () => m.inspect(x, { targets: y }),
        'sequential (Sequential) inspect: the model is not compiled; call model.compile({ optimizer, loss }) first',
      ],
      [
        () => {
          // Compiling keeps what it makes (the optimizer's state): counted from here on.
          m.compile({ optimizer: 'sgd', loss: 'mse' });
          return m.inspect(x, { targets: y, objective: (o) => b.sum(o[0]!) });
        },
        'give targets (for the compiled loss) or objective, not both',
      ],
      [() => m.inspect(x, { sampleWeight: y }), 'sampleWeight needs targets'],
      [
        () => plain.inspect(flat, { objective: (o) => b.sum(o[0]!) }),
        'the model has no recurrent layer to take gradients through time of',
      ],
      [() => twice.inspect(x), 'the recurrent layer lstm runs more than once in one pass'],
      [
        () => m.inspect(x, { objective: (o) => o[0]! }),
        "sequential (Sequential) inspect objective's result: expected a scalar tensor (shape []), received shape [1, 1]",
      ],
      [
        () => m.inspect(x, { target: y } as never),
        'sequential (Sequential) inspect options: unknown option "target" (did you mean "targets"?)',
      ],
    ];
    for (const [call, message] of refusals) {
      const before = b.memory().numTensors;
      expect(call).toThrow(message);
      expect(b.memory().numTensors, message).toBe(before);
    }
  });
});
