/**
 * Metrics against values computed by hand: accumulation over batches (weighted by samples, masked steps left out),
 * accuracy's choice of kind, perplexity, names and errors.
 */
import { createReferenceBackend, SeqmodelError } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { binaryCrossentropy, sparseCategoricalCrossentropy } from '../losses/crossentropy.js';
import { cpuBackend } from '../test-helpers.js';
import {
  Accuracy,
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  customMetric,
  getMetric,
  listMetrics,
  meanAbsoluteError,
  meanSquaredError,
  perplexity,
  rootMeanSquaredError,
  sparseCategoricalAccuracy,
} from './index.js';

describe('metrics', () => {
  const b = createReferenceBackend();

  it('mse and mae accumulate over batches as one mean over every sample', () => {
    const mse = meanSquaredError();
    const mae = meanAbsoluteError({ name: 'mae' });
    // Batch 1: errors 1 and 3 (one sample each); batch 2: errors 2, 0, 0.
    mse.updateState(b, b.tensor([[0], [0]]), b.tensor([[1], [3]]));
    mae.updateState(b, b.tensor([[0], [0]]), b.tensor([[1], [3]]));
    mse.updateState(b, b.tensor([[0], [1], [2]]), b.tensor([[2], [1], [2]]));
    mae.updateState(b, b.tensor([[0], [1], [2]]), b.tensor([[2], [1], [2]]));
    expect(mse.result()).toBeCloseTo((1 + 9 + 4) / 5, 12);
    expect(mae.result()).toBeCloseTo((1 + 3 + 2) / 5, 12);
    expect(mae.name).toBe('mae');
    mse.resetState();
    expect(mse.result()).toBe(0);
  });

  it('rmse is the root of the running mean squared error, not a mean of per-batch roots', () => {
    const rmse = rootMeanSquaredError();
    rmse.updateState(b, b.tensor([[0], [0]]), b.tensor([[1], [3]]));
    rmse.updateState(b, b.tensor([[0], [1], [2]]), b.tensor([[2], [1], [2]]));
    expect(rmse.result()).toBeCloseTo(Math.sqrt((1 + 9 + 4) / 5), 12);
    expect(rmse.name).toBe('rootMeanSquaredError');
    expect(getMetric('rmse').name).toBe('rmse');
    expect(getMetric('root_mean_squared_error')).toBeInstanceOf(rootMeanSquaredError().constructor);
  });

  it('masked steps do not count; sample weights do', () => {
    const mse = meanSquaredError();
    // [1, 3, 1] predictions against zeros, mask [1, 1, 0]: the third step (error 5) is ignored.
    mse.updateState(b, b.tensor([[[0], [0], [0]]]), b.tensor([[[1], [3], [5]]]), {
      mask: b.tensor([[1, 1, 0]]),
    });
    expect(mse.result()).toBeCloseTo((1 + 9) / 2, 12);
    const weighted = meanAbsoluteError();
    weighted.updateState(b, b.tensor([[0], [0]]), b.tensor([[1], [3]]), { sampleWeight: b.tensor([3, 1]) });
    expect(weighted.result()).toBeCloseTo((3 * 1 + 1 * 3) / 4, 12);
  });

  it('binary, categorical and sparse categorical accuracy', () => {
    const bin = binaryAccuracy();
    bin.updateState(
      b,
      b.tensor([
        [1, 0],
        [0, 1],
      ]),
      b.tensor([
        [0.9, 0.6],
        [0.2, 0.4],
      ]),
    );
    expect(bin.result()).toBe(0.5);
    const logits = binaryAccuracy({ threshold: 0 });
    logits.updateState(b, b.tensor([[1], [0]]), b.tensor([[0.3], [-2]]));
    expect(logits.result()).toBe(1);
    const cat = categoricalAccuracy();
    cat.updateState(
      b,
      b.tensor([
        [0, 1, 0],
        [1, 0, 0],
      ]),
      b.tensor([
        [0.1, 0.8, 0.1],
        [0.2, 0.7, 0.1],
      ]),
    );
    expect(cat.result()).toBe(0.5);
    const sparse = sparseCategoricalAccuracy();
    sparse.updateState(
      b,
      b.tensor([1, 0, 2], [3], 'int32'),
      b.tensor([
        [0.1, 0.8, 0.1],
        [0.2, 0.7, 0.1],
        [0, 0, 1],
      ]),
    );
    expect(sparse.result()).toBeCloseTo(2 / 3, 12);
  });

  it('accuracy picks its kind from the shapes, as Keras does for "accuracy"', () => {
    const cases: [number[][] | number[], number[][], string][] = [
      [[[1], [0]], [[0.7], [0.2]], 'BinaryAccuracy'],
      [
        [1, 2],
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        'SparseCategoricalAccuracy',
      ],
      [
        [[1], [2]],
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        'SparseCategoricalAccuracy',
      ],
      [
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        [
          [0, 1, 0],
          [0, 0, 1],
        ],
        'CategoricalAccuracy',
      ],
    ];
    for (const [labels, preds, kind] of cases) {
      const acc = accuracy();
      acc.updateState(b, b.tensor(labels), b.tensor(preds));
      expect(acc.resolved?.constructor.name).toBe(kind);
      expect(acc.result()).toBe(1);
    }
  });

  it('sequence accuracy over masked steps (a tagger)', () => {
    const acc = accuracy();
    // Tags [2, 3] against argmax of [2, 3, 2]; the masked step (row 1, step 2) is wrong but does not count.
    const preds = [
      [
        [0.9, 0.1],
        [0.2, 0.8],
        [0.6, 0.4],
      ],
      [
        [0.3, 0.7],
        [0.8, 0.2],
        [0.9, 0.1],
      ],
    ];
    acc.updateState(
      b,
      b.tensor([
        [0, 1, 1],
        [1, 0, 1],
      ]),
      b.tensor(preds),
      {
        mask: b.tensor([
          [1, 1, 0],
          [1, 1, 1],
        ]),
      },
    );
    expect(acc.result()).toBeCloseTo(4 / 5, 12);
  });

  // Sums are read back as float32 (dataSync), so 1e-6 here.
  it('perplexity is exp of the mean crossentropy per token, from probabilities or logits, masks respected', () => {
    const probs = [
      [
        [0.5, 0.5],
        [0.25, 0.75],
        [0.9, 0.1],
      ],
    ];
    const ids = [[0, 1, 1]];
    const mask = [[1, 1, 0]];
    const expected = Math.exp(-(Math.log(0.5) + Math.log(0.75)) / 2);
    const p = perplexity();
    p.updateState(b, b.tensor(ids), b.tensor(probs), { mask: b.tensor(mask) });
    expect(p.result()).toBeCloseTo(expected, 6);
    const logits = probs.map((seq) => seq.map((row) => row.map(Math.log)));
    const q = perplexity({ fromLogits: true });
    q.updateState(b, b.tensor(ids), b.tensor(logits), { mask: b.tensor(mask) });
    expect(q.result()).toBeCloseTo(expected, 6);
    // One-hot labels give the same.
    const r = perplexity();
    r.updateState(
      b,
      b.tensor([
        [
          [1, 0],
          [0, 1],
          [0, 1],
        ],
      ]),
      b.tensor(probs),
      { mask: b.tensor(mask) },
    );
    expect(r.result()).toBeCloseTo(expected, 6);
    // A uniform guess over 4 classes has perplexity 4.
    const u = perplexity();
    u.updateState(
      b,
      b.tensor([0, 3], [2], 'int32'),
      b.tensor([
        [0.25, 0.25, 0.25, 0.25],
        [0.25, 0.25, 0.25, 0.25],
      ]),
    );
    expect(u.result()).toBeCloseTo(4, 6);
  });

  it('labels that do not fit: errors name the metric and the shapes', () => {
    expect(() => meanSquaredError().updateState(b, b.tensor([[1, 2, 3]]), b.tensor([[1, 2]]))).toThrow(
      'meanSquaredError: labels shape [1, 3] does not fit predictions [1, 2]: expected [1, 2]',
    );
    expect(() =>
      categoricalAccuracy().updateState(
        b,
        b.tensor([1, 2]),
        b.tensor([
          [0, 1, 0],
          [0, 0, 1],
        ]),
      ),
    ).toThrow(
      'categoricalAccuracy: labels shape [2] does not fit predictions [2, 3]: expected [2, 3] of one-hot rows',
    );
    expect(() =>
      sparseCategoricalAccuracy().updateState(
        b,
        b.tensor([[1, 2]]),
        b.tensor([
          [0, 1, 0],
          [0, 0, 1],
        ]),
      ),
    ).toThrow(
      'sparseCategoricalAccuracy: labels shape [1, 2] does not fit predictions [2, 3]: expected [2] of int class ids in [0, 3)',
    );
    expect(() => perplexity().updateState(b, b.tensor([[1, 0]]), b.tensor([[0.5, 0.5, 0]]))).toThrow(
      'perplexity: labels shape [1, 2] does not fit predictions [1, 3]: expected [1] of int class ids or [1, 3] of one-hot rows',
    );
  });

  it('by name: the name given is the log name; accuracy and perplexity follow the loss’s fromLogits', () => {
    expect(getMetric('mse').name).toBe('mse');
    expect(getMetric('mean_absolute_error').name).toBe('mean_absolute_error');
    expect(getMetric('acc')).toBeInstanceOf(Accuracy);
    expect(
      (getMetric('accuracy', { loss: binaryCrossentropy({ fromLogits: true }) }) as Accuracy).threshold,
    ).toBe(0);
    expect((getMetric('accuracy', { loss: binaryCrossentropy() }) as Accuracy).threshold).toBe(0.5);
    const ppl = getMetric('perplexity', { loss: sparseCategoricalCrossentropy({ fromLogits: true }) });
    expect((ppl as unknown as { fromLogits: boolean }).fromLogits).toBe(true);
    expect(() => getMetric('f1')).toThrow(SeqmodelError);
    expect(() => getMetric('f1')).toThrow(
      `metrics: unknown metric "f1"; known metrics: ${listMetrics().join(', ')}`,
    );
  });

  it('a custom metric from a function', () => {
    const maxError = customMetric('maxError', (backend, yTrue, yPred) =>
      backend.max(backend.abs(backend.sub(yPred, yTrue)), -1),
    );
    maxError.updateState(
      b,
      b.tensor([
        [0, 0],
        [1, 1],
      ]),
      b.tensor([
        [0.5, 2],
        [1, 1.5],
      ]),
    );
    expect(maxError.result()).toBeCloseTo((2 + 0.5) / 2, 12);
  });

  it('frees what it computes on the device', () => {
    const cpu = cpuBackend();
    const y = cpu.tensor([1, 0], [2], 'int32');
    const p = cpu.tensor([
      [0.2, 0.8],
      [0.6, 0.4],
    ]);
    const before = cpu.memory().numTensors;
    for (const m of [accuracy(), perplexity(), sparseCategoricalAccuracy()]) m.updateState(cpu, y, p);
    expect(cpu.memory().numTensors).toBe(before);
    cpu.dispose([y, p]);
  });
});
