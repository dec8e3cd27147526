/**
 * Every update rule against an independent float64 implementation written from Keras 3's formulas, for several
 * steps with changing gradients: on the float64 reference backend to 1e-12 (only the order of operations differs),
 * and on the tfjs CPU backend to float32 precision. Clipping, weight decay, schedules, slots, reset, memory, errors.
 */
import { type Backend, createReferenceBackend } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test-helpers.js';
import { exponentialDecay } from '../schedules.js';
import { cpuBackend, flat, seeded } from '../test-helpers.js';
import {
  adadelta,
  adagrad,
  adam,
  adamax,
  adamW,
  getOptimizer,
  globalNorm,
  listOptimizers,
  nadam,
  type Optimizer,
  type OptimizerVariable,
  rmsprop,
  sgd,
} from './index.js';

const SHAPES = [[2, 3], [3]] as const;
const STEPS = 4;
const initial = SHAPES.map((s, i) =>
  seeded(
    s.reduce((a, b) => a * b, 1),
    `w${i}`,
  ),
);
/** Gradients per step and variable; step 2 has large ones so that clipping bites. */
const gradients = Array.from({ length: STEPS }, (_, t) =>
  initial.map((w, i) => seeded(w.length, `g${t}:${i}`).map((g) => g * (t === 2 ? 10 : 1))),
);

/** A variable on a backend, like a model's `LayerWeight`. */
class Variable<T> implements OptimizerVariable {
  private value: T;
  constructor(
    private readonly backend: Backend<T>,
    readonly name: string,
    readonly shape: readonly number[],
    values: readonly number[],
  ) {
    this.value = backend.keep(backend.tensor(Float64Array.from(values), [...shape]));
  }
  read<U>(): U {
    return this.value as unknown as U;
  }
  assign<U>(tensor: U): void {
    if ((tensor as unknown) === this.value) return;
    this.backend.dispose(this.value);
    this.value = this.backend.keep(tensor as unknown as T);
  }
  dispose(): void {
    this.backend.dispose(this.value);
  }
}

/** Runs `optimizer` for every step on `backend`; returns the values after each step. */
function run<T>(
  backend: Backend<T>,
  optimizer: Optimizer,
  names = ['dense/kernel', 'dense/bias'],
): number[][][] {
  const vars = SHAPES.map((s, i) => new Variable(backend, names[i]!, s, initial[i]!));
  const out: number[][][] = [];
  for (const step of gradients) {
    const grads = step.map((g, i) => backend.tensor(Float64Array.from(g), [...SHAPES[i]!]));
    optimizer.applyGradients(backend, grads, vars);
    backend.dispose(grads);
    out.push(vars.map((v) => flat(backend, v.read<T>())));
  }
  optimizer.dispose();
  for (const v of vars) v.dispose();
  return out;
}

/** Float64 reference: `update(w, g, state, lr, t)` per variable; state is kept per variable. */
function reference(
  rule: (w: number[], g: number[], state: Record<string, number[]>, lr: number, t: number) => number[],
  options: { lr: number | ((step: number) => number); clip?: (gs: number[][]) => number[][] },
): number[][][] {
  const ws = initial.map((w) => [...w]);
  const states = ws.map(() => ({}) as Record<string, number[]>);
  const out: number[][][] = [];
  gradients.forEach((step, t) => {
    const gs = options.clip ? options.clip(step) : step;
    const lr = typeof options.lr === 'number' ? options.lr : options.lr(t);
    ws.forEach((w, i) => {
      ws[i] = rule(w, gs[i]!, states[i]!, lr, t + 1);
    });
    out.push(ws.map((w) => [...w]));
  });
  return out;
}

const zeros = (n: number) => new Array<number>(n).fill(0);
const norm = (g: number[]) => Math.sqrt(g.reduce((a, v) => a + v * v, 0));

const sgdRule =
  (momentum: number, nesterov: boolean) =>
  (w: number[], g: number[], s: Record<string, number[]>, lr: number) => {
    if (momentum === 0) return w.map((v, k) => v - lr * g[k]!);
    s.m ??= zeros(w.length);
    s.m = s.m.map((m, k) => momentum * m - lr * g[k]!);
    return w.map((v, k) => (nesterov ? v + momentum * s.m![k]! - lr * g[k]! : v + s.m![k]!));
  };

