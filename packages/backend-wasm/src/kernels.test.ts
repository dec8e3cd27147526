import { factoryKernelChecks } from '@seqmodel/backend-tfjs/testing';
import { it } from 'vitest';
import { createWasmBackend } from './wasm-backend.js';

// Later calls with only kernel options reuse the wasm module the first one initialized.
for (const check of factoryKernelChecks('createWasmBackend', (options) => createWasmBackend(options))) {
  it.skipIf(check.skip !== undefined)(check.name, check.run);
}
