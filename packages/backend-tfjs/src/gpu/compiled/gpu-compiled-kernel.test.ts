import '@tensorflow/tfjs-backend-cpu';
import {
  type AnyCellPlugin,
  gru,
  initParams,
  lstm,
  resolveCellOptions,
  runSequence,
  simpleRNN,
} from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../../backend-switching.js';
import { compiledCellChecks } from '../../testing/compiled-kernel-checks.js';
import { fusedCellConfigs } from '../../testing/fused-kernel-checks.js';
import { InterpretingLauncher, interpretedGpuBackend } from '../../testing/interpreting-launcher.js';
import { leakyRnn } from '../../testing/leaky-rnn.js';
import { minimalGatedUnit } from '../../testing/plugin-cell.js';
import { gpuCompiledSequenceKernel } from './gpu-compiled-kernel.js';

await initTfjsBackend('cpu');

const backend = interpretedGpuBackend();
/** WebGL's limit (16 textures per program). */
const webglLike = interpretedGpuBackend(new InterpretingLauncher(16));

const cases = [
  { cell: minimalGatedUnit, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: leakyRnn,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 5, options: { leak: 0.25, activation: 'relu' } },
    ],
  },
  { cell: simpleRNN, configs: fusedCellConfigs.simpleRNN!.slice(0, 3) },
  { cell: lstm, configs: fusedCellConfigs.lstm!.slice(0, 2) },
  { cell: gru, configs: fusedCellConfigs.gru!.slice(0, 1) },
  // GRU without resetAfter, with a mask and recurrent dropout, has a backward program reading 8 tensors: more than
  // WebGPU allows (see the refusal below), within WebGL's 16.
  { cell: gru, configs: fusedCellConfigs.gru!.slice(1, 2), backend: webglLike },
];
for (const { cell, configs, backend: on = backend } of cases) {
  describe(`compiled GPU programs (interpreted) for ${cell.name}`, () => {
    for (const check of compiledCellChecks(cell, on, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

describe('launches per step', () => {
  const cells = [minimalGatedUnit, leakyRnn, simpleRNN, lstm, gru];
  /** Program launches of a run of `time` steps (forward, or forward and backward). */
  function launches(cell: AnyCellPlugin, time: number, training: boolean): number {
    const launcher = new InterpretingLauncher(7);
    const b = interpretedGpuBackend(launcher);
    const [batch, inputSize, units] = [2, 3, 4];
    const options = resolveCellOptions(cell, {});
    const host = initParams(cell, { inputSize, units }, 1);
    const names = Object.keys(host);
    const params = names.map((n) => b.tensor(host[n]!.values, host[n]!.shape));
    const inputs = b.tensor(new Float32Array(batch * time * inputSize).fill(0.5), [batch, time, inputSize]);
    const run = (ps: tf.Tensor[]) =>
      runSequence(b, {
        cell,
        options,
        units,
        inputs,
        params: Object.fromEntries(names.map((n, i) => [n, ps[i]!])),
      }).output;
    if (training) {
      const { value, grads } = b.valueAndGrads((...ps) => b.sum(run(ps)), params);
      b.dispose([value, ...grads]);
    } else b.dispose(run(params));
    b.dispose([...params, inputs]);
    return launcher.launches;
  }
  // Forward, backward: one launch per elementwise pass of the plan, products inline.
  const expected: Record<string, [number, number]> = {
    testMinimalGatedUnit: [2, 2],
    testLeakyRNN: [1, 1],
    simpleRNN: [1, 1],
    lstm: [1, 1],
    gru: [1, 1],
  };
  for (const cell of cells) {
    it(`${cell.name}: the programs launched per step`, () => {
      const forward = (launches(cell, 7, false) - launches(cell, 3, false)) / 4;
      const both = (launches(cell, 7, true) - launches(cell, 3, true)) / 4;
      expect([forward, both - forward]).toEqual(expected[cell.name]);
    });
  }
});

describe('refusals', () => {
  it('declines a program that would read more tensors than the launcher allows, naming it', () => {
    const kernel = gpuCompiledSequenceKernel(backend, new InterpretingLauncher(7));
    const [batch, time, inputSize, units] = [2, 3, 3, 4];
    const options = resolveCellOptions(gru, { resetAfter: false });
    const host = initParams(gru, { inputSize, units, resetAfter: false }, 1);
    const params = Object.fromEntries(
      Object.entries(host).map(([n, p]) => [n, backend.tensor(p.values, p.shape)]),
    );
    const inputs = backend.tensor(new Float32Array(batch * time * inputSize), [batch, time, inputSize]);
    const mask = backend.tensor(new Float32Array(batch * time).fill(1), [batch, time]);
    const recurrentMask = backend.tensor(new Float32Array(batch * units).fill(1), [batch, units]);
    const args = { cell: gru, options, units, inputs, params, mask, recurrentMask, returnSequences: true };
    expect(kernel.supports(args)).toMatch(/gru backward \d would read 8 tensors, more than the 7/);
    expect(kernel.supports({ ...args, recurrentMask: undefined })).toBeUndefined();
    const wide = gpuCompiledSequenceKernel(backend, new InterpretingLauncher(16));
    expect(wide.supports(args)).toBeUndefined();
    backend.dispose([...Object.values(params), inputs, mask, recurrentMask]);
  });

  it("declines what the compiler declines, with the compiler's reason", () => {
    const kernel = gpuCompiledSequenceKernel(backend, new InterpretingLauncher(7));
    const options = resolveCellOptions(simpleRNN, { activation: 'softmax' });
    const host = initParams(simpleRNN, { inputSize: 3, units: 4 }, 1);
    const params = Object.fromEntries(
      Object.entries(host).map(([n, p]) => [n, backend.tensor(p.values, p.shape)]),
    );
    const inputs = backend.tensor(new Float32Array(2 * 3 * 3), [2, 3, 3]);
    expect(kernel.supports({ cell: simpleRNN, options, units: 4, inputs, params })).toMatch(/not compiled/);
    backend.dispose([...Object.values(params), inputs]);
  });
});