const adamRule =
  (b1: number, b2: number, eps: number, amsgrad = false, weightDecay = 0) =>
  (w0: number[], g: number[], s: Record<string, number[]>, lr: number, t: number) => {
    const w = w0.map((v) => v - v * weightDecay * lr);
    s.m ??= zeros(w.length);
    s.v ??= zeros(w.length);
    s.vHat ??= zeros(w.length);
    s.m = s.m.map((m, k) => b1 * m + (1 - b1) * g[k]!);
    s.v = s.v.map((v, k) => b2 * v + (1 - b2) * g[k]! ** 2);
    if (amsgrad) s.vHat = s.vHat.map((v, k) => Math.max(v, s.v![k]!));
    const second = amsgrad ? s.vHat : s.v;
    const mHat = s.m.map((m) => m / (1 - b1 ** t));
    const vHat = second.map((v) => v / (1 - b2 ** t));
    // Keras puts ε outside the bias correction: ε̂ = ε·√(1 − β₂ᵗ).
    return w.map((v, k) => v - (lr * mHat[k]!) / (Math.sqrt(vHat[k]!) + eps / Math.sqrt(1 - b2 ** t)));
  };

const rmspropRule =
  (rho: number, momentum: number, eps: number, centered: boolean) =>
  (w: number[], g: number[], s: Record<string, number[]>, lr: number) => {
    s.v ??= zeros(w.length);
    s.a ??= zeros(w.length);
    s.m ??= zeros(w.length);
    s.v = s.v.map((v, k) => rho * v + (1 - rho) * g[k]! ** 2);
    if (centered) s.a = s.a.map((a, k) => rho * a + (1 - rho) * g[k]!);
    const step = g.map((gk, k) => (lr * gk) / Math.sqrt(s.v![k]! - (centered ? s.a![k]! ** 2 : 0) + eps));
    if (momentum > 0) {
      s.m = s.m.map((m, k) => momentum * m + step[k]!);
      return w.map((v, k) => v - s.m![k]!);
    }
    return w.map((v, k) => v - step[k]!);
  };

const adagradRule =
  (initialValue: number, eps: number) =>
  (w: number[], g: number[], s: Record<string, number[]>, lr: number) => {
    s.a ??= new Array<number>(w.length).fill(initialValue);
    s.a = s.a.map((a, k) => a + g[k]! ** 2);
    return w.map((v, k) => v - (lr * g[k]!) / Math.sqrt(s.a![k]! + eps));
  };

const adamaxRule =
  (b1: number, b2: number, eps: number) =>
  (w: number[], g: number[], s: Record<string, number[]>, lr: number, t: number) => {
    s.m ??= zeros(w.length);
    s.u ??= zeros(w.length);
    s.m = s.m.map((m, k) => b1 * m + (1 - b1) * g[k]!);
    s.u = s.u.map((u, k) => Math.max(b2 * u, Math.abs(g[k]!)));
    return w.map((v, k) => v - (lr / (1 - b1 ** t)) * (s.m![k]! / (s.u![k]! + eps)));
  };

const adadeltaRule =
  (rho: number, eps: number) => (w: number[], g: number[], s: Record<string, number[]>, lr: number) => {
    s.a ??= zeros(w.length);
    s.d ??= zeros(w.length);
    s.a = s.a.map((a, k) => rho * a + (1 - rho) * g[k]! ** 2);
    const delta = g.map((gk, k) => (Math.sqrt(s.d![k]! + eps) / Math.sqrt(s.a![k]! + eps)) * gk);
    s.d = s.d.map((d, k) => rho * d + (1 - rho) * delta[k]! ** 2);
    return w.map((v, k) => v - lr * delta[k]!);
  };

