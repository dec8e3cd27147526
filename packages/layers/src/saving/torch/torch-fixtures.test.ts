/**
 * PyTorch's own numbers (fixtures/generate.py, torch 1.13 on CPU in float64): each module's state dict loads into
 * the layer built by its `torch*` helper, the forward pass matches PyTorch's output, and one SGD step on the mean
 * squared error gives PyTorch's parameters, within 1e-5 on cpu and wasm (the weights are float32-exact; the rest is
 * float32 arithmetic over a handful of steps) and 1e-7 forward on the float64 reference (weights are float32, and
 * LSTM / RNN biases are PyTorch's two summed and rounded to float32; measured 2e-8). LSTM and RNN keep one bias for
 * PyTorch's two (see `checkTorchFixture`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { type Backend, createReferenceBackend } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import type { Layer } from '../../engine/layer.js';
import { sequential } from '../../models/sequential.js';
import { tf } from '../../test-helpers.js';
import { checkTorchFixture, parseTorchFixture } from '../../testing/torch-fixtures.js';
import { torchEmbedding, torchGRU, torchLinear, torchLSTM, torchRNN } from './modules.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function readFixture(name: string) {
  return parseTorchFixture(
    readFileSync(join(FIXTURES, `${name}.safetensors`)),
    readFileSync(join(FIXTURES, `${name}.io.safetensors`)),
    name,
  );
}

const CASES: readonly { name: string; make: () => Layer; summedBiases?: boolean }[] = [
  { name: 'linear', make: () => torchLinear({ outFeatures: 3 }) },
  { name: 'embedding', make: () => torchEmbedding({ numEmbeddings: 10, embeddingDim: 4 }) },
  { name: 'rnn', make: () => torchRNN({ inputSize: 3, hiddenSize: 4, numLayers: 2 }), summedBiases: true },
  {
    name: 'rnn_relu_bidirectional',
    make: () => torchRNN({ hiddenSize: 4, nonlinearity: 'relu', bidirectional: true }),
    summedBiases: true,
  },
  { name: 'lstm', make: () => torchLSTM({ hiddenSize: 4, numLayers: 2 }), summedBiases: true },
  {
    name: 'lstm_bidirectional',
    make: () => torchLSTM({ hiddenSize: 4, bidirectional: true }),
    summedBiases: true,
  },
  { name: 'gru_bidirectional', make: () => torchGRU({ hiddenSize: 4, numLayers: 2, bidirectional: true }) },
];

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
        const backend = await make();
        const fixture = readFixture(c.name);
        const layer = c.make();
        const m = sequential([layer], {
          backend,
          seed: 1,
          inputShape: fixture.io.get('input')!.shape.slice(1),
        });
        const check = checkTorchFixture(m, fixture, {
          mapping: { [layer.name]: '' },
          summedBiases: c.summedBiases ?? false,
        });
        m.dispose();
        expect(check.forward).toBeLessThan(backendName === 'reference' ? 1e-7 : 1e-5);
        expect(check.tensorsLeft).toBe(0);
        if (backendName === 'reference') return;
        expect(check.afterStep, check.worstKey).toBeLessThan(1e-5);
      });
    }
  }
});
