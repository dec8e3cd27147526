import { tfjsBackendTestPlan } from '@seqmodel/backend-tfjs/testing';
import { describe, it } from 'vitest';
import { isAvailable } from './addon.js';
import { createNativeBackend } from './native-backend.js';

const availability = isAvailable();
const backend = availability.available ? await createNativeBackend() : undefined;

describe.skipIf(!backend)(
  `native backend conformance${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  () => {
    if (!backend) return;
    for (const group of tfjsBackendTestPlan(backend)) {
      describe(group.name, () => {
        for (const check of group.checks) it.skipIf(check.skip !== undefined)(check.name, check.run);
      });
    }
  },
);
