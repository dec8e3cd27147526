import { tfjsBackendTestPlan } from '@seqmodel/backend-tfjs/testing';
import { describe, it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

for (const group of tfjsBackendTestPlan(createCpuBackend())) {
  describe(group.name, () => {
    for (const check of group.checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
  });
}
