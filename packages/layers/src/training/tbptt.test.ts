/**
 * Truncated BPTT: states carry from chunk to chunk (losses equal the full pass's), gradients stop at chunk
 * boundaries (equal to those of the chunk run alone from the carried states as constants, unlike full BPTT), many
 * to one trains on the last chunk only, masks carry through, and nothing leaks.
 */
import { SeqmodelError } from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, Layer } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { batchNormalization } from '../layers/batch-normalization.js';
import { bidirectional } from '../layers/bidirectional.js';
import { conv1d } from '../layers/conv1d.js';
import { dense } from '../layers/dense.js';
import { gaussianNoise } from '../layers/gaussian-noise.js';
import { lstm } from '../layers/rnn.js';
import { timeDistributed } from '../layers/time-distributed.js';
import { model } from '../models/functional.js';
import type { Model } from '../models/model.js';
import { sequential } from '../models/sequential.js';
import { expectClose } from '../test-helpers.js';
import { meanSquaredError } from './losses/regression.js';
import { cpuBackend, Recorder, seeded } from './test-helpers.js';

type T = tf.Tensor;
const backend = cpuBackend();

const BATCH = 4;
const TIME = 7;
const x = Array.from({ length: BATCH }, (_, i) =>
  Array.from({ length: TIME }, (_, t) => seeded(2, `x${i}:${t}`)),
);
const ySeq = x.map((seq) => seq.map((step) => [step[0]! * step[1]!]));
const yLast = x.map((seq) => [seq.reduce((a, s) => a + s[0]!, 0)]);

function tagger(): { m: Model<T>; rnn: ReturnType<typeof lstm>; head: ReturnType<typeof timeDistributed> } {
  const rnn = lstm({ units: 3, returnSequences: true, inputShape: [null, 2] });
  const head = timeDistributed(dense({ units: 1 }));
  const m = sequential<T>([rnn, head], { backend, seed: 5 });
  return { m, rnn, head };
}

/** Time steps [start, start + size) of nested `[batch, time, ...]` arrays. */
function steps<V>(data: V[][], start: number, size: number): V[][] {
  return data.map((seq) => seq.slice(start, start + size));
}

