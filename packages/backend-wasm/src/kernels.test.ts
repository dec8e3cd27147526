import { compiledKernelWithChecks, factoryKernelChecks } from '@seqmodel/backend-tfjs/testing';
import { it } from 'vitest';
import { wasmCompiledKernelWith } from './fused-kernels.js';
import { createWasmBackend } from './wasm-backend.js';

// Later calls with only kernel options reuse the wasm module the first one initialized.
for (const check of factoryKernelChecks('createWasmBackend', (options) => createWasmBackend(options))) {
  it.skipIf(check.skip !== undefined)(check.name, check.run);
}

for (const check of compiledKernelWithChecks('wasmCompiledKernelWith', wasmCompiledKernelWith, (options) =>
  createWasmBackend(options),
)) {
  it(check.name, check.run);
}
