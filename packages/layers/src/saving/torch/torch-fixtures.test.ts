/**
 * PyTorch's own numbers (fixtures/generate.py, torch 1.13 on CPU in float64): each module's state dict loads into
 * the layer built by its `torch*` helper, the forward pass matches PyTorch's output, and one SGD step on the mean
 * squared error gives PyTorch's parameters, within 1e-5 (the weights are float32-exact; the rest is float32
 * arithmetic on the tfjs backends, a few ulps over a handful of steps). LSTM and RNN keep one bias for PyTorch's
 * two: PyTorch's step moves `bias_ih + bias_hh` by twice the gradient, ours moves the one bias by it once, so the
 * bias is checked against the mean of PyTorch's sums before and after the step.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { type Backend, createReferenceBackend, ReferenceBackend, type RefTensor } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import type { Layer } from '../../engine/layer.js';
import { sequential } from '../../models/sequential.js';
import { sgd } from '../../training/optimizers/sgd.js';
import { tf } from '../../test-helpers.js';
import { loadTorchWeights, torchStateDict } from './load-save.js';
import { torchEmbedding, torchGRU, torchLinear, torchLSTM, torchRNN } from './modules.js';
import { readSafetensors } from './safetensors.js';
import type { StateDict } from './state-dict.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export interface TorchFixture {
  readonly state: StateDict;
  readonly config: Record<string, unknown>;
  readonly io: StateDict;
  readonly lr: number;
}

export function readFixture(directory: string, name: string): TorchFixture {
  const state = readSafetensors(readFileSync(join(directory, `${name}.safetensors`)), name);
  const io = readSafetensors(readFileSync(join(directory, `${name}.io.safetensors`)), `${name}.io`);
  return { state: state.tensors, config: JSON.parse(state.metadata.config!), io: io.tensors, lr: Number(io.metadata.lr) };
}

function maxGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let gap = 0;
  for (let i = 0; i < a.length; i++) gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
  return gap;
}

const CASES: readonly { name: string; make: () => Layer; summedBias?: boolean }[] = [
  { name: 'linear', make: () => torchLinear({ outFeatures: 3 }) },
  { name: 'embedding', make: () => torchEmbedding({ numEmbeddings: 10, embeddingDim: 4 }) },
  { name: 'rnn', make: () => torchRNN({ inputSize: 3, hiddenSize: 4, numLayers: 2 }), summedBias: true },
  {
    name: 'rnn_relu_bidirectional',
    make: () => torchRNN({ hiddenSize: 4, nonlinearity: 'relu', bidirectional: true }),
    summedBias: true,
  },
  { name: 'lstm', make: () => torchLSTM({ hiddenSize: 4, numLayers: 2 }), summedBias: true },
  { name: 'lstm_bidirectional', make: () => torchLSTM({ hiddenSize: 4, bidirectional: true }), summedBias: true },
  { name: 'gru_bidirectional', make: () => torchGRU({ hiddenSize: 4, numLayers: 2, bidirectional: true }) },
];

/** Loads the fixture into a one-layer model, checks the forward pass and one SGD step against PyTorch's. */
export async function checkAgainstTorch<T>(
  backend: Backend<T>,
  fixture: TorchFixture,
  layer: Layer,
  summedBias = false,
): Promise<void> {
  const input = fixture.io.get('input')!;
  const tensors = backend.memory().numTensors;
  const m = sequential<T>([layer], { backend, seed: 1, inputShape: input.shape.slice(1) });
  const mapping = { mapping: { [layer.name]: '' } };
  await loadTorchWeights(m, fixture.state, mapping);
  // The float64 reference gets PyTorch's float64 inputs and matches to rounding (1e-7: weights are float32, and
  // LSTM / RNN biases are PyTorch's two summed and rounded to float32; measured 2e-8); it cannot train.
  const float64 = backend instanceof ReferenceBackend;
  const x = backend.tensor(float64 ? input.data : Float32Array.from(input.data), input.shape);
  const target = fixture.io.get('target')!;
  const y = backend.tensor(Float32Array.from(target.data), target.shape);
  const out = m.apply(x) as T;
  const values = float64 ? (backend as ReferenceBackend).toFloat64(out as RefTensor) : backend.dataSync(out);
  expect(maxGap(values, fixture.io.get('output')!.data)).toBeLessThan(float64 ? 1e-7 : 1e-5);
  backend.dispose(out);
  if (float64) {
    backend.dispose([x, y]);
    m.dispose();
    expect(backend.memory().numTensors).toBe(tensors);
    return;
  }
  m.compile({ optimizer: sgd({ learningRate: fixture.lr }), loss: 'mse' });
  m.trainOnBatch(x, y);
  const after = torchStateDict(m, mapping);
  expect([...after.keys()].sort()).toEqual([...fixture.state.keys()].sort());
  for (const [key, t] of after) {
    const torchAfter = fixture.io.get(`sgd.${key}`)!.data;
    if (summedBias && key.includes('bias_hh')) {
      expect(Math.max(...t.data.map(Math.abs))).toBe(0);
      continue;
    }
    let expected: ArrayLike<number> = torchAfter;
    if (summedBias && key.includes('bias_ih')) {
      const other = key.replace('bias_ih', 'bias_hh');
      const sumAfter = torchAfter.map((v, i) => v + fixture.io.get(`sgd.${other}`)!.data[i]!);
      const sumBefore = fixture.state.get(key)!.data.map((v, i) => v + fixture.state.get(other)!.data[i]!);
      expected = sumAfter.map((v, i) => (v + sumBefore[i]!) / 2);
    }
    expect(maxGap(t.data, expected), key).toBeLessThan(1e-5);
  }
  backend.dispose([x, y]);
  m.dispose();
  expect(backend.memory().numTensors).toBe(tensors);
}

describe('PyTorch fixtures: forward (float64 reference, cpu, wasm) and one SGD step (cpu, wasm)', () => {
  tf.env().set('IS_TEST', false);
  const backends: [string, () => Promise<Backend<unknown>>][] = [
    ['reference', async () => createReferenceBackend() as Backend<unknown>],
    ['cpu', async () => createCpuBackend() as Backend<unknown>],
    ['wasm', async () => (await createWasmBackend()) as Backend<unknown>],
  ];
  for (const [backendName, make] of backends) {
    for (const c of CASES) {
      it(`${c.name} on ${backendName}`, async () => {
        await checkAgainstTorch(await make(), readFixture(FIXTURES, c.name), c.make(), c.summedBias);
      });
    }
  }
});
