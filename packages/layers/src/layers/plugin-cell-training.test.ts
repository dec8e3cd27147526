/**
 * A cell written here, that no backend has a kernel for, registered with one line, trains in a model with `fit` on
 * the cpu and wasm backends through a fused kernel compiled from its step (no backend code, no fallback), and ends
 * with the weights that the same training through core's generic loop gives.
 *
 * Tolerance: both paths compute in float32 with different summation orders; after 4 SGD steps the weights differ by
 * at most 6e-8 here (cpu and wasm), so atol 1e-5 + rtol 1e-4 leaves a wide margin, while a wrong term in a gradient moves them by 1e-3
 * or more.
 */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import {
  type AnyCellPlugin,
  affine,
  type CellPlugin,
  findKernel,
  registerCell,
  setDebugLogger,
  splitLast,
  unregisterCell,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequential } from '../models/sequential.js';
import { sgd } from '../training/optimizers/index.js';
import { dense } from './dense.js';
import { rnn } from './rnn.js';

/**
 * The light GRU (Ravanelli, Brakel, Omologo & Bengio, 2018): a GRU without the reset gate, with a relu candidate.
 *   z = σ(x·Wz + h·Uz + bz),  h̃ = relu(x·Wh + h·Uh + bh),  h' = z·h + (1 − z)·h̃
 */
const liGru: CellPlugin<Record<string, never>> = {
  specificationVersion: 'v1',
  name: 'liGruTest',
  defaultOptions: {},
  params: ({ inputSize, units }) => [
    { name: 'kernel', shape: [inputSize, 2 * units], initializer: 'glorotUniform', gates: 2 },
    { name: 'recurrentKernel', shape: [units, 2 * units], initializer: 'orthogonal', gates: 2 },
    { name: 'bias', shape: [2 * units], initializer: 'zeros', gates: 2 },
  ],
  state: ({ units }) => [{ name: 'h', size: units }],
  projectInput: (ops, x, params) => affine(ops, x, params.kernel!, params.bias),
  step(ops, { input, state, params }) {
    const h = state[0]!;
    const [z, candidate] = splitLast(ops, ops.add(input, ops.matMul(h, params.recurrentKernel!)), 2);
    const gate = ops.sigmoid(z!);
    const next = ops.add(ops.mul(gate, h), ops.mul(ops.sub(1, gate), ops.relu(candidate!)));
    return { output: next, state: [next] };
  },
};

const batch = 8;
const time = 6;
const features = 3;

/** A fixed regression task: the target is the mean of the first feature over time. */
function data(): { x: number[][][]; y: number[][] } {
  const x = Array.from({ length: batch }, (_, b) =>
    Array.from({ length: time }, (_, t) =>
      Array.from({ length: features }, (_, f) => Math.sin(1.3 * b + 0.7 * t + 2.1 * f)),
    ),
  );
  const y = x.map((steps) => [steps.reduce((sum, step) => sum + step[0]!, 0) / time]);
  return { x, y };
}

/** Trains a fresh model for 4 steps with `fused`; the loss history and the final weights. */
async function train(
  backend: Awaited<ReturnType<typeof createWasmBackend>>,
  fused: 'require' | 'never',
): Promise<{ loss: number[]; weights: number[][] }> {
  const model = sequential<tf.Tensor>([rnn({ cell: 'liGruTest', units: 5, fused }), dense({ units: 1 })], {
    backend,
    seed: 11,
    inputShape: [null, features],
  });
  model.compile({ optimizer: sgd({ learningRate: 0.3 }), loss: 'mse' });
  const { x, y } = data();
  const xs = backend.tensor(x);
  const ys = backend.tensor(y);
  const tensors = backend.memory().numTensors;
  const history = await model.fit(xs, ys, { epochs: 4, batchSize: batch, verbose: 0, shuffle: false });
  expect(backend.memory().numTensors).toBe(tensors);
  backend.dispose([xs, ys]);
  return { loss: history.history.loss!, weights: model.getWeightData().map((w) => Array.from(w.values)) };
}

describe('a new plugin cell trains on compiled kernels', () => {
  const logged: string[] = [];
  beforeAll(() => {
    registerCell(liGru as AnyCellPlugin);
    setDebugLogger((topic, message) => logged.push(`${topic}: ${message}`));
    // tfjs's per-kernel leak check misreads custom gradients on wasm (DEVELOPERS.md); the test counts tensors itself.
    tf.env().set('IS_TEST', false);
  });
  afterAll(() => {
    setDebugLogger(undefined);
    unregisterCell('liGruTest');
  });

  for (const [name, create] of [
    ['cpu', async () => createCpuBackend()],
    ['wasm', () => createWasmBackend()],
  ] as const) {
    it(`on ${name}: fit runs the compiled kernel and matches the generic loop`, async () => {
      const backend = await create();
      expect(findKernel(backend, 'sequence', 'liGruTest')?.label).toMatch(/^compiled/);
      logged.length = 0;
      const compiled = await train(backend, 'require');
      // The debug log says which kernel ran, and no fallback.
      expect(logged.filter((l) => l.includes('liGruTest'))).toEqual([
        `fused: ${name}/liGruTest: ${findKernel(backend, 'sequence', 'liGruTest')!.label}`,
      ]);
      const generic = await train(backend, 'never');
      expect(compiled.loss.at(-1)!).toBeLessThan(compiled.loss[0]!);
      compiled.loss.forEach((l, i) => {
        expect(Math.abs(l - generic.loss[i]!)).toBeLessThan(1e-5 + 1e-4 * Math.abs(l));
      });
      compiled.weights.forEach((w, k) => {
        w.forEach((v, i) => {
          const g = generic.weights[k]![i]!;
          expect(Math.abs(v - g), `weight ${k}[${i}]`).toBeLessThan(1e-5 + 1e-4 * Math.abs(g));
        });
      });
    });
  }
});
