/**
 * BatchNormalization against batch normalization written out in float64 here (training and inference, masked and
 * not, the moving statistics after each training pass; the reference backend computes in float64 too, so within
 * 1e-12), against tfjs-layers 4.22's batchNormalization on the same weights (float32, atol 1e-5), in `fit`, and its
 * errors. Gradients against finite differences, masks, leaks and the config round trip: the layer conformance kit
 * (`conformance.test.ts`).
 */

import { createCpuBackend } from '@seqmodel/backend-cpu';
import type { RefTensor } from '@seqmodel/core';
import { checkNoLeak } from '@seqmodel/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../engine/context.js';
import { type CallArgs, Layer } from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';
import { input, type SymbolicTensor } from '../engine/symbolic.js';
import { model } from '../models/functional.js';
import { sequential } from '../models/sequential.js';
import { loadModel, saveModel } from '../saving/native/save-load.js';
import {
  copyWeightsToTfjs,
  expectClose,
  newBackend,
  randomValues,
  tf,
  tfjsChain,
  tfl,
  useTfjsCpu,
  values,
} from '../test-helpers.js';
import { customLoss } from '../training/losses/index.js';
import { cpuBackend, seeded } from '../training/test-helpers.js';
import { type BatchNormalizationArgs, batchNormalization } from './batch-normalization.js';
import { dense } from './dense.js';
import { timeDistributed } from './time-distributed.js';

beforeAll(useTfjsCpu);

const [batch, steps, features] = [3, 5, 4];
const TIGHT = { atol: 1e-12, rtol: 1e-12 };
/** Weights read back (`getWeightData`) are float32: one rounding of the float64 value. */
const FLOAT32 = { atol: 0, rtol: 2 ** -24 };

interface Params {
  gamma?: number[];
  beta?: number[];
  movingMean: number[];
  movingVariance: number[];
}

/** Batch normalization of `[rows, features]` (rows: batch × steps), in float64, as Keras 3 computes it. */
function expected(
  x: ArrayLike<number>,
  rowWeights: number[] | undefined,
  p: Params,
  o: { training: boolean; momentum: number; epsilon: number },
): { y: number[]; movingMean: number[]; movingVariance: number[] } {
  const rows = x.length / features;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let f = 0; f < features; f++) {
    if (!o.training) {
      mean.push(p.movingMean[f]!);
      variance.push(p.movingVariance[f]!);
      continue;
    }
    let count = 0;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const w = rowWeights?.[r] ?? 1;
      count += w;
      sum += w * x[r * features + f]!;
    }
    // Keras 3 divides by the count plus its epsilon (1e-7) only when a mask is given.
    const divisor = rowWeights === undefined ? count : count + 1e-7;
    const mu = sum / divisor;
    let squares = 0;
    for (let r = 0; r < rows; r++) {
      const w = rowWeights?.[r] ?? 1;
      squares += w * (x[r * features + f]! - mu) ** 2;
    }
    mean.push(mu);
    variance.push(squares / divisor);
  }
  const y: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < features; f++) {
      const inv = (p.gamma?.[f] ?? 1) / Math.sqrt(variance[f]! + o.epsilon);
      y.push(x[r * features + f]! * inv + ((p.beta?.[f] ?? 0) - mean[f]! * inv));
    }
  }
  const moved = (old: number[], batchValue: number[]) =>
    old.map((v, f) => (o.training ? v * o.momentum + batchValue[f]! * (1 - o.momentum) : v));
  return { y, movingMean: moved(p.movingMean, mean), movingVariance: moved(p.movingVariance, variance) };
}

/** A sequence model of one BatchNormalization on the float64 reference, with drawn weights. */
function referenceModel(args: BatchNormalizationArgs = {}) {
  const ref = newBackend();
  const model = sequential<RefTensor>([batchNormalization(args)], {
    backend: ref,
    inputShape: [null, features],
  });
  // Float32 values, as the weights hold them: the float64 computation starts from the same ones.
  const draw = (seed: string, lo = -1, hi = 1) => seeded(features, seed, lo, hi).map(Math.fround);
  const params: Params = {
    ...(args.scale === false ? {} : { gamma: draw('gamma', 0.5, 1.5) }),
    ...(args.center === false ? {} : { beta: draw('beta') }),
    movingMean: draw('moving mean'),
    movingVariance: draw('moving variance', 0.5, 2),
  };
  model.setWeights(
    [params.gamma, params.beta, params.movingMean, params.movingVariance].filter((w) => w !== undefined),
  );
  return { ref, model, params };
}

