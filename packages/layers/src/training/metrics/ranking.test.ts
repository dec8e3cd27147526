/**
 * Top-k accuracy, AUC, precision and recall: Keras 3's documented examples, ties and non-finite predictions, and AUC against the
 * weighted Mann-Whitney statistic (the exact area under the ROC curve) computed pair by pair in float64.
 */
import { createReferenceBackend, createRng } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { dense } from '../../layers/dense.js';
import { sequential } from '../../models/sequential.js';
import { binaryCrossentropy } from '../losses/crossentropy.js';
import { cpuBackend } from '../test-helpers.js';
import {
  AUC,
  auc,
  getMetric,
  precision,
  recall,
  SparseTopKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
  topKCategoricalAccuracy,
} from './index.js';

const b = createReferenceBackend();

describe('top-k accuracy', () => {
  const pred = () =>
    b.tensor([
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ]);

  it("Keras' examples: k = 1, unweighted and with sample weights", () => {
    const m = topKCategoricalAccuracy({ k: 1 });
    m.updateState(
      b,
      b.tensor([
        [0, 0, 1],
        [0, 1, 0],
      ]),
      pred(),
    );
    expect(m.result()).toBe(0.5);
    const weighted = topKCategoricalAccuracy({ k: 1 });
    weighted.updateState(
      b,
      b.tensor([
        [0, 0, 1],
        [0, 1, 0],
      ]),
      pred(),
      { sampleWeight: b.tensor([0.7, 0.3]) },
    );
    // The weights are read back in float32.
    expect(weighted.result()).toBeCloseTo(0.3, 7);
    const sparse = sparseTopKCategoricalAccuracy({ k: 1 });
    sparse.updateState(b, b.tensor([2, 1], [2], 'int32'), pred());
    expect(sparse.result()).toBe(0.5);
    // k = 2: the first row's label (0.8) is second largest.
    const two = sparseTopKCategoricalAccuracy({ k: 2 });
    two.updateState(b, b.tensor([2, 1], [2], 'int32'), pred());
    expect(two.result()).toBe(1);
    expect(sparseTopKCategoricalAccuracy().k).toBe(5);
  });

  it('ties at the boundary count as in the top k; infinities elsewhere do not spoil the label’s value; NaN ranks last', () => {
    const m = sparseTopKCategoricalAccuracy({ k: 1 });
    m.updateState(
      b,
      b.tensor([1, 1, 0, 2], [4], 'int32'),
      b.tensor([
        [0.5, 0.5, 0.1], // tied with class 0: in the top 1
        [Number.POSITIVE_INFINITY, 0.2, 0.1], // one larger: not in the top 1
        [Number.NaN, 0.2, 0.1], // NaN at the label: last
        [Number.NEGATIVE_INFINITY, -1, 3], // the largest, beside −∞
      ]),
    );
    expect(m.result()).toBe(0.5);
    const two = sparseTopKCategoricalAccuracy({ k: 2 });
    two.updateState(
      b,
      b.tensor([1, 0], [2], 'int32'),
      b.tensor([
        [Number.POSITIVE_INFINITY, 0.2, 0.1],
        [Number.NaN, 0.2, 0.1],
      ]),
    );
    expect(two.result()).toBe(0.5);
  });

  it('per step of a sequence, masked steps left out; by name; bad k and labels', () => {
    const m = sparseTopKCategoricalAccuracy({ k: 1 });
    // [1, 2, 3] steps of 2 classes; the third step is masked (and wrong).
    m.updateState(
      b,
      b.tensor([[1, 0, 0]], [1, 3], 'int32'),
      b.tensor([
        [
          [0.2, 0.8],
          [0.6, 0.4],
          [0.1, 0.9],
        ],
      ]),
      { mask: b.tensor([[1, 1, 0]]) },
    );
    expect(m.result()).toBe(1);
    expect(getMetric('top_k_categorical_accuracy')).toBeInstanceOf(TopKCategoricalAccuracy);
    expect(getMetric('sparse_top_k_categorical_accuracy').name).toBe('sparse_top_k_categorical_accuracy');
    expect(getMetric('sparseTopKCategoricalAccuracy')).toBeInstanceOf(SparseTopKCategoricalAccuracy);
    expect(() => topKCategoricalAccuracy({ k: 0 })).toThrow(
      'topKCategoricalAccuracy k: expected a positive integer, received 0',
    );
    expect(() => topKCategoricalAccuracy({ kk: 2 } as never)).toThrow(
      'topKCategoricalAccuracy options: unknown option "kk"; known options: name, k',
    );
    expect(() => topKCategoricalAccuracy().updateState(b, b.tensor([1, 0], [2]), pred())).toThrow(
      'topKCategoricalAccuracy: labels shape [2] does not fit predictions [2, 3]: expected [2, 3] of one-hot rows (class ids need sparseTopKCategoricalAccuracy)',
    );
    expect(() => sparseTopKCategoricalAccuracy().updateState(b, b.tensor([3, 0], [2]), pred())).toThrow(
      'sparseTopKCategoricalAccuracy: labels must be int class ids in [0, 3)',
    );
  });
});

