/**
 * seqmodel's layers on the native backend: the layer conformance kit (`@seqmodel/layers/testing`) on the
 * recurrent layers (fused kernels, masks, initial states, recurrent dropout), Dense and Embedding, compared with the
 * float64 reference and finite differences; and a small model trained with `fit`.
 */
import { dense, embedding, gru, lstm, sequential, simpleRNN } from '@seqmodel/layers';
import { type LayerConformanceCase, layerConformanceChecks } from '@seqmodel/layers/testing';
import { describe, expect, it } from 'vitest';
import { isAvailable } from './addon.js';
import { createNativeBackend } from './native-backend.js';

const availability = isAvailable();
const sequence = { shape: [3, 4, 2], buildShape: [null, null, 2], mask: true } as const;
const passed = { input: 0 } as const;

const cases: LayerConformanceCase[] = [
  ...(
    [
      ['LSTM', lstm, 2],
      ['GRU', gru, 1],
      ['GRU resetAfter false', (o: Record<string, unknown>) => gru({ ...o, resetAfter: false } as never), 1],
      ['SimpleRNN', simpleRNN, 1],
    ] as const
  ).flatMap(([name, factory, states]): LayerConformanceCase[] => [
    {
      label: `${name} returnSequences, returnState, mask`,
      factory: factory as never,
      options: { units: 3, returnSequences: true, returnState: true },
      inputs: [sequence],
      masks: { outputs: [passed, ...Array.from({ length: states }, () => 'none' as const)] },
    },
    {
      label: `${name} goBackwards, initial state, recurrent dropout`,
      factory: factory as never,
      options: { units: 3, returnSequences: true, goBackwards: true, recurrentDropout: 0.3 },
      inputs: [sequence],
      initialState: Array.from({ length: states }, () => ({ shape: [3, 3] })),
      masks: { outputs: [passed] },
    },
  ]),
  {
    factory: dense as never,
    options: { units: 3, activation: 'tanh' },
    inputs: [{ shape: [3, 4, 2], mask: true }],
    masks: { outputs: [passed] },
  },
  {
    factory: embedding as never,
    options: { inputDim: 7, outputDim: 3 },
    inputs: [
      {
        shape: [3, 4],
        dtype: 'int32',
        values: (n: number) => Array.from({ length: n }, (_, i) => (i * 5) % 7),
      },
    ],
    masks: { ignored: 'without maskZero an Embedding makes no mask' },
  } as never,
];

describe.skipIf(!availability.available)(
  `layers on the native backend${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  async () => {
    if (!availability.available) return;
    const backend = await createNativeBackend();
    for (const testCase of cases) {
      for (const check of layerConformanceChecks(testCase, backend))
        it.skipIf(check.skip !== undefined)(check.name, check.run);
    }

    it('trains a small LSTM model with fit: the loss falls', async () => {
      const model = sequential([lstm({ units: 8, inputShape: [null, 2] }), dense({ units: 1 })], {
        backend,
        seed: 3,
      });
      model.compile({ optimizer: 'adam', loss: 'mse' });
      // The sum of each sequence's first feature: a task an LSTM learns in a few epochs.
      const n = 64;
      const time = 5;
      const xs = Array.from({ length: n * time * 2 }, (_, i) => Math.sin(i * 0.37));
      const ys = Array.from({ length: n }, (_, s) => {
        let sum = 0;
        for (let t = 0; t < time; t++) sum += xs[(s * time + t) * 2]!;
        return sum / time;
      });
      const x = { data: xs, shape: [n, time, 2] };
      const y = { data: ys, shape: [n, 1] };
      const first = await model.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, seed: 1 });
      // After the first epoch the optimizer's state exists; further epochs must not add tensors.
      const tensors = backend.memory().numTensors;
      const rest = await model.fit(x, y, { epochs: 14, batchSize: 16, verbose: 0, seed: 2 });
      const losses = rest.history.loss as number[];
      expect(losses[losses.length - 1]!).toBeLessThan(0.5 * (first.history.loss as number[])[0]!);
      expect(backend.memory().numTensors).toBe(tensors);
      model.dispose();
    });
  },
);