const nadamRule =
  (b1: number, b2: number, eps: number) =>
  (w: number[], g: number[], s: Record<string, number[]>, lr: number, t: number) => {
    // Dozat's momentum schedule as Keras 3 writes it, its product over steps 1..t taken afresh at every step.
    const mu = (i: number) => b1 * (1 - 0.5 * 0.96 ** i);
    let product = 1;
    for (let i = 1; i <= t; i++) product *= mu(i);
    s.m ??= zeros(w.length);
    s.v ??= zeros(w.length);
    s.m = s.m.map((m, k) => b1 * m + (1 - b1) * g[k]!);
    s.v = s.v.map((v, k) => b2 * v + (1 - b2) * g[k]! ** 2);
    return w.map((v, k) => {
      const mHat = (mu(t + 1) * s.m![k]!) / (1 - product * mu(t + 1)) + ((1 - mu(t)) * g[k]!) / (1 - product);
      const vHat = s.v![k]! / (1 - b2 ** t);
      return v - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
  };

interface Case {
  readonly name: string;
  readonly make: () => Optimizer;
  readonly expected: () => number[][][];
}

const cases: Case[] = [
  {
    name: 'sgd',
    make: () => sgd({ learningRate: 0.1 }),
    expected: () => reference(sgdRule(0, false), { lr: 0.1 }),
  },
  {
    name: 'sgd with momentum',
    make: () => sgd({ learningRate: 0.1, momentum: 0.9 }),
    expected: () => reference(sgdRule(0.9, false), { lr: 0.1 }),
  },
  {
    name: 'sgd with Nesterov momentum',
    make: () => sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
    expected: () => reference(sgdRule(0.9, true), { lr: 0.1 }),
  },
  {
    name: 'adam (defaults but the learning rate)',
    make: () => adam({ learningRate: 0.01 }),
    expected: () => reference(adamRule(0.9, 0.999, 1e-7), { lr: 0.01 }),
  },
  {
    name: 'adam with amsgrad and other betas',
    make: () => adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.9, epsilon: 1e-3, amsgrad: true }),
    expected: () => reference(adamRule(0.8, 0.9, 1e-3, true), { lr: 0.02 }),
  },
  {
    name: 'adamW (decoupled weight decay 0.004 by default)',
    make: () => adamW({ learningRate: 0.05 }),
    expected: () => reference(adamRule(0.9, 0.999, 1e-7, false, 0.004), { lr: 0.05 }),
  },
  {
    name: 'rmsprop',
    make: () => rmsprop({ learningRate: 0.01 }),
    expected: () => reference(rmspropRule(0.9, 0, 1e-7, false), { lr: 0.01 }),
  },
  {
    name: 'rmsprop centered with momentum',
    make: () => rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true, epsilon: 1e-4 }),
    expected: () => reference(rmspropRule(0.8, 0.5, 1e-4, true), { lr: 0.01 }),
  },
  {
    name: 'adagrad (initial accumulator 0.1)',
    make: () => adagrad({ learningRate: 0.1 }),
    expected: () => reference(adagradRule(0.1, 1e-7), { lr: 0.1 }),
  },
  {
    name: 'adadelta (ρ 0.95, ε 1e-7)',
    make: () => adadelta({ learningRate: 1 }),
    expected: () => reference(adadeltaRule(0.95, 1e-7), { lr: 1 }),
  },
  {
    name: 'adadelta with other ρ and ε',
    make: () => adadelta({ learningRate: 0.5, rho: 0.8, epsilon: 1e-3 }),
    expected: () => reference(adadeltaRule(0.8, 1e-3), { lr: 0.5 }),
  },
  {
    name: 'adamax',
    make: () => adamax({ learningRate: 0.02 }),
    expected: () => reference(adamaxRule(0.9, 0.999, 1e-7), { lr: 0.02 }),
  },
  {
    name: 'adamax with other betas (the infinity norm decays below a later gradient)',
    make: () => adamax({ learningRate: 0.02, beta1: 0.7, beta2: 0.5, epsilon: 1e-3 }),
    expected: () => reference(adamaxRule(0.7, 0.5, 1e-3), { lr: 0.02 }),
  },
  {
    name: 'nadam',
    make: () => nadam({ learningRate: 0.01 }),
    expected: () => reference(nadamRule(0.9, 0.999, 1e-7), { lr: 0.01 }),
  },
  {
    name: 'nadam with other betas and a schedule',
    make: () =>
      nadam({
        learningRate: exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 }),
        beta1: 0.5,
        beta2: 0.9,
        epsilon: 1e-4,
      }),
    expected: () => reference(nadamRule(0.5, 0.9, 1e-4), { lr: (step) => 0.1 * 0.5 ** (step / 2) }),
  },
  {
    name: 'sgd with clipnorm (per variable)',
    make: () => sgd({ learningRate: 0.1, clipnorm: 1 }),
    expected: () =>
      reference(sgdRule(0, false), {
        lr: 0.1,
        clip: (gs) => gs.map((g) => g.map((v) => v / Math.max(norm(g), 1))),
      }),
  },
  {
    name: 'sgd with globalClipnorm',
    make: () => sgd({ learningRate: 0.1, globalClipnorm: 2 }),
    expected: () =>
      reference(sgdRule(0, false), {
        lr: 0.1,
        clip: (gs) => {
          const total = Math.sqrt(gs.reduce((a, g) => a + norm(g) ** 2, 0));
          return gs.map((g) => g.map((v) => (v * 2) / Math.max(total, 2)));
        },
      }),
  },
  {
    name: 'sgd with clipvalue',
    make: () => sgd({ learningRate: 0.1, clipvalue: 0.5 }),
    expected: () =>
      reference(sgdRule(0, false), {
        lr: 0.1,
        clip: (gs) => gs.map((g) => g.map((v) => Math.min(Math.max(v, -0.5), 0.5))),
      }),
  },
  {
    name: 'adam with an exponential-decay schedule as learning rate',
    make: () =>
      adam({ learningRate: exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 }) }),
    expected: () => reference(adamRule(0.9, 0.999, 1e-7), { lr: (step) => 0.1 * 0.5 ** (step / 2) }),
  },
  {
    name: 'rmsprop with a function of the step as learning rate',
    make: () => rmsprop({ learningRate: (step) => 0.01 / (1 + step) }),
    expected: () => reference(rmspropRule(0.9, 0, 1e-7, false), { lr: (step) => 0.01 / (1 + step) }),
  },
];

