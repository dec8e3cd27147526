import { expect, it } from 'vitest';
import { cpuProvider } from './backends.js';
import { benchCell } from './cells.js';
import { harnessModel, seqmodelModel } from './models.js';
import { benchData } from './weights.js';
import { learningRate } from './workload.js';

const size = { batch: 2, time: 3, inputSize: 2, units: 4 };

it("harnessModel trains the sum of the parameters against the target with the seqmodel model's step, leaving no tensors", async () => {
  const { backend } = await cpuProvider.create({ path: 'compiled' });
  const data = benchData(benchCell('mgu'), size, 1);
  const before = backend.memory().numTensors;
  const model = harnessModel(backend, data);
  const sum = data.params.reduce((s, p) => s + p.values.reduce((a, v) => a + v, 0), 0);
  expect(model.forward()[0]).toBeCloseTo(sum, 4);
  // The loss is the mean squared error of that sum against every target value.
  const target = data.target.values;
  const mse = target.reduce((s, t) => s + (sum - t) ** 2, 0) / target.length;
  expect(model.trainStep()).toBeCloseTo(mse, 4);
  // Each parameter's gradient is 2 · mean(sum − target) for every entry: one SGD step moves them all alike.
  const step = (learningRate * 2 * target.reduce((s, t) => s + (sum - t), 0)) / target.length;
  const weights = model.weights();
  data.params.forEach((p, i) => {
    weights[i]!.forEach((w, j) => {
      expect(w).toBeCloseTo(p.values[j]! - step, 5);
    });
  });
  model.dispose();
  expect(backend.memory().numTensors).toBe(before);
});

it('seqmodelModel frees what its forward pass and training step make', async () => {
  const { backend } = await cpuProvider.create({ path: 'compiled' });
  const before = backend.memory().numTensors;
  const model = seqmodelModel(
    backend,
    benchCell('peepholeLstm'),
    size,
    benchData(benchCell('peepholeLstm'), size, 1),
  );
  expect(model.kernel).toBe('compiled (javascript)');
  const during = backend.memory().numTensors;
  model.forward();
  model.trainStep();
  expect(backend.memory().numTensors).toBe(during);
  model.dispose();
  expect(backend.memory().numTensors).toBe(before);
});