/** The exact weighted area under the ROC curve: pairs (positive, negative) ordered correctly, ties counting 1/2. */
function mannWhitney(labels: number[], preds: number[], weights: number[]): number {
  let ordered = 0;
  let pairs = 0;
  labels.forEach((yi, i) => {
    if (yi !== 1) return;
    labels.forEach((yj, j) => {
      if (yj !== 0) return;
      const w = weights[i]! * weights[j]!;
      pairs += w;
      ordered += w * (preds[i]! > preds[j]! ? 1 : preds[i] === preds[j] ? 0.5 : 0);
    });
  });
  return ordered / pairs;
}

describe('AUC', () => {
  it("Keras' example: 3 thresholds, unweighted 0.75, with sample weights 1", () => {
    // Thresholds [−1e-7, 0.5, 1 + 1e-7]: tp [2, 1, 0], fp [2, 0, 0]; recall [1, 0.5, 0], false-positive rate
    // [1, 0, 0]; area (1 + 0.5) / 2 · (1 − 0) = 0.75.
    const m = auc({ numThresholds: 3 });
    m.updateState(b, b.tensor([0, 0, 1, 1]), b.tensor([0, 0.5, 0.3, 0.9]));
    expect(m.result()).toBeCloseTo(0.75, 12);
    expect(Array.from(m.confusion()[0]!.tp)).toEqual([2, 1, 0]);
    expect(Array.from(m.confusion()[0]!.fp)).toEqual([2, 0, 0]);
    const weighted = auc({ numThresholds: 3 });
    weighted.updateState(b, b.tensor([0, 0, 1, 1]), b.tensor([0, 0.5, 0.3, 0.9]), {
      sampleWeight: b.tensor([1, 0, 0, 1]),
    });
    expect(weighted.result()).toBeCloseTo(1, 12);
  });

  it('the same example: the other summations and the PR curve', () => {
    const run = (options: ConstructorParameters<typeof AUC>[0]) => {
      const m = auc({ numThresholds: 3, ...options });
      m.updateState(b, b.tensor([0, 0, 1, 1]), b.tensor([0, 0.5, 0.3, 0.9]));
      return m.result();
    };
    // ROC steps: heights max(1, 0.5) and min(1, 0.5) over the one step of width 1.
    expect(run({ summationMethod: 'majoring' })).toBeCloseTo(1, 12);
    expect(run({ summationMethod: 'minoring' })).toBeCloseTo(0.5, 12);
    // PR with Davis & Goadrich's interpolation, by hand: between thresholds 0 and 1, dtp 1, predicted positives 4
    // and 1, slope 1/3, intercept 2/3, increment (1/3)(1 + (2/3) ln 4) / 2; between 1 and 2, slope 1, intercept 0,
    // increment 1 / 2.
    expect(run({ curve: 'PR' })).toBeCloseTo(((1 / 3) * (1 + (2 / 3) * Math.log(4))) / 2 + 0.5, 12);
    // PR majoring by hand: recall [1, 0.5, 0], precision [0.5, 1, 0]; heights 1 and 1 over widths 0.5 and 0.5.
    expect(run({ curve: 'PR', summationMethod: 'majoring' })).toBeCloseTo(1, 12);
  });

  it('equals the exact weighted Mann-Whitney area when no bucket mixes different predictions', () => {
    // Predictions at the centres of 12 of 199 buckets (ties between positives and negatives on purpose), weights
    // in [0.5, 2), over three batches: the trapezoids then pass through every point of the exact ROC curve.
    const rng = createRng('auc');
    const levels = Array.from({ length: 12 }, (_, i) => (i * 13 + 7.5) / 199);
    const labels: number[] = [];
    const preds: number[] = [];
    const weights: number[] = [];
    const m = auc();
    const cpu = cpuBackend();
    const onCpu = auc();
    for (let batch = 0; batch < 3; batch++) {
      const n = 40;
      const y = Array.from({ length: n }, () => (rng.uniform(0, 1) < 0.4 ? 1 : 0));
      // Positives lean higher, so that the area is far from 0.5.
      const p = y.map((yi) => levels[Math.min(11, Math.floor(rng.uniform(0, 9)) + 3 * yi)]!);
      // float32 values: what the metric reads back.
      const w = Array.from({ length: n }, () => Math.fround(rng.uniform(0.5, 2)));
      labels.push(...y);
      preds.push(...p);
      weights.push(...w);
      m.updateState(b, b.tensor(y, [n, 1]), b.tensor(p, [n, 1]), { sampleWeight: b.tensor(w) });
      onCpu.updateState(cpu, cpu.tensor(y, [n, 1]), cpu.tensor(p, [n, 1]), { sampleWeight: cpu.tensor(w) });
    }
    const exact = mannWhitney(labels, preds, weights);
    expect(exact).toBeGreaterThan(0.7);
    expect(m.result()).toBeCloseTo(exact, 12);
    expect(onCpu.result()).toBeCloseTo(exact, 6);
    m.resetState();
    expect(m.result()).toBe(0);
  });

  it('multiLabel: one curve per label, the mean area; fromLogits applies a sigmoid; masks leave steps out', () => {
    const y = [
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ];
    const p = [
      [0.9, 0.2],
      [0.3, 0.6],
      [0.2, 0.4],
      [0.1, 0.7],
    ];
    const multi = auc({ multiLabel: true, numThresholds: 101 });
    multi.updateState(b, b.tensor(y), b.tensor(p));
    const first = mannWhitney([1, 0, 1, 0], [0.9, 0.3, 0.2, 0.1], [1, 1, 1, 1]);
    const second = mannWhitney([0, 1, 1, 0], [0.2, 0.6, 0.4, 0.7], [1, 1, 1, 1]);
    expect(multi.confusion()).toHaveLength(2);
    expect(multi.result()).toBeCloseTo((first + second) / 2, 12);
    // Without multiLabel every entry is one sample of one curve.
    const flat = auc({ numThresholds: 101 });
    flat.updateState(b, b.tensor(y), b.tensor(p));
    expect(flat.result()).toBeCloseTo(mannWhitney(y.flat(), p.flat(), new Array(8).fill(1)), 12);
    const logits = auc({ fromLogits: true, numThresholds: 101 });
    logits.updateState(b, b.tensor(y), b.tensor(p.map((row) => row.map((q) => Math.log(q / (1 - q))))));
    expect(logits.result()).toBeCloseTo(flat.result(), 12);
    // [1, 3, 1] steps: the positive (0.3) below the one negative left (0.6), area 0; counting the masked third
    // step (a negative at 0.1) would make it 0.5.
    const masked = auc({ numThresholds: 101 });
    masked.updateState(b, b.tensor([[[1], [0], [0]]]), b.tensor([[[0.3], [0.6], [0.1]]]), {
      mask: b.tensor([[1, 1, 0]]),
    });
    expect(masked.result()).toBe(0);
  });

  it("Keras' update paths: evenly spaced thresholds clip and bucket predictions; any nonzero label is a positive", () => {
    // Outside [0, 1] the predictions are clipped: the negatives at 0 exceed −ε, the positives at 1 everything but 1 + ε.
    const clipped = auc();
    clipped.updateState(b, b.tensor([0, 1, 0, 1]), b.tensor([-2, 3, -1, 2]));
    expect(clipped.result()).toBe(1);
    // A fractional label is a positive (Keras casts labels to bool).
    const fractional = auc({ numThresholds: 3 });
    fractional.updateState(b, b.tensor([0.5, 0]), b.tensor([0.9, 0.1]));
    expect(fractional.result()).toBe(1);
    expect(Array.from(fractional.confusion()[0]!.tp)).toEqual([1, 1, 0]);
    // On a grid point the float32 bucket decides: p = fround(31/199) is above threshold 31 (Keras' ceil(p·199) − 1
    // is 31, as fround(p·199) is 31.000002), where comparing with the float32 threshold would say not.
    const p = Math.fround(31 / 199);
    expect(Math.fround(p * 199)).toBeGreaterThan(31);
    const grid = auc();
    grid.updateState(b, b.tensor([1]), b.tensor([p]));
    expect([grid.confusion()[0]!.tp[31], grid.confusion()[0]!.tp[32]]).toEqual([1, 0]);
    // Given thresholds are sorted before the evenly-spaced check: both orders take the same path.
    const sorted = auc({ thresholds: [0.25, 0.5, 0.75] });
    const unsorted = auc({ thresholds: [0.75, 0.25, 0.5] });
    for (const m of [sorted, unsorted])
      m.updateState(b, b.tensor([0, 1, 0, 1]), b.tensor([-0.5, 0.6, 0.3, 1.5]));
    expect(unsorted.result()).toBe(sorted.result());
    expect(sorted.result()).toBe(1);
  });

  it('weights of the predictions’ shape weigh each entry (as Keras broadcasts them)', () => {
    // Label 1 of row 0 weighs 0: its low prediction (0.2 under a positive) no longer counts against the curve.
    const y = b.tensor([
      [1, 1],
      [0, 0],
    ]);
    const p = b.tensor([
      [0.9, 0.2],
      [0.4, 0.3],
    ]);
    const m = auc({ numThresholds: 101 });
    m.updateState(b, y, p, {
      sampleWeight: b.tensor([
        [1, 0],
        [1, 1],
      ]),
    });
    expect(m.result()).toBeCloseTo(mannWhitney([1, 0, 0], [0.9, 0.4, 0.3], [1, 1, 1]), 12);
    const r = recall();
    r.updateState(b, y, p, {
      sampleWeight: b.tensor([
        [1, 0],
        [1, 1],
      ]),
    });
    expect(r.result()).toBe(1);
  });

  it('weights per row spread over the row’s entries (rows of several labels, and rows of a sequence)', () => {
    // Row 0 weighs 3, row 1 weighs 1. Positives: row 0's first (found, 3), row 1's first (missed, 1) and second
    // (found, 1): recall (3 + 1) / 5. Weights spread by column instead would give 4 / 7.
    const r = recall();
    r.updateState(
      b,
      b.tensor([
        [1, 0],
        [1, 1],
      ]),
      b.tensor([
        [0.9, 0.1],
        [0.2, 0.8],
      ]),
      { sampleWeight: b.tensor([3, 1]) },
    );
    expect(r.result()).toBeCloseTo(4 / 5, 12);
    // [1, 2, 2]: two steps of two labels, the second step masked: only step 0's two (right) positives count.
    const p = precision();
    p.updateState(
      b,
      b.tensor([
        [
          [1, 1],
          [0, 0],
        ],
      ]),
      b.tensor([
        [
          [0.9, 0.8],
          [0.9, 0.9],
        ],
      ]),
      { mask: b.tensor([[1, 0]]) },
    );
    expect(p.result()).toBe(1);
  });

  it('by name (following a from-logits loss); options and labels checked; nothing left on the device', () => {
    expect(getMetric('AUC')).toBeInstanceOf(AUC);
    expect((getMetric('auc', { loss: binaryCrossentropy({ fromLogits: true }) }) as AUC).fromLogits).toBe(
      true,
    );
    expect((getMetric('auc', { loss: binaryCrossentropy() }) as AUC).fromLogits).toBe(false);
    expect(auc().thresholds).toHaveLength(200);
    expect(auc({ thresholds: [0.7, 0.2] }).thresholds).toEqual([-1e-7, 0.2, 0.7, 1 + 1e-7].map(Math.fround));
    expect(() => auc({ curve: 'roc' as never })).toThrow(
      'auc curve: expected one of "ROC", "PR", received "roc"',
    );
    expect(() => auc({ numThresholds: 1 })).toThrow(
      'auc numThresholds: expected an integer >= 2, received 1',
    );
    expect(() => auc({ thresholds: [0.5, 2] })).toThrow(
      'auc thresholds: expected an array of numbers in [0, 1], received [0.5,2]',
    );
    expect(() => auc({ numThreshold: 10 } as never)).toThrow('(did you mean "numThresholds"?)');
    expect(() => auc().updateState(b, b.tensor([0, 2]), b.tensor([0.1, 0.9]))).toThrow(
      'auc: labels must lie in [0, 1], received 2 at flat index 1 of labels [2]',
    );
    const multi = auc({ multiLabel: true });
    multi.updateState(b, b.tensor([[1, 0]]), b.tensor([[0.5, 0.5]]));
    expect(() => multi.updateState(b, b.tensor([[1, 0, 1]]), b.tensor([[0.5, 0.5, 0.5]]))).toThrow(
      'auc: predictions [1, 3] have 3 labels, but earlier batches had 2 (multiLabel keeps one curve per label)',
    );
    const cpu = cpuBackend();
    const yTrue = cpu.tensor([1, 0, 1], [3], 'int32');
    const yPred = cpu.tensor([0.8, 0.3, 0.4]);
    const weight = cpu.tensor([1, 2, 1]);
    const classes = cpu.tensor([
      [0.2, 0.8],
      [0.6, 0.4],
      [0.1, 0.9],
    ]);
    const before = cpu.memory().numTensors;
    for (const m of [auc(), auc({ curve: 'PR', multiLabel: true }), precision(), recall({ topK: 1 })]) {
      m.updateState(cpu, yTrue, yPred, { sampleWeight: weight });
    }
    sparseTopKCategoricalAccuracy({ k: 1 }).updateState(cpu, yTrue, classes, { sampleWeight: weight });
    topKCategoricalAccuracy({ k: 1 }).updateState(cpu, classes, classes, { sampleWeight: weight });
    expect(cpu.memory().numTensors).toBe(before);
    cpu.dispose([yTrue, yPred, weight, classes]);
  });
});