describe('truncated backpropagation through time', () => {
  it('carries states across chunks: the logged loss equals the full pass’s, one update per chunk', async () => {
    const { m } = tagger();
    const recorder = new Recorder();
    m.compile({ optimizer: recorder, loss: 'mse' });
    const full = m.testOnBatch(x, ySeq).loss!;
    const h = await m.fit(x, ySeq, { batchSize: BATCH, shuffle: false, verbose: 0, tbptt: { steps: 3 } });
    expect(recorder.grads).toHaveLength(3); // chunks of 3, 3 and 1 steps
    expect(h.history.loss![0]).toBeCloseTo(full, 6);
    // Chunks started from zero states would give another loss: the test can tell.
    const fromZero =
      (3 * m.testOnBatch(steps(x, 0, 3), steps(ySeq, 0, 3)).loss! +
        3 * m.testOnBatch(steps(x, 3, 3), steps(ySeq, 3, 3)).loss! +
        1 * m.testOnBatch(steps(x, 6, 1), steps(ySeq, 6, 1)).loss!) /
      7;
    expect(Math.abs(fromZero - full)).toBeGreaterThan(1e-4);
  });

  it('stops gradients at chunk boundaries: the second chunk’s gradient is that of the chunk alone from constant states', async () => {
    const { m, rnn, head } = tagger();
    const recorder = new Recorder();
    m.compile({ optimizer: recorder, loss: 'mse' });
    await m.fit(x, ySeq, { batchSize: BATCH, shuffle: false, verbose: 0, tbptt: { steps: 3 } });
    const truncated = recorder.grads[1]!;

    // The states after the first chunk, by streaming it.
    const stream = m.stream();
    const xt = backend.tensor(x);
    for (let t = 0; t < 3; t++) {
      const stepInput = backend.reshape(backend.slice(xt, [0, t, 0], [-1, 1, -1]), [BATCH, 2]);
      backend.dispose([stepInput, stream.step(stepInput) as T]);
    }
    const [h0, c0] = stream.getStates(rnn)!.map((s) => backend.reshape(s, backend.shape(s)));
    stream.dispose();

    // The same layers, started from those states as inputs (constants for the gradient).
    const chunk = input({ shape: [null, 2] });
    const hIn = input({ shape: [3] });
    const cIn = input({ shape: [3] });
    const out = head.apply(
      rnn.apply(chunk, { initialState: [hIn, cIn] }) as SymbolicTensor,
    ) as SymbolicTensor;
    const fromStates = model<T>({ inputs: [chunk, hIn, cIn], outputs: out, backend });
    const x2 = backend.tensor(steps(x, 3, 3));
    const y2 = backend.tensor(steps(ySeq, 3, 3));
    const vars = m.trainableWeights.map((w) => w.read<T>());
    const alone = backend.valueAndGrads(
      (...w) =>
        meanSquaredError().compute(backend, y2, fromStates.apply([x2, h0!, c0!], { weights: w }) as T),
      vars,
    );
    alone.grads.forEach((g, i) => {
      expectClose(`gradient of ${m.trainableWeights[i]!.name}`, truncated[i]!, backend.dataSync(g), {
        atol: 1e-6,
        rtol: 1e-5,
      });
    });

    // Full BPTT of the same loss reaches back into the first chunk and differs.
    const through = backend.valueAndGrads((...w) => {
      const y = m.apply(xt, { weights: w }) as T;
      return meanSquaredError().compute(backend, y2, backend.slice(y, [0, 3, 0], [-1, 3, -1]));
    }, vars);
    const difference = Math.max(
      ...through.grads.flatMap((g, i) =>
        Array.from(backend.dataSync(g), (v, k) => Math.abs(v - truncated[i]![k]!)),
      ),
    );
    expect(difference).toBeGreaterThan(1e-4);
    backend.dispose([xt, x2, y2, h0!, c0!, alone.value, ...alone.grads, through.value, ...through.grads]);
  });

  it('many to one: earlier chunks run forwards only, the last one trains; the loss is the full pass’s', async () => {
    const m = sequential<T>([lstm({ units: 3, inputShape: [null, 2] }), dense({ units: 1 })], {
      backend,
      seed: 2,
    });
    const recorder = new Recorder();
    m.compile({ optimizer: recorder, loss: 'mse' });
    const full = m.testOnBatch(x, yLast).loss!;
    const h = await m.fit(x, yLast, {
      batchSize: 2,
      shuffle: false,
      epochs: 2,
      verbose: 0,
      tbptt: { steps: 3 },
    });
    expect(recorder.grads).toHaveLength(4); // one update per batch: 2 batches x 2 epochs
    expect(h.history.loss![0]).toBeCloseTo(full, 6);
  });

  it('masks are cut with the inputs and states carry through fully masked chunks', async () => {
    const lengths = [7, 2, 5, 1];
    const m = sequential<T>([lstm({ units: 3, inputShape: [null, 2] }), dense({ units: 1 })], {
      backend,
      seed: 2,
    });
    m.compile({ optimizer: new Recorder(), loss: 'mse' });
    const full = m.testOnBatch(x, yLast, { lengths }).loss!;
    const h = await m.fit(x, yLast, { lengths, batchSize: BATCH, verbose: 0, tbptt: { steps: 2 } });
    expect(h.history.loss![0]).toBeCloseTo(full, 6);
  });

  it('trains: an LSTM tagger’s loss falls with tbptt and Adam; nothing leaks', async () => {
    const { m } = tagger();
    m.compile({ optimizer: 'adam', loss: 'mse' });
    m.trainOnBatch(x, ySeq);
    const start = backend.memory().numTensors;
    const h = await m.fit(x, ySeq, { epochs: 30, batchSize: 2, verbose: 0, tbptt: { steps: 3 } });
    expect(h.history.loss!.at(-1)!).toBeLessThan(h.history.loss![0]!);
    expect(backend.memory().numTensors).toBe(start);
  });

  it('refuses layers that read backwards, and targets without the time axis for sequence outputs', async () => {
    const bi = sequential<T>(
      [bidirectional(lstm({ units: 2, returnSequences: true }), { inputShape: [null, 2] } as never)],
      {
        backend,
        seed: 1,
      },
    );
    bi.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(bi.fit(x, ySeq, { verbose: 0, tbptt: { steps: 3 } })).rejects.toThrow(
      'sequential (Sequential) fit tbptt: bidirectional (Bidirectional) reads the sequence backwards; truncated backpropagation through time needs layers that read forwards',
    );
    const conv = sequential<T>(
      [
        conv1d({ filters: 2, kernelSize: 2, padding: 'causal', inputShape: [null, 2] } as never),
        lstm({ units: 2, returnSequences: true }),
      ],
      { backend, seed: 1 },
    );
    conv.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(conv.fit(x, ySeq, { verbose: 0, tbptt: { steps: 3 } })).rejects.toThrow(
      'sequential (Sequential) fit tbptt: conv1d (Conv1D) combines several time steps into each output (a convolution or pooling over time); truncated backpropagation through time cuts the sequence into chunks it would read across',
    );
    const { m } = tagger();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const start = backend.memory().numTensors;
    await expect(m.fit(x, steps(ySeq, 0, 5), { verbose: 0, tbptt: { steps: 3 } })).rejects.toThrow(
      "sequential (Sequential) fit tbptt: the target of a sequence output must have the inputs' time axis (7 steps at axis 1) to be cut into chunks, received shape [4, 5, 1]",
    );
    expect(backend.memory().numTensors).toBe(start);
    await expect(m.fit(x, ySeq, { verbose: 0, tbptt: { steps: 0 } })).rejects.toThrow(SeqmodelError);
  });

  it("draws new dropout masks and noise in each chunk, not the first chunk's again", async () => {
    /** Records, in training, the values reaching it (copies on the host). */
    class Spy extends Layer {
      readonly className = 'Spy';
      readonly seen: number[][] = [];
      computeOutputShape(shapes: readonly ShapeSpec[]): ShapeSpec[] {
        return [shapes[0]!];
      }
      call<V>(ctx: CallContext<V>, inputs: readonly V[], _args: CallArgs<V>): V[] {
        if (ctx.training) this.seen.push(Array.from(ctx.backend.dataSync(inputs[0]!)));
        return [ctx.backend.reshape(inputs[0]!, ctx.backend.shape(inputs[0]!))];
      }
    }
    const spy = new Spy();
    const m = sequential<T>(
      [gaussianNoise({ stddev: 1, inputShape: [null, 2] }), spy, timeDistributed(dense({ units: 1 }))],
      { backend, seed: 3 },
    );
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const zeros = x.map((seq) => seq.slice(0, 4).map(() => [0, 0]));
    await m.fit(zeros, steps(ySeq, 0, 4), { verbose: 0, batchSize: BATCH, tbptt: { steps: 2 } });
    expect(spy.seen).toHaveLength(2);
    expect(spy.seen[1]).not.toEqual(spy.seen[0]);
  });

  it('accepts BatchNormalization where it does not read across steps: per step, or after the last step', async () => {
    const perStep = sequential<T>(
      [
        lstm({ units: 3, returnSequences: true, inputShape: [null, 2] }),
        timeDistributed(batchNormalization()),
      ],
      { backend, seed: 1 },
    );
    perStep.compile({ optimizer: 'sgd', loss: 'mse' });
    await perStep.fit(
      x,
      x.map((seq) => seq.map(() => [0, 0, 0])),
      { verbose: 0, tbptt: { steps: 3 } },
    );
    const last = sequential<T>([lstm({ units: 3, inputShape: [null, 2] }), batchNormalization()], {
      backend,
      seed: 1,
    });
    last.compile({ optimizer: 'sgd', loss: 'mse' });
    await last.fit(
      x,
      x.map(() => [0, 0, 0]),
      { verbose: 0, tbptt: { steps: 3 } },
    );
    const overSteps = sequential<T>(
      [lstm({ units: 3, returnSequences: true, inputShape: [null, 2] }), batchNormalization()],
      {
        backend,
        seed: 1,
      },
    );
    overSteps.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(
      overSteps.fit(
        x,
        x.map((seq) => seq.map(() => [0, 0, 0])),
        { verbose: 0, tbptt: { steps: 3 } },
      ),
    ).rejects.toThrow(
      'batch_normalization (BatchNormalization) normalizes each step with statistics over every step',
    );
  });
});
