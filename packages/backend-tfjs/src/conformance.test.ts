import '@tensorflow/tfjs-backend-cpu';
import { describe, it } from 'vitest';
import { initTfjsBackend } from './backend-switching.js';
import { tfjsBackendTestPlan } from './testing/index.js';
import { createTfjsBackend } from './tfjs-backend.js';

// The whole test plan on tfjs's own kernels (hostKernels off), the path GPU backends take; the backend packages
// run it with their settings (cpu and wasm: host kernels on).
await initTfjsBackend('cpu');
const backend = createTfjsBackend({ name: 'tfjs-cpu', tfjsBackendName: 'cpu' });

for (const group of tfjsBackendTestPlan(backend)) {
  describe(group.name, () => {
    for (const check of group.checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
  });
}
