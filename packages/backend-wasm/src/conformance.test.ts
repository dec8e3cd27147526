import { tfjsBackendTestPlan } from '@seqmodel/backend-tfjs/testing';
import { describe, it } from 'vitest';
import { createWasmBackend } from './wasm-backend.js';

const backend = await createWasmBackend();

for (const group of tfjsBackendTestPlan(backend)) {
  describe(group.name, () => {
    for (const check of group.checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
  });
}
