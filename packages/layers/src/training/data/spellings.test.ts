/**
 * Core's batch contract in `fit`: a dataset batch or validation data spelled `{ inputs, targets, mask, lengths,
 * sampleWeights }` (as `@seqmodel/datasets` makes them) trains exactly as the deprecated `{ x, y, sampleWeight }`
 * spelling and the arguments of `fit(x, y, { sampleWeight })` do, and errors name the fields as the batch spells them.
 */
import { padSequences, selectExamples } from '@seqmodel/datasets';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dense } from '../../layers/dense.js';
import { embedding } from '../../layers/embedding.js';
import { lstm } from '../../layers/rnn.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { cpuBackend, seeded } from '../test-helpers.js';
import type { DataBatch } from './dataset.js';

type T = tf.Tensor;
const backend = cpuBackend();

/** Token sequences of different lengths (padded with 0 after), a target per sequence and a weight per sequence. */
const sequences = Array.from({ length: 12 }, (_, i) =>
  Array.from({ length: 2 + (i % 4) }, (_, k) => 1 + ((i * 3 + k) % 7)),
);
const padded = padSequences(sequences, { padding: 'post' });
const targets = sequences.map((s) => [s.length / 5]);
const weights = sequences.map((_, i) => (i % 3 === 0 ? 0 : 1 + (i % 2)));
const host = {
  targets: { data: Float32Array.from(targets.flat()), shape: [12, 1] },
  sampleWeights: { data: Float32Array.from(weights), shape: [12] },
};

function compiled(): Model<T> {
  const m = sequential<T>(
    [embedding({ inputDim: 8, outputDim: 3, inputShape: [null] }), lstm({ units: 4 }), dense({ units: 1 })],
    { backend, seed: 7 },
  );
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

function weightsOf(m: Model<T>): number[][] {
  return m.getWeightData().map((w) => Array.from(w.values));
}

/** Rows [start, start + 4) of the data set, in the spelling asked for. */
function batchOf(start: number, spelling: 'contract' | 'deprecated'): DataBatch<T> {
  const rows = Array.from({ length: 4 }, (_, i) => start + i);
  const b = selectExamples(
    { inputs: padded.values, ...host, mask: padded.mask, lengths: padded.lengths },
    rows,
  );
  return spelling === 'contract'
    ? b
    : { x: b.inputs, y: b.targets!, mask: b.mask!, lengths: b.lengths!, sampleWeight: b.sampleWeights! };
}

describe("core's batch contract in fit", () => {
  it('dataset batches train the same in both spellings, and as fit(x, y, { lengths, sampleWeight })', async () => {
    const trained: number[][][] = [];
    for (const spelling of ['contract', 'deprecated'] as const) {
      const m = compiled();
      const dataset = [0, 4, 8].map((s) => batchOf(s, spelling));
      await m.fit(dataset, { epochs: 2, verbose: 0, seed: 3 });
      trained.push(weightsOf(m));
    }
    const m = compiled();
    await m.fit(padded.values, host.targets, {
      lengths: padded.lengths,
      sampleWeight: host.sampleWeights,
      batchSize: 4,
      shuffle: false,
      epochs: 2,
      verbose: 0,
      seed: 3,
    });
    trained.push(weightsOf(m));
    expect(trained[1]).toEqual(trained[0]);
    expect(trained[2]).toEqual(trained[0]);
    // The weights moved: the three runs agree on something other than the initial weights.
    expect(trained[0]).not.toEqual(weightsOf(compiled()));
  });

  it('validation data as a batch, in both spellings, as a tuple and as a data set of datasets', async () => {
    const validation = batchOf(8, 'contract');
    const { lengths: _, ...deprecated } = batchOf(8, 'deprecated');
    const forms = [
      validation,
      deprecated,
      [validation.inputs, validation.targets, validation.sampleWeights],
      [validation],
    ];
    const losses: number[] = [];
    for (const validationData of forms) {
      const m = compiled();
      const history = await m.fit(padded.values, host.targets, {
        epochs: 1,
        verbose: 0,
        seed: 1,
        validationData: validationData as never,
      });
      losses.push(history.history.val_loss![0]!);
      // The tuple has no mask: its padding steps count.
      const mask = validationData === forms[2] ? {} : { mask: validation.mask };
      const expected = await m.evaluate(validation.inputs!, validation.targets!, {
        sampleWeight: validation.sampleWeights!,
        ...mask,
      });
      expect(losses.at(-1)).toBeCloseTo(expected.loss!, 6);
    }
    // Same seed, same training data: the forms with the mask give the same validation loss.
    expect(losses[1]).toBe(losses[0]);
    expect(losses[3]).toBe(losses[0]);
  });

  it('errors name the fields as the batch spells them', async () => {
    const start = backend.memory().numTensors;
    const m = compiled();
    const good = batchOf(0, 'contract');
    const short = { data: Float32Array.from([1, 2, 3]), shape: [3, 1] };
    await expect(m.fit([{ ...good, targets: short }], { verbose: 0 })).rejects.toThrow(
      'sequential (Sequential) fit dataset batch 0 targets: expected 4 rows (as inputs), received 3 (shape [3, 1])',
    );
    const old = batchOf(0, 'deprecated');
    await expect(m.fit([{ ...old, y: short }], { verbose: 0 })).rejects.toThrow(
      'sequential (Sequential) fit dataset batch 0 y: expected 4 rows (as x), received 3 (shape [3, 1])',
    );
    await expect(m.fit([{ ...good, sampleWeights: 'heavy' }] as never, { verbose: 0 })).rejects.toThrow(
      /^sequential \(Sequential\) fit dataset batch 0 sampleWeights: expected a tensor of backend/,
    );
    await expect(m.fit(seeded(4, 'x') as never, [1, 2, 3, 4], { lengths: [1, -2, 1, 1] })).rejects.toThrow(
      'sequential (Sequential) fit lengths[1]: expected a non-negative integer length, received -2',
    );
    m.dispose();
    expect(backend.memory().numTensors).toBe(start);
  });
});
