/**
 * The exported `Callback`: training's base class, seen with `this.model` typed as the full `Model` (the compiler
 * checks that a subclass may call what only `Model` has), and the same class at run time as the built-in callbacks'.
 */
import { describe, expect, it } from 'vitest';
import { dense } from '../layers/dense.js';
import { Callback as TrainingCallback } from '../training/callbacks/callback.js';
import { earlyStopping } from '../training/callbacks/early-stopping.js';
import { History } from '../training/callbacks/history.js';
import { progressBar } from '../training/callbacks/progress-bar.js';
import { cpuBackend } from '../training/test-helpers.js';
import { Callback } from './callback.js';
import { sequential } from './sequential.js';

describe('Callback', () => {
  it('gives a subclass the Model it trains, with all of Model (summary, layers, countParams)', async () => {
    const backend = cpuBackend();
    const m = sequential([dense({ units: 1, inputShape: [2] })], { backend, seed: 1 });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const seen: string[] = [];
    class Describe extends Callback {
      override onTrainBegin(): void {
        seen.push(
          `${this.model.layers.map((l) => l.name).join(',')} ${this.model.countParams()}`,
          this.model.summary({ print: false }).split('\n')[0]!,
        );
      }
    }
    const describe = new Describe();
    await m.fit([[1, 2]], [[3]], { verbose: 0, callbacks: [describe] });
    expect(seen[0]).toBe('dense 3');
    expect(seen[1]).toBe(m.summary({ print: false }).split('\n')[0]);
    expect(describe.model).toBe(m);
    m.dispose();
  });

  it('is one class with the callbacks the package ships', () => {
    expect(Callback).toBe(TrainingCallback);
    for (const callback of [
      new History(),
      earlyStopping(),
      progressBar(),
      new (class extends Callback {})(),
    ]) {
      expect(callback).toBeInstanceOf(Callback);
    }
    expect({ onEpochEnd: () => {} }).not.toBeInstanceOf(Callback);
  });
});