describe('update rules against float64 implementations of Keras 3’s formulas', () => {
  for (const c of cases) {
    it(`${c.name}: reference backend within 1e-12, cpu within float32 precision`, () => {
      const expected = c.expected();
      const ref = run(createReferenceBackend(), c.make());
      const cpu = run(cpuBackend(), c.make());
      expected.forEach((step, t) => {
        step.forEach((w, i) => {
          expectClose(`step ${t + 1} variable ${i} (reference)`, ref[t]![i]!, w, {
            atol: 1e-12,
            rtol: 1e-12,
          });
          expectClose(`step ${t + 1} variable ${i} (cpu)`, cpu[t]![i]!, w, { atol: 2e-6, rtol: 1e-5 });
        });
      });
    });
  }

  it('clipping changed something in these runs (the large step-3 gradients)', () => {
    const unclipped = run(createReferenceBackend(), sgd({ learningRate: 0.1 }));
    const clipped = run(createReferenceBackend(), sgd({ learningRate: 0.1, clipnorm: 1 }));
    expect(unclipped[2]![0]).not.toEqual(clipped[2]![0]);
    expect(
      globalNorm(
        createReferenceBackend(),
        gradients[2]!.map((g, i) => createReferenceBackend().tensor(g, [...SHAPES[i]!])),
      ),
    ).toBeGreaterThan(2);
  });

  it('weight decay skips excluded variables', () => {
    const decayed = run(createReferenceBackend(), adamW({ learningRate: 0.05, weightDecay: 0.1 }));
    const excluded = run(
      createReferenceBackend(),
      adamW({ learningRate: 0.05, weightDecay: 0.1, excludeFromWeightDecay: ['bias'] }),
    );
    const plain = run(createReferenceBackend(), adam({ learningRate: 0.05 }));
    expect(excluded[3]![1]).toEqual(plain[3]![1]); // the bias: no decay
    expect(excluded[3]![0]).toEqual(decayed[3]![0]); // the kernel: decayed
    expect(decayed[3]![1]).not.toEqual(plain[3]![1]);
    const regex = run(
      createReferenceBackend(),
      adamW({ learningRate: 0.05, weightDecay: 0.1, excludeFromWeightDecay: [/kernel$/] }),
    );
    expect(regex[3]![0]).toEqual(plain[3]![0]);
  });
});

