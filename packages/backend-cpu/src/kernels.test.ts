import { factoryKernelChecks } from '@seqmodel/backend-tfjs/testing';
import { it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';

for (const check of factoryKernelChecks('createCpuBackend', (options) => createCpuBackend(options))) {
  it.skipIf(check.skip !== undefined)(check.name, check.run);
}
