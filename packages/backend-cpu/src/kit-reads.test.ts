// How often the cell kit reads results back: on a GPU backend every synchronous read is a round trip (~0.1 s under
// SwiftShader), so the kit runs a check's cases first and reads them together. Counted here on backend-cpu, whose
// compiled kernel serves every cell, so that a change that reads case by case again shows up without a browser.
import { lstm } from '@seqmodel/core';
import { cellConformanceChecks } from '@seqmodel/core/testing';
import { expect, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

it('the cell kit reads each check back with one read (the fused-kernel check with two), the leak check with none', async () => {
  const backend = createCpuBackend();
  const dataSync = backend.dataSync.bind(backend);
  let reads = 0;
  backend.dataSync = (x) => {
    reads++;
    return dataSync(x);
  };
  const checks = cellConformanceChecks(lstm, backend, {
    configs: [{ inputSize: 3, units: 4 }],
    batch: 2,
    time: 3,
  });
  const readsOf = async (name: string): Promise<number> => {
    const check = checks.find((c) => c.name.endsWith(`: ${name}`));
    if (!check) throw new Error(`no check named ${name}`);
    reads = 0;
    await check.run();
    return reads;
  };
  expect(await readsOf('output and state shapes')).toBe(1);
  expect(await readsOf('agrees with the float64 reference')).toBe(1);
  expect(await readsOf('deterministic under a seed')).toBe(1);
  expect(await readsOf('no tensors leaked')).toBe(0);
  expect(await readsOf('gradients match finite differences')).toBe(1);
  // Every variant's outputs on both paths with one read, their gradients with another (7 variants, 28 reads before).
  expect(await readsOf('fused kernel matches the generic loop')).toBe(2);
});
