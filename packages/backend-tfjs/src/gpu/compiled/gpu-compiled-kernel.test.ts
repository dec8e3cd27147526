import '@tensorflow/tfjs-backend-cpu';
import { gru, lstm, simpleRNN } from '@seqmodel/core';
import { describe, it } from 'vitest';
import { initTfjsBackend } from '../../backend-switching.js';
import { anyCell } from '../../fused/compiled-sequence-kernels.js';
import { compiledCellChecks } from '../../testing/compiled-kernel-checks.js';
import { fusedCellConfigs } from '../../testing/fused-kernel-checks.js';
import { InterpretingLauncher } from '../../testing/interpreting-launcher.js';
import { leakyRnn } from '../../testing/leaky-rnn.js';
import { minimalGatedUnit } from '../../testing/plugin-cell.js';
import { createTfjsBackend, type TfjsBackend } from '../../tfjs-backend.js';
import { gpuCompiledSequenceKernel } from './gpu-compiled-kernel.js';

await initTfjsBackend('cpu');

/**
 * A backend whose only fused kernel is the compiled GPU one, its programs interpreted in JavaScript on tfjs-cpu
 * (WebGPU's limit of 7 inputs per program).
 */
function interpretedGpuBackend(launcher = new InterpretingLauncher(7)): TfjsBackend {
  return createTfjsBackend({
    name: 'interpreted-gpu',
    tfjsBackendName: 'cpu',
    registeredKernels: false,
    kernels: [{ kind: 'sequence', name: anyCell, kernel: (b) => gpuCompiledSequenceKernel(b, launcher) }],
  });
}

const backend = interpretedGpuBackend();

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
  { cell: gru, configs: fusedCellConfigs.gru!.slice(0, 2) },
];
for (const { cell, configs } of cases) {
  describe(`compiled GPU programs (interpreted) for ${cell.name}`, () => {
    for (const check of compiledCellChecks(cell, backend, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}
