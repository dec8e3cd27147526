import { compiledKernelWithChecks, factoryKernelChecks } from '@seqmodel/backend-tfjs/testing';
import { it } from 'vitest';
import { createCpuBackend } from './cpu-backend.js';
import { cpuCompiledKernelWith } from './fused-kernels.js';

for (const check of factoryKernelChecks('createCpuBackend', (options) => createCpuBackend(options))) {
  it.skipIf(check.skip !== undefined)(check.name, check.run);
}

for (const check of compiledKernelWithChecks(
  'cpuCompiledKernelWith',
  cpuCompiledKernelWith,
  createCpuBackend,
)) {
  it(check.name, check.run);
}