describe("Adamax against tfjs' own optimizer (an independent implementation of the same rule)", () => {
  /** The values after each step of tfjs' optimizer over the same variables and gradients, on tfjs' current backend. */
  function runTfjs(optimizer: tf.Optimizer): number[][][] {
    const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(initial[i]!, [...s]), true, `tfjs-check-${i}`));
    const out: number[][][] = [];
    for (const step of gradients) {
      const grads = step.map((g, i) => tf.tensor(g, [...SHAPES[i]!]));
      optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i]!])));
      tf.dispose(grads);
      out.push(vars.map((v) => Array.from(v.dataSync())));
    }
    optimizer.dispose();
    tf.dispose(vars);
    return out;
  }

  // Not Adadelta: tfjs' divides by the squared-gradient accumulator as it was before the step's gradient
  // (`√(aₜ₋₁ + ε)`), where Keras 3, PyTorch and the paper use `√(aₜ + ε)`.
  const pairs = [
    {
      name: 'adamax',
      ours: () => adamax({ learningRate: 0.02, beta1: 0.7, beta2: 0.5, epsilon: 1e-3 }),
      theirs: () => tf.train.adamax(0.02, 0.7, 0.5, 1e-3),
    },
  ];
  for (const p of pairs) {
    it(`${p.name}: the same values as tfjs' to float32 precision at every step`, () => {
      const ours = run(cpuBackend(), p.ours());
      const theirs = runTfjs(p.theirs());
      ours.forEach((step, t) => {
        step.forEach((w, i) => {
          expectClose(`step ${t + 1} variable ${i}`, w, theirs[t]![i]!, { atol: 2e-6, rtol: 1e-5 });
        });
      });
    });
  }
});

