/**
 * seqmodel's layers on one backend, for a backend's own suite (and a GPU check that runs without vitest): the layer
 * conformance kit on the recurrent layers through the backend's fused kernels (masks, initial states, `goBackwards`,
 * recurrent dropout), Dense and Embedding, against the float64 reference and finite differences; and a small LSTM
 * model trained with `fit`, whose loss must fall while the tensor count stays put.
 */
import { type Backend, SeqmodelError } from '@seqmodel/core';
import type { ConformanceCheck } from '@seqmodel/core/testing';
// The built-in layers' registration (the kit's config round trip looks them up), as the package's entry does.
import '../layers/builtins.js';
import { dense } from '../layers/dense.js';
import { embedding } from '../layers/embedding.js';
import { gru, lstm, simpleRNN } from '../layers/rnn.js';
import { sequential } from '../models/sequential.js';
import type { LayerConformanceCase } from './layer-case.js';
import { layerConformanceChecks } from './layer-conformance.js';

const sequence = { shape: [3, 4, 2], buildShape: [null, null, 2], mask: true } as const;
const passed = { input: 0 } as const;

/** The cases: each recurrent layer twice (sequences, states and a mask; backwards, initial state, dropout). */
export function backendLayerCases(): LayerConformanceCase[] {
  const recurrent = (
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
  ]);
  return [
    ...recurrent,
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
}

/** Trains an LSTM on the mean of each sequence's first feature with `fit` (Adam, MSE). */
async function fitCheck<T>(backend: Backend<T>): Promise<void> {
  const model = sequential([lstm({ units: 8, inputShape: [null, 2] }), dense({ units: 1 })], {
    backend,
    seed: 3,
  });
  try {
    model.compile({ optimizer: 'adam', loss: 'mse' });
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
    const start = (first.history.loss as number[])[0]!;
    const losses = rest.history.loss as number[];
    const end = losses[losses.length - 1]!;
    if (!(end < 0.5 * start)) {
      throw new SeqmodelError(
        `fit on ${backend.name}: the loss went from ${start} to ${end} in 15 epochs; expected it to halve at least`,
      );
    }
    const after = backend.memory().numTensors;
    if (after !== tensors) {
      throw new SeqmodelError(
        `fit on ${backend.name}: ${tensors} tensors after the first epoch, ${after} after 14 more; expected no change`,
      );
    }
  } finally {
    model.dispose();
  }
}

/** Every check: the conformance kit on {@link backendLayerCases}, then the `fit` check. */
export function backendLayerChecks<T>(backend: Backend<T>): ConformanceCheck[] {
  return [
    ...backendLayerCases().flatMap((testCase) => layerConformanceChecks(testCase, backend)),
    {
      name: `a small LSTM model trained with fit on ${backend.name}: the loss halves, no tensor is left behind`,
      run: () => fitCheck(backend),
    },
  ];
}
