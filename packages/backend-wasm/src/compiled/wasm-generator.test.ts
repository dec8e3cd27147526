import { createTfjsBackend } from '@seqmodel/backend-tfjs';
import {
  compiledCellChecks,
  compiledEdgeValueChecks,
  compilerCornerCells,
  fusedCellConfigs,
  hostGeneratorChecks,
  leakyRnn,
  minimalGatedUnit,
  planOf,
  randomCellChecks,
  randomCellRun,
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
  for (const check of randomCellChecks(backend, randomCellRun({ seeds: 100 }))) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});

describe('the WebAssembly SIMD tanh', () => {
  it('keeps its relative accuracy near 0, where tanh(x) is x (1 − 2/(1 + e^2x) alone was 0 below ~3e-8)', () => {
    const xs = [
      1e-40, 1e-30, 1e-8, 3e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.19, 0.2, 0.21, 0.3, 1, 4,
    ]
      .flatMap((x) => [x, -x])
      .map(Math.fround);
    const plan = planOf(
      [
        { id: 0, name: 'x', width: xs.length, rows: 'batch' },
        { id: 1, name: 'tanh x', width: xs.length, rows: 'batch' },
      ],
      [
        {
          name: 'tanh',
          loops: [
            {
              width: xs.length,
              nodes: [
                { op: 'read', buffer: 0, column: 0, broadcast: false },
                { op: 'tanh', x: 0 },
              ],
              stores: [{ node: 1, buffer: 1, column: 0, accumulate: false }],
            },
          ],
        },
      ],
    );
    const instance = wasmSimdGenerator.generate(plan).program.instantiate(1, 1);
    instance.buffer(0).set(xs);
    instance.run(0, 0);
    const got = Array.from(instance.buffer(1));
    // A few float32 ulps relative to the exact value (the series below 0.2, the formula above).
    for (const [i, x] of xs.entries()) {
      expect(Math.abs(got[i]! - Math.tanh(x))).toBeLessThanOrEqual(1e-6 * Math.abs(Math.tanh(x)));
    }
  });
});
