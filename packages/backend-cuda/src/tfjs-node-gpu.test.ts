/**
 * The classic path: `@tensorflow/tfjs-node-gpu` is an optional peer never installed in this repository (its install
 * downloads libtensorflow for CUDA 11.2). Without it, the availability says why and the factory throws that; with it
 * (a machine where it installs and finds a GPU), the backend runs the binding's conformance plan.
 */
import { tfjsBackendTestPlan } from '@seqmodel/backend-tfjs/testing';
import { SeqmodelError } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { createTfjsNodeGpuBackend, tfjsNodeGpuAvailability } from './tfjs-node-gpu.js';

const availability = await tfjsNodeGpuAvailability();

it('tfjsNodeGpuAvailability answers in one line without throwing', () => {
  expect(typeof availability.available).toBe('boolean');
  if (!availability.available) {
    expect(availability.reason).toMatch(/@tensorflow\/tfjs-node-gpu/);
    expect(availability.reason).not.toContain('\n');
  }
});

it.skipIf(availability.available)(
  'createTfjsNodeGpuBackend throws the reason without the package',
  async () => {
    await expect(createTfjsNodeGpuBackend()).rejects.toThrow(SeqmodelError);
    await expect(createTfjsNodeGpuBackend()).rejects.toThrow(availability.reason!);
  },
);

describe.skipIf(!availability.available)(
  `tfjs-node-gpu conformance${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  async () => {
    if (!availability.available) return;
    const backend = await createTfjsNodeGpuBackend();
    for (const group of tfjsBackendTestPlan(backend)) {
      describe(group.name, () => {
        for (const check of group.checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
      });
    }
  },
);
