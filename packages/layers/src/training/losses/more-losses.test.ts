/**
 * The regression, probabilistic and hinge losses added after the first five, against plain float64 formulas written
 * out here from Keras 3's definitions: on the float64 reference backend to 1e-12, on the tfjs CPU backend to float32
 * precision (1e-6 relative); Keras' own documented examples; gradients on the CPU backend against central finite
 * differences of the float64 reference (step 1e-4, agreement to 1e-3 relative: float32 gradients of sums of ~10
 * terms); edge values (zero vectors, zero predictions, non-binary hinge labels).
 */
import { type Backend, createReferenceBackend } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { deserializeCompile, serializeCompile } from '../../saving/native/compile-config.js';
import { expectClose } from '../../test-helpers.js';
import { cpuBackend, flat, scalar, seeded } from '../test-helpers.js';
import {
  categoricalHinge,
  cosineSimilarity,
  getLoss,
  hinge,
  klDivergence,
  type Loss,
  logCosh,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  poisson,
  squaredHinge,
} from './index.js';

const F64 = { atol: 1e-12, rtol: 1e-12 };
const F32 = { atol: 1e-6, rtol: 1e-6 };
const EPS = 1e-7;

const rows = (xs: readonly number[], width: number): number[][] =>
  Array.from({ length: xs.length / width }, (_, i) => xs.slice(i * width, (i + 1) * width));
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const clip = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
const norm = (r: readonly number[]) => Math.max(Math.sqrt(sum(r.map((v) => v * v))), EPS);

/** Per-row values of each loss, from Keras 3's formulas, then averaged over the rows (`sumOverBatchSize`). */
const formulas: Record<string, (t: number[], p: number[]) => number> = {
  mape: (t, p) => 100 * mean(t.map((v, k) => Math.abs((v - p[k]!) / Math.max(Math.abs(v), EPS)))),
  msle: (t, p) =>
    mean(t.map((v, k) => (Math.log(Math.max(p[k]!, EPS) + 1) - Math.log(Math.max(v, EPS) + 1)) ** 2)),
  logCosh: (t, p) => mean(t.map((v, k) => Math.log(Math.cosh(p[k]! - v)))),
  cosineSimilarity: (t, p) => -sum(t.map((v, k) => (v / norm(t)) * (p[k]! / norm(p)))),
  kld: (t, p) => sum(t.map((v, k) => clip(v, EPS, 1) * Math.log(clip(v, EPS, 1) / clip(p[k]!, EPS, 1)))),
  poisson: (t, p) => mean(t.map((v, k) => p[k]! - v * Math.log(p[k]! + EPS))),
  // Labels 0 and 1 become -1 and 1 (all labels in these cases are binary).
  hinge: (t, p) => mean(t.map((v, k) => Math.max(1 - (2 * v - 1) * p[k]!, 0))),
  squaredHinge: (t, p) => mean(t.map((v, k) => Math.max(1 - (2 * v - 1) * p[k]!, 0) ** 2)),
  categoricalHinge: (t, p) => {
    const pos = sum(t.map((v, k) => v * p[k]!));
    const neg = Math.max(...t.map((v, k) => (1 - v) * p[k]!));
    return Math.max(neg - pos + 1, 0);
  },
};

const losses: Record<string, () => Loss> = {
  mape: () => meanAbsolutePercentageError(),
  msle: () => meanSquaredLogarithmicError(),
  logCosh: () => logCosh(),
  cosineSimilarity: () => cosineSimilarity(),
  kld: () => klDivergence(),
  poisson: () => poisson(),
  hinge: () => hinge(),
  squaredHinge: () => squaredHinge(),
  categoricalHinge: () => categoricalHinge(),
};

/** Labels and predictions [4, 3] in each loss's domain. */
function data(name: string): { yTrue: number[][]; yPred: number[][] } {
  const real = (seed: string) => rows(seeded(12, seed), 3);
  const positive = (seed: string) => rows(seeded(12, seed, 0.05, 2), 3);
  const probabilities = (seed: string) =>
    rows(seeded(12, seed, 0.05, 1), 3).map((r) => r.map((v) => v / sum(r)));
  const binary = (seed: string) =>
    rows(
      seeded(12, seed).map((v) => (v > 0 ? 1 : 0)),
      3,
    );
  const oneHot = () => [0, 2, 1, 2].map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
  switch (name) {
    case 'msle':
    case 'poisson':
      return { yTrue: positive('t'), yPred: positive('p') };
    case 'kld':
      return { yTrue: probabilities('t'), yPred: probabilities('p') };
    case 'hinge':
    case 'squaredHinge':
      return { yTrue: binary('t'), yPred: real('p') };
    case 'categoricalHinge':
      return { yTrue: oneHot(), yPred: real('p') };
    default:
      return { yTrue: real('t'), yPred: real('p') };
  }
}