describe('optimizer state', () => {
  it("nadam's momentum product follows the step count back (setState to an earlier step) and past its underflow", () => {
    // float32 throughout, so that the state read back and restored is the state (the reference backend keeps float64).
    const b = cpuBackend();
    const vars = SHAPES.map((shape, i) => new Variable(b, `w${i}`, shape, initial[i]!));
    const apply = (optimizer: Optimizer, t: number) =>
      optimizer.applyGradients(
        b,
        gradients[t]!.map((g, i) => b.tensor(Float64Array.from(g), [...SHAPES[i]!])),
        vars,
      );
    const values = () => vars.map((v) => flat(b, v.read()));
    const opt = nadam({ learningRate: 0.01 });
    apply(opt, 0);
    apply(opt, 1);
    const atTwo = opt.getState(vars);
    const weightsAtTwo = values();
    apply(opt, 2);
    apply(opt, 3);
    const straight = values();
    // Back to step 2 on the same instance (its product had reached step 4), then the same two steps again.
    opt.setState(b, vars, atTwo);
    vars.forEach((v, i) => {
      v.assign(b.tensor(Float64Array.from(weightsAtTwo[i]!), [...SHAPES[i]!]));
    });
    apply(opt, 2);
    apply(opt, 3);
    expect(values()).toEqual(straight);
    // Far past where the product underflows to 0 (~7,000 steps): the update is Adam's with a Nesterov term, finite.
    opt.setState(b, vars, { ...atTwo, iterations: 100_000 });
    apply(opt, 0);
    for (const w of values().flat()) expect(Number.isFinite(w)).toBe(true);
    opt.dispose();
    for (const v of vars) v.dispose();
  });

  it('slots are created on the first update, replaced without leaks, and freed by reset and dispose', () => {
    const b = cpuBackend();
    const v = new Variable(b, 'w', [3], [1, 2, 3]);
    const g = b.tensor([0.1, -0.2, 0.3]);
    const opt = adam({ learningRate: 0.1 });
    const before = b.memory().numTensors;
    opt.applyGradients(b, [g], [v]);
    expect(b.memory().numTensors).toBe(before + 2); // m and v
    for (let i = 0; i < 20; i++) opt.applyGradients(b, [g], [v]);
    expect(b.memory().numTensors).toBe(before + 2);
    expect(opt.iterations).toBe(21);
    expect(Array.from(b.dataSync(opt.getSlot(v, 'm')!))).toHaveLength(3);
    opt.reset();
    expect(opt.iterations).toBe(0);
    expect(opt.getSlot(v, 'm')).toBeUndefined();
    expect(b.memory().numTensors).toBe(before);
    // After a reset the next update is a first step again: the same as a new optimizer's.
    const w0 = Array.from(b.dataSync(v.read()));
    opt.applyGradients(b, [g], [v]);
    const fresh = new Variable(b, 'w', [3], w0);
    const other = adam({ learningRate: 0.1 });
    other.applyGradients(b, [g], [fresh]);
    expect(Array.from(b.dataSync(v.read()))).toEqual(Array.from(b.dataSync(fresh.read())));
    opt.dispose();
    other.dispose();
    fresh.dispose();
    expect(b.memory().numTensors).toBe(before);
    v.dispose();
    b.dispose(g);
  });

  it('clipping frees its clipped copies', () => {
    const b = cpuBackend();
    const v = new Variable(b, 'w', [2], [1, 2]);
    const g = b.tensor([3, 4]);
    for (const opt of [sgd({ clipnorm: 1 }), sgd({ globalClipnorm: 1 }), sgd({ clipvalue: 1 })]) {
      const before = b.memory().numTensors;
      opt.applyGradients(b, [g], [v]);
      expect(b.memory().numTensors).toBe(before);
    }
    v.dispose();
    b.dispose(g);
  });

  it('config and names', () => {
    expect(listOptimizers()).toEqual([
      'sgd',
      'adam',
      'adamw',
      'rmsprop',
      'adagrad',
      'adadelta',
      'adamax',
      'nadam',
    ]);
    expect(getOptimizer('Adam').className).toBe('Adam');
    expect(getOptimizer('AdamW').className).toBe('AdamW');
    expect(getOptimizer('RMSprop').className).toBe('RMSprop');
    expect((getOptimizer('sgd') as unknown as { learningRate: number }).learningRate).toBe(0.01);
    expect(adam().getConfig()).toEqual({
      name: 'adam',
      learningRate: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      amsgrad: false,
    });
    expect(adamW().getConfig()).toMatchObject({ weightDecay: 0.004 });
    expect(
      adam({
        learningRate: exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 }),
      }).getConfig().learningRate,
    ).toEqual({
      className: 'ExponentialDecay',
      config: { initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: false },
    });
  });

  it('getOptimizer rebuilds every optimizer from { className, config }, schedules included', () => {
    const schedule = exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 });
    const made = [
      sgd({ learningRate: 0.2, momentum: 0.5, nesterov: true, clipnorm: 1 }),
      adam({ learningRate: schedule, beta1: 0.8, amsgrad: true }),
      adamW({ weightDecay: 0.01, globalClipnorm: 2 }),
      rmsprop({ rho: 0.8, centered: true, clipvalue: 0.5 }),
      adagrad({ initialAccumulatorValue: 0.2, epsilon: 1e-6 }),
      adadelta({ learningRate: 1, rho: 0.9, epsilon: 1e-6, clipnorm: 2 }),
      adamax({ beta1: 0.8, beta2: 0.99, epsilon: 1e-5 }),
      nadam({ learningRate: schedule, beta2: 0.99 }),
    ];
    for (const optimizer of made) {
      const again = getOptimizer({ className: optimizer.className, config: optimizer.getConfig() });
      expect(again.className).toBe(optimizer.className);
      expect(again.getConfig()).toEqual(optimizer.getConfig());
    }
    const rebuilt = getOptimizer({ className: 'adam', config: made[1]!.getConfig() });
    expect(rebuilt.currentLearningRate()).toBe(schedule.at(0));
    expect(getOptimizer({ className: 'SGD' }).getConfig()).toEqual(sgd().getConfig());
  });

  it('a learning rate given as a number can be changed; a schedule cannot be replaced by a number', () => {
    const optimizer = sgd({ learningRate: 0.1 });
    optimizer.learningRate = 0.05;
    expect(optimizer.currentLearningRate()).toBe(0.05);
    expect(() => {
      optimizer.learningRate = -1;
    }).toThrow('sgd learningRate: expected a number in [0, 1.7976931348623157e+308], received -1');
    const scheduled = sgd({ learningRate: (step) => 1 / (step + 1) });
    expect(() => {
      scheduled.learningRate = 0.5;
    }).toThrow('the optimizer was made with a function of the step as its learning rate');
  });
});