describe('BatchNormalization', () => {
  const x = randomValues(batch * steps * features, 'bn input').map((v) => 3 * v + 1);
  const lengths = [5, 2, 4];
  const rowWeights = Array.from({ length: batch * steps }, (_, r) =>
    r % steps < lengths[Math.floor(r / steps)]! ? 1 : 0,
  );

  for (const masked of [false, true]) {
    it(`normalizes with the batch statistics in training${masked ? ' (masked steps left out)' : ''} and moves the moving ones; inference uses them (float64, 1e-12)`, () => {
      const { ref, model, params } = referenceModel({ momentum: 0.9, epsilon: 1e-3 });
      const options = { momentum: 0.9, epsilon: 1e-3 };
      const input = ref.tensor(x, [batch, steps, features]);
      const pass = (training: boolean) =>
        values(ref, model.apply(input, { training, ...(masked ? { lengths } : {}) }) as RefTensor);
      const first = expected(x, masked ? rowWeights : undefined, params, { ...options, training: true });
      const y = pass(true);
      // Masked steps are normalized too (only the statistics leave them out), as Keras.
      expectClose('training output', y, first.y, TIGHT);
      const [, , movingMean, movingVariance] = model.getWeightData();
      expectClose('moving mean after one pass', movingMean!.values, first.movingMean, FLOAT32);
      expectClose('moving variance after one pass', movingVariance!.values, first.movingVariance, FLOAT32);
      const moved = { ...params, movingMean: first.movingMean, movingVariance: first.movingVariance };
      expectClose(
        'inference output',
        pass(false),
        expected(x, undefined, moved, { ...options, training: false }).y,
        TIGHT,
      );
      // An inference pass leaves the moving statistics alone; a second training pass moves them again.
      expect(model.getWeightData()[2]!.values).toEqual(movingMean!.values);
      pass(true);
      const second = expected(x, masked ? rowWeights : undefined, moved, { ...options, training: true });
      expectClose(
        'moving mean after two passes',
        model.getWeightData()[2]!.values,
        second.movingMean,
        FLOAT32,
      );
    });
  }

  it('shared and applied twice in one training pass, moves its statistics twice in call order (as Keras)', () => {
    const { ref, params } = referenceModel({ momentum: 0.9 });
    const layer = batchNormalization({ momentum: 0.9 });
    const x0 = input({ shape: [null, features] });
    const twice = layer.apply(layer.apply(x0) as SymbolicTensor) as SymbolicTensor;
    const m = model<RefTensor>({ inputs: x0, outputs: twice, backend: ref });
    m.setWeights([params.gamma!, params.beta!, params.movingMean, params.movingVariance]);
    const options = { training: true, momentum: 0.9, epsilon: 1e-3 };
    const first = expected(x, undefined, params, options);
    const moved = { ...params, movingMean: first.movingMean, movingVariance: first.movingVariance };
    const second = expected(first.y, undefined, moved, options);
    const x1 = ref.tensor(x, [batch, steps, features]);
    const before = ref.memory().numTensors;
    const out = m.apply(x1, { training: true }) as RefTensor;
    expectClose('output of the second call', values(ref, out), second.y, TIGHT);
    ref.dispose(out);
    // The first call's recorded statistics, replaced by the second's, are freed.
    expect(ref.memory().numTensors).toBe(before);
    const [, , movingMean, movingVariance] = m.getWeightData();
    expectClose('moving mean after both calls', movingMean!.values, second.movingMean, FLOAT32);
    expectClose('moving variance after both calls', movingVariance!.values, second.movingVariance, FLOAT32);
  });

  it('inside TimeDistributed, normalizes each step with its own statistics and mask in training, as Keras', () => {
    const { ref, params } = referenceModel({ momentum: 0.9 });
    const m = sequential<RefTensor>([timeDistributed(batchNormalization({ momentum: 0.9 }))], {
      backend: ref,
      inputShape: [null, features],
    });
    m.setWeights([params.gamma!, params.beta!, params.movingMean, params.movingVariance]);
    const options = { training: true, momentum: 0.9, epsilon: 1e-3 };
    // Step t: the batch's rows at t, those past their length masked; the statistics move once per step.
    let moving = params;
    const expectedY = new Float64Array(x.length);
    for (let t = 0; t < steps; t++) {
      const rows = Array.from({ length: batch }, (_, i) =>
        Array.from(x.subarray((i * steps + t) * features, (i * steps + t + 1) * features)),
      );
      const step = expected(
        rows.flat(),
        rows.map((_, i) => (t < lengths[i]! ? 1 : 0)),
        moving,
        options,
      );
      step.y.forEach((v, k) => {
        const [i, f] = [Math.floor(k / features), k % features];
        expectedY[(i * steps + t) * features + f] = v;
      });
      moving = { ...moving, movingMean: step.movingMean, movingVariance: step.movingVariance };
    }
    const y = m.apply(ref.tensor(x, [batch, steps, features]), { training: true, lengths }) as RefTensor;
    expectClose('output', values(ref, y), expectedY, TIGHT);
    const [, , movingMean, movingVariance] = m.getWeightData();
    expectClose('moving mean after the steps', movingMean!.values, moving.movingMean, FLOAT32);
    expectClose('moving variance after the steps', movingVariance!.values, moving.movingVariance, FLOAT32);
  });

  it('frozen through a wrapper, runs frozen: the moving statistics in training, and tbptt accepts it', async () => {
    const { ref, params } = referenceModel();
    const wrapped = timeDistributed(batchNormalization());
    const m = sequential<RefTensor>([wrapped], { backend: ref, inputShape: [null, features] });
    m.setWeights([params.gamma!, params.beta!, params.movingMean, params.movingVariance]);
    wrapped.trainable = false;
    const y = m.apply(ref.tensor(x, [batch, steps, features]), { training: true }) as RefTensor;
    expectClose(
      'output',
      values(ref, y),
      expected(x, undefined, params, { training: false, momentum: 0.99, epsilon: 1e-3 }).y,
      TIGHT,
    );
    expect(m.getWeightData()[2]!.values).toEqual(Float32Array.from(params.movingMean));
    // Truncated BPTT refuses a trainable BatchNormalization over the steps (its statistics span the whole
    // sequence), not a frozen one.
    const backend = cpuBackend();
    const make = (frozen: boolean) => {
      const model = sequential([dense({ units: 2 }), batchNormalization()], {
        backend,
        inputShape: [null, 3],
      });
      model.layers[1]!.trainable = !frozen;
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      return model;
    };
    const xs = { data: Float32Array.from(seeded(2 * 4 * 3, 'tbptt x')), shape: [2, 4, 3] };
    const ys = { data: Float32Array.from(seeded(2 * 4 * 2, 'tbptt y')), shape: [2, 4, 2] };
    await expect(make(false).fit(xs, ys, { verbose: 0, tbptt: { steps: 2 } })).rejects.toThrow(
      'sequential (Sequential) fit tbptt: batch_normalization (BatchNormalization) normalizes each step with statistics over every step of the batch in training (freeze it to use its moving statistics)',
    );
    const frozen = make(true);
    await frozen.fit(xs, ys, { verbose: 0, tbptt: { steps: 2 } });
    expect(frozen.getWeightData()[4]!.values).toEqual(Float32Array.from([0, 0]));
  });

  it('without gamma and beta, on [batch, features]', () => {
    const { ref, model, params } = referenceModel({ center: false, scale: false, epsilon: 1e-5 });
    const flat = x.subarray(0, 6 * features);
    // The sequence model's layer shows the weights without gamma and beta; a rank-2 model of its own runs the rows.
    const layer = model.layers[0]!;
    const rank2 = sequential<RefTensor>(
      [batchNormalization({ center: false, scale: false, epsilon: 1e-5 })],
      {
        backend: ref,
        inputShape: [features],
      },
    );
    rank2.setWeights([params.movingMean, params.movingVariance]);
    expect(layer.weights.map((w) => w.shortName)).toEqual(['moving_mean', 'moving_variance']);
    const out = values(ref, rank2.apply(ref.tensor(flat, [6, features]), { training: true }) as RefTensor);
    expectClose(
      'output',
      out,
      expected(flat, undefined, params, { training: true, momentum: 0.99, epsilon: 1e-5 }).y,
      TIGHT,
    );
  });

  it('frozen (trainable false), a training pass normalizes with the moving statistics and leaves them, as Keras', () => {
    const { ref, model, params } = referenceModel({ trainable: false });
    const out = values(
      ref,
      model.apply(ref.tensor(x, [batch, steps, features]), { training: true }) as RefTensor,
    );
    expectClose(
      'output',
      out,
      expected(x, undefined, params, { training: false, momentum: 0.99, epsilon: 1e-3 }).y,
      TIGHT,
    );
    expect(model.getWeightData()[2]!.values).toEqual(Float32Array.from(params.movingMean));
    expect(model.trainableWeights).toHaveLength(0);
  });

  it('matches tfjs-layers 4.22 in training (output and moving statistics) and at inference (float32, atol 1e-5)', () => {
    const { ref, model } = referenceModel({ momentum: 0.8 });
    const theirs = tfjsChain([steps, features], [tfl.layers.batchNormalization({ momentum: 0.8 })]);
    copyWeightsToTfjs(model, theirs);
    const input = ref.tensor(x, [batch, steps, features]);
    const tfInput = tf.tensor(x, [batch, steps, features]);
    const tfLayer = theirs.layers[1]!;
    const tfTraining = tfLayer.apply(tfInput, { training: true }) as tf.Tensor;
    expectClose(
      'training output',
      tfTraining.dataSync(),
      values(ref, model.apply(input, { training: true }) as RefTensor),
    );
    model.getWeightData().forEach((w, i) => {
      expectClose(`weight ${w.name} after the pass`, theirs.getWeights()[i]!.dataSync(), w.values);
    });
    const tfInference = theirs.predict(tfInput) as tf.Tensor;
    expectClose('inference output', tfInference.dataSync(), values(ref, model.apply(input) as RefTensor));
    tf.dispose([tfInput, tfTraining, tfInference]);
    theirs.dispose();
  });

  it('trains in fit: gamma and beta by gradient, the moving statistics by the passes; no tensor left behind', async () => {
    const backend = cpuBackend();
    const model = sequential([dense({ units: features }), batchNormalization()], {
      backend,
      seed: 3,
      inputShape: [null, 2],
    });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    expect(model.trainableWeights.map((w) => w.name)).toEqual([
      'dense/kernel',
      'dense/bias',
      'batch_normalization/gamma',
      'batch_normalization/beta',
    ]);
    expect(model.nonTrainableWeights.map((w) => w.name)).toEqual([
      'batch_normalization/moving_mean',
      'batch_normalization/moving_variance',
    ]);
    const xs = { data: Float32Array.from(seeded(8 * 3 * 2, 'fit x')), shape: [8, 3, 2] };
    const ys = { data: Float32Array.from(seeded(8 * 3 * features, 'fit y')), shape: [8, 3, features] };
    const before = model.getWeightData().map((w) => Array.from(w.values));
    const x0 = backend.tensor(xs.data, xs.shape);
    const y0 = backend.tensor(ys.data, ys.shape);
    await model.fit(x0, y0, { epochs: 1, batchSize: 4, verbose: 0 });
    // Once Adam has made its moments, another epoch leaves as many tensors as it found.
    const tensors = backend.memory().numTensors;
    await model.fit(x0, y0, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(backend.memory().numTensors).toBe(tensors);
    const after = model.getWeightData().map((w) => Array.from(w.values));
    after.forEach((w, i) => {
      expect(w, model.getWeightData()[i]!.name).not.toEqual(before[i]);
    });
    // Four training passes from zeros at momentum 0.99: the moving mean is still near zero.
    for (const v of after[4]!) expect(Math.abs(v)).toBeLessThan(0.1);
    // saveModel keeps the moving statistics: the reloaded model predicts the same.
    const loaded = await loadModel(await saveModel(model), { backend });
    expect(loaded.getWeightData().map((w) => Array.from(w.values))).toEqual(after);
    // A loaded model's output count is known only at run time: one tensor here.
    const [ours, theirs] = [model.predict(x0), loaded.predict(x0) as typeof x0];
    expect(backend.dataSync(theirs)).toEqual(backend.dataSync(ours));
    backend.dispose([ours, theirs]);
    loaded.dispose();
    backend.dispose([x0, y0]);
    model.dispose();
  });

  it('a training step that fails after its pass (non-finite gradients, a loss that throws) leaves the moving statistics as they were', async () => {
    const backend = createCpuBackend({ checkNumerics: true });
    const m = sequential([dense({ units: 2 }), batchNormalization()], { backend, seed: 5, inputShape: [3] });
    const x = [
      [1, 2, 3],
      [-1, 0.5, 2],
      [0, -2, 1],
    ];
    // sqrt(|e|) has an infinite slope at e = 0: labels equal to the predictions make the gradients non-finite.
    m.compile({
      optimizer: 'sgd',
      loss: customLoss('rootError', (b, yt, yp) => b.sqrt(b.abs(b.sub(yp, yt)))),
    });
    const before = m.getWeightData();
    // Training-mode outputs (batch statistics) as labels: the training pass reproduces them exactly.
    const out = m.apply(backend.tensor(x), { training: true });
    const labels = backend.dataSync(out);
    backend.dispose(out);
    m.setWeights(before.map((w) => w.values));
    const tensors = backend.memory().numTensors;
    await expect(m.fit(x, { data: labels, shape: [3, 2] }, { verbose: 0 })).rejects.toThrow(
      'expected finite values, received NaN',
    );
    expect(m.getWeightData()).toEqual(before);
    expect(backend.memory().numTensors).toBe(tensors);
    m.compile({
      optimizer: 'sgd',
      loss: customLoss('broken', () => {
        throw new Error('the loss failed');
      }),
    });
    await expect(
      m.fit(
        x,
        [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        { verbose: 0 },
      ),
    ).rejects.toThrow('the loss failed');
    expect(m.getWeightData()).toEqual(before);
    expect(backend.memory().numTensors).toBe(tensors);
    // A step that succeeds moves them.
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await m.fit(
      x,
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      { verbose: 0 },
    );
    expect(m.getWeightData()[4]!.values).not.toEqual(before[4]!.values);
    m.dispose();
  });

  it('a pass that fails after the layer leaves the moving statistics as they were', () => {
    class Failing extends Layer {
      readonly className = 'Failing';
      computeOutputShape(shapes: readonly ShapeSpec[]): ShapeSpec[] {
        return [shapes[0]!];
      }
      call<T>(_ctx: CallContext<T>, _inputs: readonly T[], _args: CallArgs<T>): T[] {
        throw new Error('the next layer failed');
      }
    }
    const ref = newBackend();
    const model = sequential<RefTensor>([batchNormalization(), new Failing()], {
      backend: ref,
      inputShape: [null, features],
    });
    const input = ref.tensor(x, [batch, steps, features]);
    const before = model.getWeightData().map((w) => w.values);
    checkNoLeak(ref, 'failed pass', () => {
      expect(() => model.apply(input, { training: true })).toThrow('the next layer failed');
    });
    expect(model.getWeightData().map((w) => w.values)).toEqual(before);
  });

  it('names the argument, what it received and what it expects', () => {
    const ref = newBackend();
    expect(() =>
      sequential<RefTensor>([batchNormalization({ axis: 1 })], {
        backend: ref,
        inputShape: [null, features],
      }),
    ).toThrow(
      'batch_normalization (BatchNormalization) axis: received 1 for an input of rank 3 ([null, null, 4]); only the last axis (-1) is supported: move the features there first (a permute layer)',
    );
    expect(() => batchNormalization({ momentum: 1.5 })).toThrow('batchNormalization momentum');
    expect(() => batchNormalization({ axis: 0.5 })).toThrow(
      'batchNormalization axis: expected an integer (-1: the last axis)',
    );
    expect(() => batchNormalization({ momentm: 0.9 } as never)).toThrow('momentm');
  });
});