describe('in a compiled model', () => {
  it("evaluate's auc (from a from-logits loss) over several batches equals one AUC over predict's logits", async () => {
    const cpu = cpuBackend();
    const rng = createRng('auc-model');
    const n = 40;
    const xs = Array.from({ length: n * 3 }, () => rng.uniform(-1, 1));
    const ys = Array.from({ length: n }, (_, i) => (xs[3 * i]! + 0.5 * xs[3 * i + 1]! > 0 ? 1 : 0));
    const x = cpu.tensor(xs, [n, 3]);
    const y = cpu.tensor(ys, [n, 1]);
    const m = sequential([dense({ units: 1 })], { backend: cpu, seed: 3, inputShape: [3] });
    m.compile({
      optimizer: 'sgd',
      loss: binaryCrossentropy({ fromLogits: true }),
      metrics: ['auc', 'accuracy'],
    });
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const logs = await m.evaluate(x, y, { batchSize: 8 });
    const logits = m.predict(x);
    const direct = auc({ fromLogits: true });
    direct.updateState(cpu, y, logits);
    expect(logs.auc).toBeCloseTo(direct.result(), 12);
    expect(logs.auc).toBeGreaterThan(0.5);
    cpu.dispose([x, y, logits]);
    m.dispose();
  });
});