describe('optimizer errors', () => {
  const b = createReferenceBackend();
  const v = new Variable(b, 'dense/kernel', [2, 2], [1, 2, 3, 4]);

  it('unknown options and configs name the key and the closest known one', () => {
    expect(() => adam({ beta_1: 0.9 } as never)).toThrow(
      'adam options: unknown option "beta_1" (did you mean "beta1"?); known options: learningRate, clipnorm, globalClipnorm, clipvalue, weightDecay, excludeFromWeightDecay, name, beta1, beta2, epsilon, amsgrad',
    );
    expect(() => sgd({ learning_rate: 0.1 } as never)).toThrow('(did you mean "learningRate"?)');
    expect(() => getOptimizer({ className: 'Adamm' })).toThrow(
      'optimizer.className: unknown optimizer "Adamm" (did you mean "adam"?)',
    );
    expect(() => getOptimizer({ className: 'Adam', config: { momentum: 0.9 } })).toThrow(
      'adam options: unknown option "momentum"',
    );
    expect(() => getOptimizer({ class_name: 'Adam' } as never)).toThrow(
      'optimizer: unknown option "class_name" (did you mean "className"?)',
    );
    expect(() =>
      getOptimizer({ className: 'sgd', config: { learningRate: { className: 'Exponential', config: {} } } }),
    ).toThrow('optimizer.config.learningRate.className: unknown schedule "Exponential"');
  });

  it('unknown names list the known ones', () => {
    expect(() => getOptimizer('lion')).toThrow(
      'optimizer: unknown optimizer "lion"; known optimizers: sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam',
    );
    expect(() => getOptimizer('nadan')).toThrow('unknown optimizer "nadan" (did you mean "nadam"?)');
    // Names of Object.prototype's members are not optimizers either.
    expect(() => getOptimizer('constructor')).toThrow('optimizer: unknown optimizer "constructor"');
    expect(() => getOptimizer('toString')).toThrow('optimizer: unknown optimizer "toString"');
  });

  it('at most one kind of clipping; options in range', () => {
    expect(() => sgd({ clipnorm: 1, clipvalue: 1 })).toThrow(
      'sgd: give at most one of clipnorm, globalClipnorm and clipvalue, received clipnorm 1, globalClipnorm undefined, clipvalue 1',
    );
    expect(() => sgd({ clipnorm: 0 })).toThrow(/sgd clipnorm: expected a number in/);
    expect(() => adam({ beta1: 1.5 })).toThrow('adam beta1: expected a number in [0, 1], received 1.5');
    expect(() => sgd({ learningRate: -1 })).toThrow(/sgd learningRate: expected a number in \[0, /);
    expect(() => sgd({ learningRate: 'fast' as never })).toThrow(
      'sgd learningRate: expected a number >= 0, a schedule, or a function of the step, received "fast"',
    );
  });

  it('gradients that do not match the variables', () => {
    const opt = sgd();
    expect(() => opt.applyGradients(b, [], [v])).toThrow(
      'sgd applyGradients: expected one gradient per variable, received 0 gradients for 1 variables',
    );
    expect(() => opt.applyGradients(b, [b.tensor([1, 2])], [v])).toThrow(
      'sgd applyGradients grads[0] (dense/kernel): expected shape [2, 2], received shape [2]',
    );
    expect(() =>
      sgd({ learningRate: () => Number.NaN }).applyGradients(
        b,
        [
          b.tensor([
            [1, 2],
            [3, 4],
          ]),
        ],
        [v],
      ),
    ).toThrow('sgd learningRate at step 0: expected a finite number >= 0, received NaN');
  });

  it('slots live on one backend', () => {
    const opt = adam();
    opt.applyGradients(
      b,
      [
        b.tensor([
          [1, 2],
          [3, 4],
        ]),
      ],
      [v],
    );
    const cpu = cpuBackend();
    const w = new Variable(cpu, 'w', [1], [1]);
    expect(() => opt.applyGradients(cpu, [cpu.tensor([1])], [w])).toThrow(
      'adam: its slots live on backend reference, received backend cpu; call reset() to move it',
    );
    opt.reset();
    opt.applyGradients(cpu, [cpu.tensor([1])], [w]);
    expect(opt.iterations).toBe(1);
  });
});
