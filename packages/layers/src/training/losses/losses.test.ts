/**
 * Losses against plain float64 formulas: on the float64 reference backend to 1e-12 (the same formulas, only the
 * summation order differs), and on the tfjs CPU backend to float32 precision (1e-6 relative). Masks, sample weights,
 * reductions, numerical stability and label errors.
 */
import { type Backend, createReferenceBackend, SeqmodelError } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../../test-helpers.js';
import { cpuBackend, flat, scalar, seeded } from '../test-helpers.js';
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  customLoss,
  getLoss,
  huber,
  listLosses,
  meanAbsoluteError,
  meanSquaredError,
  sparseCategoricalCrossentropy,
} from './index.js';

const F64 = { atol: 1e-12, rtol: 1e-12 };
const F32 = { atol: 1e-6, rtol: 1e-6 };

const values = seeded;

/** Rows of `width` from a flat array. */
function rows(flat: readonly number[], width: number): number[][] {
  return Array.from({ length: flat.length / width }, (_, i) => flat.slice(i * width, (i + 1) * width));
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const softmaxRow = (z: readonly number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const clipP = (p: number) => Math.min(Math.max(p, 1e-7), 1 - 1e-7);

const backends: [string, () => Backend<unknown>, typeof F64][] = [
  ['reference (float64)', () => createReferenceBackend() as Backend<unknown>, F64],
  ['cpu (float32)', () => cpuBackend() as Backend<unknown>, F32],
];

describe.each(backends)('losses on %s', (_name, make, tolerance) => {
  const b = make();
  const yTrue = rows(values(12, 'y'), 3); // [4, 3]
  const yPred = rows(values(12, 'p'), 3);

  it('meanSquaredError and meanAbsoluteError average the last axis, then the batch', () => {
    const mse = mean(yTrue.map((r, i) => mean(r.map((v, k) => (v - yPred[i]![k]!) ** 2))));
    const mae = mean(yTrue.map((r, i) => mean(r.map((v, k) => Math.abs(v - yPred[i]![k]!)))));
    expectClose(
      'mse',
      [scalar(b, meanSquaredError().compute(b, b.tensor(yTrue), b.tensor(yPred)))],
      [mse],
      tolerance,
    );
    expectClose(
      'mae',
      [scalar(b, meanAbsoluteError().compute(b, b.tensor(yTrue), b.tensor(yPred)))],
      [mae],
      tolerance,
    );
  });

  it('huber is quadratic within delta and linear beyond', () => {
    const delta = 0.5;
    const h = (e: number) => (Math.abs(e) <= delta ? 0.5 * e * e : delta * (Math.abs(e) - 0.5 * delta));
    const expected = mean(yTrue.map((r, i) => mean(r.map((v, k) => h(yPred[i]![k]! - v)))));
    const got = scalar(b, huber({ delta }).compute(b, b.tensor(yTrue), b.tensor(yPred)));
    expectClose('huber', [got], [expected], tolerance);
    // Both branches are used by this data.
    const errors = yTrue.flatMap((r, i) => r.map((v, k) => Math.abs(yPred[i]![k]! - v)));
    expect(errors.some((e) => e < delta) && errors.some((e) => e > delta)).toBe(true);
  });

  it('binaryCrossentropy from probabilities and from logits (with label smoothing)', () => {
    const z = rows(
      values(12, 'bits', 0, 1).map((v) => (v > 0.5 ? 1 : 0)),
      3,
    );
    const logits = rows(values(12, 'logits', -4, 4), 3);
    const probs = logits.map((r) => r.map((x) => 1 / (1 + Math.exp(-x))));
    for (const s of [0, 0.2]) {
      const zs = z.map((r) => r.map((v) => v * (1 - s) + 0.5 * s));
      const fromLogits = mean(
        logits.map((r, i) =>
          mean(r.map((x, k) => Math.max(x, 0) - x * zs[i]![k]! + Math.log1p(Math.exp(-Math.abs(x))))),
        ),
      );
      const fromProbs = mean(
        probs.map((r, i) =>
          mean(
            r.map((p, k) => -(zs[i]![k]! * Math.log(clipP(p)) + (1 - zs[i]![k]!) * Math.log(1 - clipP(p)))),
          ),
        ),
      );
      const a = scalar(
        b,
        binaryCrossentropy({ fromLogits: true, labelSmoothing: s }).compute(b, b.tensor(z), b.tensor(logits)),
      );
      const c = scalar(b, binaryCrossentropy({ labelSmoothing: s }).compute(b, b.tensor(z), b.tensor(probs)));
      expectClose(`bce from logits, smoothing ${s}`, [a], [fromLogits], tolerance);
      expectClose(`bce from probabilities, smoothing ${s}`, [c], [fromProbs], {
        atol: tolerance.atol * 10,
        rtol: tolerance.rtol * 10,
      });
    }
  });

  it('categorical and sparse categorical crossentropy agree, from logits and probabilities', () => {
    const logits = rows(values(20, 'cls', -3, 3), 5); // [4, 5]
    const ids = [0, 3, 4, 2];
    const oneHot = ids.map((c) => Array.from({ length: 5 }, (_, k) => (k === c ? 1 : 0)));
    const probs = logits.map(softmaxRow);
    const expected = mean(probs.map((p, i) => -Math.log(p[ids[i]!]!)));
    const cases: [string, number][] = [
      [
        'categorical logits',
        scalar(
          b,
          categoricalCrossentropy({ fromLogits: true }).compute(b, b.tensor(oneHot), b.tensor(logits)),
        ),
      ],
      [
        'categorical probabilities',
        scalar(b, categoricalCrossentropy().compute(b, b.tensor(oneHot), b.tensor(probs))),
      ],
      [
        'sparse logits',
        scalar(
          b,
          sparseCategoricalCrossentropy({ fromLogits: true }).compute(
            b,
            b.tensor(ids, [4], 'int32'),
            b.tensor(logits),
          ),
        ),
      ],
      [
        'sparse probabilities',
        scalar(b, sparseCategoricalCrossentropy().compute(b, b.tensor(ids, [4], 'int32'), b.tensor(probs))),
      ],
      // Float class ids and a trailing axis of 1 are accepted, as Keras.
      [
        'sparse float ids [4, 1]',
        scalar(
          b,
          sparseCategoricalCrossentropy({ fromLogits: true }).compute(
            b,
            b.tensor(ids.map((c) => [c])),
            b.tensor(logits),
          ),
        ),
      ],
    ];
    for (const [what, got] of cases)
      expectClose(what, [got], [expected], { atol: tolerance.atol * 10, rtol: tolerance.rtol * 10 });
    // Label smoothing moves one-hot rows towards uniform: y(1 - s) + s / classes.
    const s = 0.1;
    const smoothed = mean(
      probs.map(
        (p, i) => -p.reduce((acc, pk, k) => acc + (oneHot[i]![k]! * (1 - s) + s / 5) * Math.log(pk), 0),
      ),
    );
    const got = scalar(
      b,
      categoricalCrossentropy({ fromLogits: true, labelSmoothing: s }).compute(
        b,
        b.tensor(oneHot),
        b.tensor(logits),
      ),
    );
    expectClose('categorical with smoothing', [got], [smoothed], {
      atol: tolerance.atol * 10,
      rtol: tolerance.rtol * 10,
    });
  });

  it('masks exclude masked steps from the mean; sample weights scale samples or steps', () => {
    // Sequence output [2, 3, 2], mask [2, 3].
    const y = [values(6, 'sy'), values(6, 'sy2')].map((r) => rows(r, 2));
    const p = [values(6, 'sp'), values(6, 'sp2')].map((r) => rows(r, 2));
    const mask = [
      [1, 1, 0],
      [1, 0, 0],
    ];
    const perStep = y.map((seq, i) =>
      seq.map((step, t) => mean(step.map((v, k) => (v - p[i]![t]![k]!) ** 2))),
    );
    const valid = perStep.flatMap((seq, i) => seq.filter((_, t) => mask[i]![t] === 1));
    const loss = meanSquaredError();
    expectClose(
      'masked mean',
      [scalar(b, loss.compute(b, b.tensor(y), b.tensor(p), { mask: b.tensor(mask) }))],
      [mean(valid)],
      tolerance,
    );
    // Per-sample weights [2] on top of the mask: divided by the number of valid steps (Keras 3).
    const w = [2, 0.5];
    const weighted = perStep.flatMap((seq, i) => seq.map((v, t) => v * w[i]! * mask[i]![t]!));
    expectClose(
      'masked, sample-weighted',
      [
        scalar(
          b,
          loss.compute(b, b.tensor(y), b.tensor(p), { mask: b.tensor(mask), sampleWeight: b.tensor(w) }),
        ),
      ],
      [weighted.reduce((a, c) => a + c, 0) / valid.length],
      tolerance,
    );
    // Per-step weights [2, 3] without a mask: divided by the number of values.
    const stepWeights = [
      [1, 0, 2],
      [0.5, 1, 0],
    ];
    const byStep = perStep.flatMap((seq, i) => seq.map((v, t) => v * stepWeights[i]![t]!));
    expectClose(
      'per-step weights',
      [scalar(b, loss.compute(b, b.tensor(y), b.tensor(p), { sampleWeight: b.tensor(stepWeights) }))],
      [byStep.reduce((a, c) => a + c, 0) / 6],
      tolerance,
    );
    // Everything masked: 0, not NaN.
    const none = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    expect(scalar(b, loss.compute(b, b.tensor(y), b.tensor(p), { mask: b.tensor(none) }))).toBe(0);
  });

  it('reductions: sum, none, meanWithSampleWeight, and Keras spellings', () => {
    const perSample = yTrue.map((r, i) => mean(r.map((v, k) => (v - yPred[i]![k]!) ** 2)));
    const w = [1, 2, 0, 3];
    const yt = b.tensor(yTrue);
    const yp = b.tensor(yPred);
    const sum = scalar(b, meanSquaredError({ reduction: 'sum' }).compute(b, yt, yp));
    expectClose('sum', [sum], [perSample.reduce((a, c) => a + c, 0)], tolerance);
    const none = meanSquaredError({ reduction: 'none' }).compute(b, yt, yp, { sampleWeight: b.tensor(w) });
    expectClose(
      'none',
      flat(b, none),
      perSample.map((v, i) => v * w[i]!),
      tolerance,
    );
    const withWeights = scalar(
      b,
      meanSquaredError({ reduction: 'meanWithSampleWeight' }).compute(b, yt, yp, {
        sampleWeight: b.tensor(w),
      }),
    );
    expectClose(
      'meanWithSampleWeight',
      [withWeights],
      [perSample.reduce((a, v, i) => a + v * w[i]!, 0) / 6],
      tolerance,
    );
    expect(meanSquaredError({ reduction: 'sum_over_batch_size' as never }).reduction).toBe(
      'sumOverBatchSize',
    );
    expect(() => meanSquaredError({ reduction: 'average' as never })).toThrow(
      /meanSquaredError reduction: expected one of "sumOverBatchSize", "sum", "none", "meanWithSampleWeight", received "average"/,
    );
  });
});

describe('crossentropy stays finite at the extremes', () => {
  it('from logits: huge logits give exact losses, no overflow', () => {
    const b = cpuBackend();
    const bce = scalar(
      b,
      binaryCrossentropy({ fromLogits: true }).compute(b, b.tensor([[0, 1]]), b.tensor([[1000, -1000]])),
    );
    expect(bce).toBeCloseTo(1000, 3);
    const cce = scalar(
      b,
      sparseCategoricalCrossentropy({ fromLogits: true }).compute(
        b,
        b.tensor([1], [1], 'int32'),
        b.tensor([[500, -500, 0]]),
      ),
    );
    expect(cce).toBeCloseTo(1000, 3);
  });

  it('from probabilities: 0 and 1 are clipped to 1e-7 (loss -log(1e-7) ≈ 16.1, not Infinity)', () => {
    const b = createReferenceBackend();
    const bce = scalar(b, binaryCrossentropy().compute(b, b.tensor([[1]]), b.tensor([[0]])));
    expect(bce).toBeCloseTo(-Math.log(1e-7), 9);
    const cce = scalar(b, categoricalCrossentropy().compute(b, b.tensor([[0, 1]]), b.tensor([[1, 0]])));
    expect(cce).toBeCloseTo(-Math.log(1e-7), 9);
  });

  it('gradients from logits are finite where probabilities saturate', () => {
    const b = cpuBackend();
    const logits = b.tensor([[60, -60, 0]]);
    const { value, grads } = b.valueAndGrads(
      (x) => sparseCategoricalCrossentropy({ fromLogits: true }).compute(b, b.tensor([1], [1], 'int32'), x),
      [logits],
    );
    const g = b.dataSync(grads[0]!);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
    // d/dz of -log softmax(z)[1] = softmax(z) - onehot(1).
    expectClose('gradient', g, [1, -1, 0], { atol: 1e-6, rtol: 0 });
    b.dispose([value, ...grads, logits]);
  });
});

describe('labels that do not fit the loss', () => {
  const b = createReferenceBackend();
  const preds = b.tensor(Float64Array.from(values(32 * 5 * 10, 'big', 0, 1)), [32, 5, 10]);

  it('sparse: names the loss, the shapes received and the shape expected', () => {
    expect(() =>
      sparseCategoricalCrossentropy().compute(b, b.tensor(new Float64Array(32 * 5 * 10), [32, 5, 10]), preds),
    ).toThrow(
      'sparseCategoricalCrossentropy: labels shape [32, 5, 10] does not fit predictions [32, 5, 10]: expected [32, 5] of int class ids in [0, 10) (one-hot labels need categoricalCrossentropy)',
    );
    expect(() =>
      sparseCategoricalCrossentropy().compute(b, b.tensor(new Float64Array(32 * 4), [32, 4]), preds),
    ).toThrow(
      'sparseCategoricalCrossentropy: labels shape [32, 4] does not fit predictions [32, 5, 10]: expected [32, 5] of int class ids in [0, 10)',
    );
  });

  it('sparse: class ids out of range or not whole', () => {
    const ids = new Float64Array(32 * 5);
    ids[7] = 10;
    expect(() => sparseCategoricalCrossentropy().compute(b, b.tensor(ids, [32, 5]), preds)).toThrow(
      'sparseCategoricalCrossentropy: labels must be int class ids in [0, 10) for predictions [32, 5, 10], received 10 at flat index 7 of labels [32, 5]',
    );
    ids[7] = 1.5;
    expect(() => sparseCategoricalCrossentropy().compute(b, b.tensor(ids, [32, 5]), preds)).toThrow(
      /received 1.5 at flat index 7/,
    );
  });

  it('categorical: class ids where one-hot rows are expected', () => {
    expect(() =>
      categoricalCrossentropy().compute(b, b.tensor(new Float64Array(32 * 5), [32, 5]), preds),
    ).toThrow(
      'categoricalCrossentropy: labels shape [32, 5] does not fit predictions [32, 5, 10]: expected [32, 5, 10] of one-hot rows (class ids need sparseCategoricalCrossentropy)',
    );
  });

  it('entrywise losses: no silent broadcasting; [n] fits [n, 1]', () => {
    const p = b.tensor([[0.5], [0.25]]);
    expect(() => meanSquaredError().compute(b, b.tensor([[1, 2]]), p)).toThrow(
      'meanSquaredError: labels shape [1, 2] does not fit predictions [2, 1]: expected [2, 1]',
    );
    expect(() => binaryCrossentropy().compute(b, b.tensor([[1], [0], [1]]), p)).toThrow(
      'binaryCrossentropy: labels shape [3, 1] does not fit predictions [2, 1]: expected [2, 1]',
    );
    expect(scalar(b, meanSquaredError().compute(b, b.tensor([1, 0]), p))).toBeCloseTo(
      (0.25 + 0.0625) / 2,
      12,
    );
  });

  it('masks and sample weights that do not fit the per-sample values', () => {
    const y = b.tensor([[1], [0]]);
    const p = b.tensor([[0.5], [0.25]]);
    expect(() => meanSquaredError().compute(b, y, p, { sampleWeight: b.tensor([1, 2, 3]) })).toThrow(
      'meanSquaredError sampleWeight: shape [3] does not fit the per-sample loss values [2]: expected [2] or a leading part of it such as [2]',
    );
    expect(() => meanSquaredError().compute(b, y, p, { mask: b.tensor([[1, 1]]) })).toThrow(
      /meanSquaredError mask: shape \[1, 2\] does not fit/,
    );
  });
});

describe('losses by name', () => {
  it('accepts Keras names in camelCase and snake_case, and aliases', () => {
    expect(getLoss('mse').className).toBe('MeanSquaredError');
    expect(getLoss('mean_squared_error').className).toBe('MeanSquaredError');
    expect(getLoss('MeanAbsoluteError').className).toBe('MeanAbsoluteError');
    expect(getLoss('sparse_categorical_crossentropy').className).toBe('SparseCategoricalCrossentropy');
    expect(getLoss('binaryCrossentropy').className).toBe('BinaryCrossentropy');
    expect(getLoss('huber').className).toBe('Huber');
  });

  it('unknown names list the known ones', () => {
    expect(() => getLoss('msee')).toThrow(SeqmodelError);
    expect(() => getLoss('msee')).toThrow(
      `loss: unknown loss "msee" (did you mean "mse"?); known losses: ${listLosses().join(', ')}`,
    );
    expect(listLosses()).toContain('meanSquaredError / mse');
  });

  it('a custom loss gets masks, weights and the reduction like a built-in one', () => {
    const b = createReferenceBackend();
    const cube = customLoss('meanCubedError', (backend, yTrue, yPred) => {
      const d = backend.abs(backend.sub(yPred, yTrue));
      return backend.sum(backend.mul(d, backend.mul(d, d)), -1);
    });
    const got = scalar(
      b,
      cube.compute(b, b.tensor([[1], [2]]), b.tensor([[3], [2]]), { sampleWeight: b.tensor([0.5, 1]) }),
    );
    expect(got).toBeCloseTo((8 * 0.5 + 0) / 2, 12);
    // A plain function works as a loss too.
    const fn = getLoss(function l1<T>(backend: Backend<T>, yTrue: T, yPred: T) {
      return backend.sum(backend.abs(backend.sub(yPred, yTrue)), -1);
    });
    expect(fn.name).toBe('l1');
    expect(scalar(b, fn.compute(b, b.tensor([[1, 1]]), b.tensor([[0, 3]])))).toBe(3);
  });

  it('frees every intermediate', () => {
    const b = cpuBackend();
    const y = b.tensor([[1, 0, 0]]);
    const p = b.tensor([[2, 1, 0]]);
    const w = b.tensor([2]);
    const before = b.memory().numTensors;
    for (const loss of [
      categoricalCrossentropy({ fromLogits: true }),
      meanSquaredError(),
      huber(),
      binaryCrossentropy(),
    ]) {
      b.dispose(loss.compute(b, y, p, { sampleWeight: w }));
    }
    expect(b.memory().numTensors).toBe(before);
    expect(() => sparseCategoricalCrossentropy().compute(b, y, p)).toThrow(SeqmodelError);
    expect(b.memory().numTensors).toBe(before);
  });
});