describe('precision and recall', () => {
  it("Keras' examples: thresholds 0.5, sample weights, topK over a vector", () => {
    const p = precision();
    p.updateState(b, b.tensor([0, 1, 1, 1]), b.tensor([1, 0, 1, 1]));
    expect(p.result()).toBeCloseTo(2 / 3, 12);
    p.resetState();
    p.updateState(b, b.tensor([0, 1, 1, 1]), b.tensor([1, 0, 1, 1]), {
      sampleWeight: b.tensor([0, 0, 1, 0]),
    });
    expect(p.result()).toBe(1);
    const r = recall();
    r.updateState(b, b.tensor([0, 1, 1, 1]), b.tensor([1, 0, 1, 1]));
    expect(r.result()).toBeCloseTo(2 / 3, 12);
    r.resetState();
    r.updateState(b, b.tensor([0, 1, 1, 1]), b.tensor([1, 0, 1, 1]), {
      sampleWeight: b.tensor([0, 0, 1, 0]),
    });
    expect(r.result()).toBe(1);
    // topK ranks the whole vector; ties keep the lower indices: the first two, both negatives.
    const top2 = precision({ topK: 2 });
    top2.updateState(b, b.tensor([0, 0, 1, 1]), b.tensor([1, 1, 1, 1]));
    expect(top2.result()).toBe(0);
    const top4 = precision({ topK: 4 });
    top4.updateState(b, b.tensor([0, 0, 1, 1]), b.tensor([1, 1, 1, 1]));
    expect(top4.result()).toBe(0.5);
  });

  it('counted by hand over batches: rows of classes, topK per row, classId, masks, a threshold', () => {
    const y = [
      [1, 0, 1],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const scores = [
      [0.9, 0.8, 0.1],
      [0.6, 0.7, 0.2],
      [0.3, 0.4, 0.45],
    ];
    // Threshold 0.5, every entry: positives predicted 0.9 (y 1), 0.8 (0), 0.6 (0), 0.7 (1): tp 2, fp 2; the labels
    // at 0.1 and 0.45 missed: fn 2.
    const p = precision();
    const r = recall();
    for (const m of [p, r]) m.updateState(b, b.tensor(y), b.tensor(scores));
    expect(p.result()).toBe(0.5);
    expect(r.result()).toBe(0.5);
    // Top 1 per row, threshold −∞: 0.9 (y 1), 0.7 (y 1), 0.45 (y 1): all right; fn: the label at 0.1.
    const p1 = precision({ topK: 1 });
    const r1 = recall({ topK: 1 });
    for (const m of [p1, r1]) m.updateState(b, b.tensor(y), b.tensor(scores));
    expect(p1.result()).toBe(1);
    expect(r1.result()).toBe(0.75);
    // Class 2 only, threshold 0.4: predictions 0.1 (y 1), 0.2 (y 0), 0.45 (y 1): tp 1, fn 1, fp 0.
    const c2 = recall({ classId: 2, thresholds: 0.4 });
    c2.updateState(b, b.tensor(y), b.tensor(scores));
    expect(c2.result()).toBe(0.5);
    // A second batch with the third row masked out: [1, 2, 3] time steps of 1 prediction.
    const seq = precision();
    seq.updateState(b, b.tensor([[[1], [0], [1]]]), b.tensor([[[0.9], [0.7], [0.8]]]), {
      mask: b.tensor([[1, 1, 0]]),
    });
    expect(seq.result()).toBe(0.5);
    expect(precision().result()).toBe(0);
  });

  it('thresholds compared in float32; rows as Keras matches the ranks; classId needs a class axis', () => {
    // 0.3 as a float32 prediction equals fround(0.3): not above the float32 threshold (in float64 it would be).
    const r = recall({ thresholds: 0.3 });
    r.updateState(b, b.tensor([1]), b.tensor([0.3]));
    expect(r.result()).toBe(0);
    // [n] predictions with [n, 1] labels are n rows of one: each is its row's top 1.
    const columns = precision({ topK: 1 });
    columns.updateState(b, b.tensor([[0], [1]]), b.tensor([0.9, 0.8]));
    expect(columns.result()).toBe(0.5);
    // [n] with [n]: one row, whose top 1 is the negative.
    const vector = precision({ topK: 1 });
    vector.updateState(b, b.tensor([0, 1]), b.tensor([0.9, 0.8]));
    expect(vector.result()).toBe(0);
    expect(() => precision({ classId: 0 }).updateState(b, b.tensor([0, 1]), b.tensor([0.9, 0.8]))).toThrow(
      'precision classId: predictions [2] have no class axis; expected [samples, classes] (or more axes) with classId',
    );
    // By name after a from-logits loss: threshold 0 (σ(0) = 0.5).
    const logits = getMetric('precision', { loss: binaryCrossentropy({ fromLogits: true }) }) as ReturnType<
      typeof precision
    >;
    expect(logits.thresholds).toBe(0);
    expect((getMetric('recall') as ReturnType<typeof recall>).thresholds).toBe(0.5);
    expect(() =>
      sparseTopKCategoricalAccuracy().updateState(b, b.tensor([[0, 1]]), b.tensor([[0.2, 0.8]])),
    ).toThrow('(one-hot labels need topKCategoricalAccuracy)');
  });

  it('by name; options and classId checked', () => {
    expect(getMetric('precision')).toBeInstanceOf(precision().constructor);
    expect(getMetric('Recall').name).toBe('Recall');
    expect(() => precision({ thresholds: [0.3, 0.7] as never })).toThrow(
      'precision thresholds: expected one number in [0, 1], received an array',
    );
    expect(() => recall({ topK: 0 })).toThrow('recall topK: expected a positive integer, received 0');
    expect(() => recall({ classId: 1.5 })).toThrow(
      'recall classId: expected an integer >= 0 (an index into the classes), received 1.5',
    );
    expect(() => recall({ classId: 3 }).updateState(b, b.tensor([[1, 0]]), b.tensor([[0.2, 0.9]]))).toThrow(
      'recall classId: 3 is not a class of predictions [1, 2] (expected an index below 2)',
    );
    expect(() => precision().updateState(b, b.tensor([[3, 0]]), b.tensor([[0.2, 0.9]]))).toThrow(
      'precision: labels must lie in [0, 1], received 3 at flat index 0 of labels [1, 2]',
    );
  });
});
