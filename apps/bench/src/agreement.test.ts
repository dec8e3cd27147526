import { expect, it } from 'vitest';
import { assertAgreement, measureAgreement } from './agreement.js';
import { createBenchBackend } from './backends.js';
import type { BenchCell } from './flops.js';
import { layersModel, seqmodelModel } from './models.js';
import { benchData } from './weights.js';

const bench = await createBenchBackend('cpu');
const size = { batch: 3, time: 5, inputSize: 2, units: 4 };

for (const cell of ['lstm', 'gru'] as BenchCell[]) {
  it(`${cell}: seqmodel and tfjs-layers agree on the bench's weights, and a changed weight is caught`, () => {
    const before = bench.backend.memory().numTensors;
    const data = benchData(cell, size);
    const ours = seqmodelModel(bench.backend, cell, size, data);
    const theirs = layersModel(bench.backend, cell, size, data);
    const agreement = measureAgreement(ours, theirs);
    expect(() => assertAgreement(cell, agreement)).not.toThrow();
    expect(agreement.forwardMaxError).toBeLessThan(1e-6);

    // The same models, but one recurrent weight of tfjs-layers' copy off by 0.01: the check must fail.
    const changed = structuredClone(data);
    changed.params[1].values[0]! += 0.01;
    const off = layersModel(bench.backend, cell, size, changed);
    const fresh = seqmodelModel(bench.backend, cell, size, data);
    expect(() => assertAgreement(cell, measureAgreement(fresh, off))).toThrow(
      `${cell}: seqmodel and tfjs-layers disagree on the`,
    );
    for (const m of [ours, theirs, off, fresh]) m.dispose();
    expect(bench.backend.memory().numTensors).toBe(before);
  });
}
