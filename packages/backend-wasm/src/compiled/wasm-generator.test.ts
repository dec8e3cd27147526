import { createTfjsBackend } from '@seqmodel/backend-tfjs';
import {
  compiledCellChecks,
  compiledEdgeValueChecks,
  compilerCornerCells,
  fusedCellConfigs,
  hostGeneratorChecks,
  leakyRnn,
  minimalGatedUnit,
  randomCellChecks,
  strictKernel,
} from '@seqmodel/backend-tfjs/testing';
import { anyName, explainCompiledCell, gru, lstm, simpleRNN } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { wasmCompiledKernel } from '../fused-kernels.js';
import { createWasmBackend } from '../wasm-backend.js';
import { wasmSimdGenerator } from './wasm-generator.js';

await createWasmBackend();
// The compiled kernel only, for every cell (the default backend keeps its hand-written ones for the built-ins).
const backend = createTfjsBackend({
  name: 'compiled-wasm',
  tfjsBackendName: 'wasm',
  hostKernels: true,
  explicitTransposes: true,
  registeredKernels: false,
  // Strict: a case the kernel declined would otherwise run the generic loop, and the kits compare that with itself.
  kernels: [{ kind: 'sequence', name: anyName, kernel: strictKernel(wasmCompiledKernel) }],
});

describe('compiled kernels at float32 ties, signed zeros and NaN give the generic loop’s results', () => {
  for (const check of compiledEdgeValueChecks(backend)) it(check.name, check.run);
});

describe('the WebAssembly SIMD generator', () => {
  for (const check of hostGeneratorChecks(wasmSimdGenerator))
    it.skipIf(check.skip !== undefined)(check.name, check.run);

  it('makes modules browsers compile synchronously (under 4 KiB) for the built-in cells and their backward passes', () => {
    for (const [cell, options] of [
      [lstm, {}],
      [gru, { resetAfter: false }],
      [gru, {}],
      [simpleRNN, { activation: 'softplus' }],
    ] as const) {
      const text = explainCompiledCell(
        cell,
        options,
        { batch: 4, inputSize: 8, units: 16 },
        { generator: wasmSimdGenerator },
      );
      const sizes = [...text.matchAll(/loop \d+: (\d+) bytes/g)].map((m) => Number(m[1]));
      expect(sizes.length).toBeGreaterThan(1);
      expect(Math.max(...sizes)).toBeLessThan(4096);
    }
  });
});

const cases = [
  { cell: simpleRNN, configs: fusedCellConfigs.simpleRNN! },
  { cell: lstm, configs: fusedCellConfigs.lstm! },
  { cell: gru, configs: fusedCellConfigs.gru! },
  { cell: minimalGatedUnit, configs: [{ inputSize: 3, units: 4 }] },
  { cell: leakyRnn, configs: [{ inputSize: 2, units: 5, options: { leak: 0.25, activation: 'relu' } }] },
];
for (const { cell, configs } of [...cases, ...compilerCornerCells]) {
  describe(`compiled ${cell.name} on wasm`, () => {
    for (const check of compiledCellChecks(cell, backend, { configs })) {
      it.skipIf(check.skip !== undefined)(check.name, check.run);
    }
  });
}

describe('compiled kernels of random cells on wasm match the generic loop', () => {
  // 1,500 seeds passed when the check was written.
  for (const check of randomCellChecks(backend, { seeds: Array.from({ length: 100 }, (_, i) => i) })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});
