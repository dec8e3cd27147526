import { backendConformanceChecks } from '@seqmodel/core/testing';
import '@tensorflow/tfjs-backend-cpu';
import { describe, it } from 'vitest';
import { initTfjsBackend } from './backend-switching.js';
import { createTfjsBackend } from './tfjs-backend.js';

// The binding on tfjs's CPU backend; the backend packages run the same kit (and the cell kit) on theirs.
await initTfjsBackend('cpu');
const backend = createTfjsBackend({ name: 'tfjs-cpu', tfjsBackendName: 'cpu' });

describe('backend conformance (tfjs cpu)', () => {
  for (const check of backendConformanceChecks(backend)) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }
});
