import '@tensorflow/tfjs-backend-cpu';
import { gru, lstm, simpleRNN } from '@seqmodel/core';
import { cellConformanceChecks } from '@seqmodel/core/testing';
import { describe, it } from 'vitest';
import { initTfjsBackend } from '../backend-switching.js';
import { fusedCellConfigs } from '../testing/fused-kernel-checks.js';
import { leakyRnn } from '../testing/leaky-rnn.js';
import { minimalGatedUnit } from '../testing/plugin-cell.js';
import { createTfjsBackend } from '../tfjs-backend.js';
import { javascriptGenerator } from './compiled/javascript-generator.js';
import { anyCell, compiledSequenceKernel } from './compiled-sequence-kernels.js';
import { JsGemm } from './js-gemm.js';

await initTfjsBackend('cpu');
const backend = createTfjsBackend({
  name: 'compiled-cpu',
  tfjsBackendName: 'cpu',
  hostKernels: true,
  registeredKernels: false,
  kernels: [
    {
      kind: 'sequence',
      name: anyCell,
      kernel: (b) => compiledSequenceKernel(b, { gemm: new JsGemm(), generator: javascriptGenerator }),
    },
  ],
});

const cases = [
  { cell: simpleRNN, configs: fusedCellConfigs.simpleRNN! },
  { cell: lstm, configs: fusedCellConfigs.lstm! },
  { cell: gru, configs: fusedCellConfigs.gru! },
  { cell: minimalGatedUnit, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: leakyRnn,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 5, options: { leak: 0.25, activation: 'relu' } },
    ],
  },
];
for (const { cell, configs } of cases) {
  describe(`compiled ${cell.name}`, () => {
    for (const check of cellConformanceChecks(cell, backend, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}
