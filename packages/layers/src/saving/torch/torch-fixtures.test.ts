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
import { dense } from '../../layers/dense.js';
import { sequential } from '../../models/sequential.js';
import { tf } from '../../test-helpers.js';
import { checkTorchFixture, parseTorchFixture } from '../../testing/torch-fixtures.js';
import { sgd } from '../../training/optimizers/sgd.js';
import { loadTorchStateDict, torchStateDict } from './load-save.js';
import { torchBatchNorm1d, torchEmbedding, torchGRU, torchLinear, torchLSTM, torchRNN } from './modules.js';

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

describe('PyTorch fixture: nn.BatchNorm1d (eval and train mode, the running statistics, one SGD step)', () => {
  tf.env().set('IS_TEST', false);
  const backends: [string, () => Promise<Backend<unknown>>][] = [
    ['reference', async () => createReferenceBackend() as Backend<unknown>],
    ['cpu', async () => createCpuBackend() as Backend<unknown>],
    ['wasm', async () => (await createWasmBackend()) as Backend<unknown>],
  ];
  for (const [backendName, make] of backends) {
    it(`batchnorm on ${backendName} (1e-7 on the float64 reference, 1e-5 in float32)`, async () => {
      const backend = await make();
      const fixture = readFixture('batchnorm');
      const tolerance = backendName === 'reference' ? 1e-7 : 1e-5;
      const float64 = backendName === 'reference';
      const io = (key: string) => fixture.io.get(key)!;
      const tensor = (key: string) =>
        backend.tensor(float64 ? io(key).data : Float32Array.from(io(key).data), io(key).shape);
      const gap = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        expect(a.length).toBe(b.length);
        return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
      };
      const read = (t: unknown) =>
        float64
          ? (backend as unknown as { toFloat64(x: unknown): Float64Array }).toFloat64(t)
          : backend.dataSync(t);
      const before = backend.memory().numTensors;
      const fresh = () => {
        const layer = torchBatchNorm1d({ numFeatures: 4, momentum: 0.2, inputShape: [null, 4] });
        const m = sequential([layer], { backend, seed: 1 });
        // The state dict holds num_batches_tracked (int64), which no weight takes.
        expect(fixture.state.has('num_batches_tracked')).toBe(true);
        loadTorchStateDict(m, fixture.state, { mapping: { [layer.name]: '' } });
        return m;
      };
      const m = fresh();
      const x = tensor('input');
      const evalOut = m.apply(x);
      expect(gap(read(evalOut), io('eval_output').data)).toBeLessThan(tolerance);
      const trainOut = m.apply(x, { training: true });
      expect(gap(read(trainOut), io('output').data)).toBeLessThan(tolerance);
      backend.dispose([evalOut, trainOut]);
      const [, , mean, variance] = m.getWeightData();
      expect(gap(mean!.values, io('running_mean_after').data)).toBeLessThan(1e-6);
      // PyTorch moves the running variance by the unbiased batch variance, n / (n − 1) times this layer's (n = 15).
      const startVariance = fixture.state.get('running_var')!.data;
      const batchPart = (after: ArrayLike<number>) =>
        Array.from(after, (v, i) => (v - 0.8 * startVariance[i]!) / 0.2);
      const ours = batchPart(variance!.values).map((v) => (v * 15) / 14);
      expect(gap(ours, batchPart(io('running_var_after').data))).toBeLessThan(1e-5);
      // Saved back, the state dict has PyTorch's keys but the counter.
      expect([...torchStateDict(m, { mapping: { [m.layers[0]!.name]: '' } }).keys()]).toEqual([
        'weight',
        'bias',
        'running_mean',
        'running_var',
      ]);
      m.dispose();
      if (backendName !== 'reference') {
        const trained = fresh();
        const target = tensor('target');
        trained.compile({ optimizer: sgd({ learningRate: fixture.lr }), loss: 'mse' });
        trained.trainOnBatch(x, target);
        const [gamma, beta] = trained.getWeightData();
        expect(gap(gamma!.values, io('sgd.weight').data)).toBeLessThan(1e-5);
        expect(gap(beta!.values, io('sgd.bias').data)).toBeLessThan(1e-5);
        backend.dispose(target);
        trained.dispose();
      }
      backend.dispose(x);
      expect(backend.memory().numTensors).toBe(before);
    });
  }
});

describe('torchBatchNorm1d on [batch, features]', () => {
  it("takes a rank-2 input, with PyTorch's eval-mode numbers; names a shape that does not fit numFeatures", () => {
    const backend = createReferenceBackend();
    const fixture = readFixture('batchnorm');
    const layer = torchBatchNorm1d({ numFeatures: 4, momentum: 0.2, inputShape: [4] });
    const m = sequential([layer], { backend });
    loadTorchStateDict(m, fixture.state, { mapping: { [layer.name]: '' } });
    const rows = backend.tensor(fixture.io.get('input')!.data, [15, 4]);
    const out = m.apply(rows);
    const expected = fixture.io.get('eval_output')!.data;
    const got = backend.toFloat64(out);
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-7);
    expect(() =>
      sequential([torchBatchNorm1d({ numFeatures: 4, inputShape: [null, 3] })], { backend }),
    ).toThrow(
      'batch_normalization (BatchNormalization): built for an input of shape [null, null, 3], whose last axis has 3 features; torchBatchNorm1d numFeatures is 4',
    );
  });
});

describe('torchBatchNorm1d numFeatures', () => {
  it('is checked against the input when the layer is built', () => {
    const backend = createReferenceBackend();
    expect(() =>
      sequential([dense({ units: 3 }), torchBatchNorm1d({ numFeatures: 4 })], {
        backend,
        inputShape: [null, 2],
      }),
    ).toThrow(
      'batch_normalization (BatchNormalization): built for an input of shape [null, null, 3], whose last axis has 3 features; torchBatchNorm1d numFeatures is 4',
    );
  });
});
