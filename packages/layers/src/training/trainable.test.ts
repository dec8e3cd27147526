/**
 * The training contract: the trainer drives any `TrainableModel`, not only the model classes. A hand-written linear
 * model y = x·W (no layer, no graph) is compiled, trained and evaluated through `Trainer`, and its steps are checked
 * against plain gradient descent computed by hand in float64 (tolerance 1e-6: float32 rounding of sums of a few terms
 * of size ~1).
 */
import type { Backend } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { input } from '../engine/symbolic.js';
import { LayerWeight } from '../engine/weight.js';
import { expectClose } from '../test-helpers.js';
import { Callback } from './callbacks/callback.js';
import { cpuBackend } from './test-helpers.js';
import type { TrainableModel } from './trainable.js';
import { Trainer } from './trainer.js';

type T = ReturnType<typeof cpuBackend> extends Backend<infer U> ? U : never;

/** y = x·W with W `[2, 1]`: the smallest thing a trainer can train. */
class Linear implements TrainableModel<T> {
  readonly seed = 5;
  stopTraining = false;
  readonly built = true;
  readonly layers = [];
  readonly inputs = [input({ shape: [2] })];
  /** A placeholder `[batch, 1]` that no layer makes: one output, named `output`, without a time axis. */
  readonly outputs = [input({ shape: [1] })];
  readonly kernel: LayerWeight;

  constructor(
    readonly backend: Backend<T>,
    values: readonly number[],
  ) {
    const initial = backend.tensor(Float32Array.from(values), [2, 1]);
    this.kernel = new LayerWeight('linear/kernel', 'kernel', 'kernel', [2, 1], true, backend, initial);
  }

  get trainableWeights(): LayerWeight[] {
    return [this.kernel];
  }

  describe(): string {
    return 'linear (Linear)';
  }

  buildFor(): void {}

  applyWithMasks(inputs: T | readonly T[], options: { weights?: unknown } = {}) {
    const x = Array.isArray(inputs) ? (inputs as readonly T[])[0]! : (inputs as T);
    const w = Array.isArray(options.weights) ? (options.weights[0] as T) : this.kernel.read<T>();
    return { outputs: [this.backend.matMul(x, w)], masks: [undefined] };
  }

  runPass(inputs: T | readonly T[], options: { weights?: unknown }) {
    return { ...this.applyWithMasks(inputs, options), states: new Map(), lastOutputs: new Map() };
  }

  getWeights(): T[] {
    return [this.backend.reshape(this.kernel.read<T>(), [2, 1])];
  }

  setWeights(values: readonly T[]): void {
    this.kernel.assign(this.backend.reshape(values[0]!, [2, 1]));
  }
}

const X = [
  [1, 2],
  [3, -1],
  [0.5, 0.5],
];
const Y = [[1], [0], [2]];

/** The mean squared error of x·w against Y, and its gradient with respect to w, in float64. */
function mseAndGradient(w: readonly number[]): { loss: number; grad: number[] } {
  const errors = X.map((x, i) => x[0]! * w[0]! + x[1]! * w[1]! - Y[i]![0]!);
  const loss = errors.reduce((s, e) => s + e * e, 0) / X.length;
  const grad = [0, 1].map((k) => (2 / X.length) * errors.reduce((s, e, i) => s + e * X[i]![k]!, 0));
  return { loss, grad };
}

describe('TrainableModel: the trainer drives what implements it', () => {
  it('trainOnBatch is one gradient-descent step; testOnBatch is the loss without one (atol 1e-6)', () => {
    const backend = cpuBackend();
    const start = backend.memory().numTensors;
    const linear = new Linear(backend, [0.2, -0.3]);
    const trainer = new Trainer(linear, { optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    let w = [0.2, -0.3];
    for (let step = 0; step < 3; step++) {
      const { loss, grad } = mseAndGradient(w);
      const logs = trainer.trainOnBatch(X, Y);
      expect(Object.keys(logs)).toEqual(['loss', 'mae']);
      expectClose(`loss of step ${step}`, [logs.loss!], [loss], { atol: 1e-6, rtol: 0 });
      // SGD's default learning rate in Keras is 0.01.
      w = w.map((v, k) => v - 0.01 * grad[k]!);
      expectClose(`weights after step ${step}`, backend.dataSync(linear.kernel.read<T>()), w, {
        atol: 1e-6,
        rtol: 0,
      });
    }
    const tested = trainer.testOnBatch(X, Y);
    expectClose('test loss', [tested.loss!], [mseAndGradient(w).loss], { atol: 1e-6, rtol: 0 });
    trainer.dispose();
    linear.kernel.dispose();
    expect(backend.memory().numTensors).toBe(start);
  });

  it('fit hands callbacks the object it trains, which can stop it; compile errors name it', async () => {
    const backend = cpuBackend();
    const linear = new Linear(backend, [0, 0]);
    const trainer = new Trainer(linear, { optimizer: 'sgd', loss: 'mse' });
    const seen: unknown[] = [];
    class StopAfterTwo extends Callback {
      override onEpochEnd(epoch: number): void {
        seen.push(this.model);
        if (epoch === 1) this.model.stopTraining = true;
      }
    }
    const history = await trainer.fit(X, Y, {
      epochs: 5,
      batchSize: 3,
      verbose: 0,
      callbacks: [new StopAfterTwo()],
    });
    expect(history.epoch).toEqual([0, 1]);
    expect(seen).toEqual([linear, linear]);
    expect(history.history.loss![1]).toBeLessThan(history.history.loss![0]!);
    trainer.dispose();
    linear.kernel.dispose();
    expect(() => new Trainer(linear, { optimizer: 'sgd', loss: 'dice' })).toThrow(
      /^linear \(Linear\) compile loss: unknown loss "dice"/,
    );
  });
});
