import { expect, it } from 'vitest';
import { assertAgreement, measureAgreement, measureReferenceAgreement } from './agreement.js';
import { cpuProvider } from './backends.js';
import { benchCell } from './cells.js';
import { layersModel, seqmodelModel } from './models.js';
import { benchData } from './weights.js';

const bench = await cpuProvider.create({ path: 'fused' });
const size = { batch: 3, time: 5, inputSize: 2, units: 4 };

for (const key of ['simpleRNN', 'lstm', 'gru']) {
  it(`${key}: seqmodel and tfjs-layers agree on the bench's weights, and a changed weight is caught`, () => {
    const cell = benchCell(key);
    const before = bench.backend.memory().numTensors;
    const data = benchData(cell, size);
    const ours = seqmodelModel(bench.backend, cell, size, data);
    const theirs = layersModel(bench.backend, cell, size, data);
    const agreement = measureAgreement(ours, theirs);
    expect(() => assertAgreement(key, agreement)).not.toThrow();
    expect(agreement.forwardMaxError).toBeLessThan(1e-6);

    // The same models, but one recurrent weight of tfjs-layers' copy off by 0.01: the check must fail.
    const changed = structuredClone(data);
    changed.params[1]!.values[0]! += 0.01;
    const off = layersModel(bench.backend, cell, size, changed);
    const fresh = seqmodelModel(bench.backend, cell, size, data);
    expect(() => assertAgreement(key, measureAgreement(fresh, off))).toThrow(
      `${key}: seqmodel and tfjs-layers disagree on the`,
    );
    for (const m of [ours, theirs, off, fresh]) m.dispose();
    expect(bench.backend.memory().numTensors).toBe(before);
  });
}

for (const key of ['gruResetAfter', 'mgu']) {
  it(`${key}: seqmodel on tfjs agrees with the float64 reference, and a changed output is caught`, () => {
    const cell = benchCell(key);
    expect('unavailable' in cell.tfjsLayers).toBe(true);
    const data = benchData(cell, size);
    const ours = seqmodelModel(bench.backend, cell, size, data);
    const output = ours.forward();
    ours.dispose();
    const agreement = measureReferenceAgreement(cell, size, data, output);
    expect(agreement.against).toBe('reference');
    expect(agreement.forwardMaxError).toBeLessThan(1e-6);
    expect(() => assertAgreement(key, agreement)).not.toThrow();
    // Only the first sequences are compared: corrupting the first output element must be caught.
    output[0]! += 0.01;
    expect(() => assertAgreement(key, measureReferenceAgreement(cell, size, data, output))).toThrow(
      `${key}: seqmodel and core's float64 reference disagree on the forward output`,
    );
  });
}
