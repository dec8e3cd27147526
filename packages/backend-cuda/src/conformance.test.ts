/**
 * On a GPU: the binding's whole conformance plan (backend conformance, every built-in cell and a plugin cell, bad
 * input, autodiff/memory/numerics, fused kernels against the generic loop, kernels registered from outside) on
 * `seqmodel-cuda`, and seqmodel's layers on it (`backendLayerChecks`). Skipped here (no GPU) with the reason;
 * `scripts/gpu-check.sh` runs the same plan on a GPU machine.
 */
import { tfjsBackendTestPlan } from '@seqmodel/backend-tfjs/testing';
import { backendLayerChecks } from '@seqmodel/layers/testing';
import { describe, it } from 'vitest';
import { isAvailable } from './addon.js';
import { createCudaBackend } from './cuda-backend.js';

const availability = isAvailable();
const backend = availability.available ? await createCudaBackend() : undefined;

describe.skipIf(!backend)(
  `cuda backend conformance${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  () => {
    if (!backend) return;
    for (const group of tfjsBackendTestPlan(backend)) {
      describe(group.name, () => {
        for (const check of group.checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
      });
    }
    describe('layers', () => {
      for (const check of backendLayerChecks(backend))
        it.skipIf(check.skip !== undefined)(check.name, check.run);
    });
  },
);