const backends: [string, () => Backend<unknown>, typeof F64][] = [
  ['reference (float64)', () => createReferenceBackend() as Backend<unknown>, F64],
  ['cpu (float32)', () => cpuBackend() as Backend<unknown>, F32],
];

describe.each(backends)('more losses on %s', (_name, make, tolerance) => {
  const b = make();
  it.each(Object.keys(losses))('%s matches its formula', (name) => {
    const { yTrue, yPred } = data(name);
    const expected = mean(yTrue.map((t, i) => formulas[name]!(t, yPred[i]!)));
    const got = scalar(b, losses[name]!().compute(b, b.tensor(yTrue), b.tensor(yPred)));
    expectClose(name, [got], [expected], tolerance);
  });
});

describe('more losses', () => {
  it("give Keras' documented examples", () => {
    const b = createReferenceBackend();
    // keras.losses.cosine_similarity([[0, 1], [1, 1], [1, 1]], [[1, 0], [1, 1], [-1, -1]]): [-0, -1, 1].
    const cos = cosineSimilarity({ reduction: 'none' });
    expectClose(
      'cosine',
      flat(
        b,
        cos.compute(
          b,
          b.tensor([
            [0, 1],
            [1, 1],
            [1, 1],
          ]),
          b.tensor([
            [1, 0],
            [1, 1],
            [-1, -1],
          ]),
        ),
      ),
      [0, -1, 1],
      F64,
    );
    // A zero vector gives 0, as Keras says, not NaN.
    expectClose('zero vector', flat(b, cos.compute(b, b.tensor([[0, 0]]), b.tensor([[1, 2]]))), [0], F64);
    // Hinge labels other than 0 and 1 are used as given (here -1 and 1 already).
    const h = scalar(b, hinge().compute(b, b.tensor([[-1, 1]]), b.tensor([[0.5, 0.25]])));
    expect(h).toBeCloseTo((1.5 + 0.75) / 2, 12);
    // Poisson at a zero prediction stays finite (log of ε).
    const p = scalar(b, poisson().compute(b, b.tensor([[2]]), b.tensor([[0]])));
    expect(p).toBeCloseTo(-2 * Math.log(EPS), 9);
  });

  it.each(Object.keys(losses))("%s: kept in a saved model's compile arguments", (name) => {
    const b = createReferenceBackend();
    const loss = losses[name]!();
    const saved = JSON.parse(JSON.stringify(serializeCompile({ optimizer: 'sgd', loss })));
    const again = deserializeCompile(saved, {}, 'loadModel').loss as Loss;
    expect(again.className).toBe(loss.className);
    const { yTrue, yPred } = data(name);
    const value = (l: Loss) => scalar(b, l.compute(b, b.tensor(yTrue), b.tensor(yPred)));
    expect(value(again)).toBe(value(loss));
  });

  it('are found by their Keras and tfjs-layers names', () => {
    const names: [string, string][] = [
      ['mape', 'MeanAbsolutePercentageError'],
      ['mean_absolute_percentage_error', 'MeanAbsolutePercentageError'],
      ['msle', 'MeanSquaredLogarithmicError'],
      ['log_cosh', 'LogCosh'],
      ['logcosh', 'LogCosh'],
      ['cosine_similarity', 'CosineSimilarity'],
      ['kld', 'KLDivergence'],
      ['kl_divergence', 'KLDivergence'],
      ['kullback_leibler_divergence', 'KLDivergence'],
      ['poisson', 'Poisson'],
      ['hinge', 'Hinge'],
      ['squared_hinge', 'SquaredHinge'],
      ['categorical_hinge', 'CategoricalHinge'],
    ];
    for (const [name, className] of names) expect(getLoss(name).className, name).toBe(className);
  });

  it.each(Object.keys(losses))(
    '%s: gradients on cpu match finite differences of the float64 formula',
    (name) => {
      const b = cpuBackend();
      const { yTrue, yPred } = data(name);
      const labels = b.tensor(yTrue);
      const pred = b.tensor(yPred);
      const before = b.memory().numTensors;
      const { value, grads } = b.valueAndGrads((p) => losses[name]!().compute(b, labels, p), [pred]);
      const g = Array.from(b.dataSync(grads[0]!));
      b.dispose([value, ...grads]);
      expect(b.memory().numTensors).toBe(before);
      const total = (p: number[][]) => mean(yTrue.map((t, i) => formulas[name]!(t, p[i]!)));
      const h = 1e-4;
      const numeric = yPred.flatMap((r, i) =>
        r.map((_, k) => {
          const up = yPred.map((row) => [...row]);
          const down = yPred.map((row) => [...row]);
          up[i]![k]! += h;
          down[i]![k]! -= h;
          return (total(up) - total(down)) / (2 * h);
        }),
      );
      expectClose(`${name} gradient`, g, numeric, { atol: 1e-5, rtol: 1e-3 });
      b.dispose([labels, pred]);
    },
  );
});
