/**
 * seqmodel's layers on the native backend (`backendLayerChecks` of `@seqmodel/layers/testing`): the layer
 * conformance kit on the recurrent layers (fused kernels, masks, initial states, recurrent dropout), Dense and
 * Embedding, compared with the float64 reference and finite differences; and a small model trained with `fit`.
 */
import { backendLayerChecks } from '@seqmodel/layers/testing';
import { describe, it } from 'vitest';
import { isAvailable } from './addon.js';
import { createNativeBackend } from './native-backend.js';

const availability = isAvailable();

describe.skipIf(!availability.available)(
  `layers on the native backend${availability.reason ? ` (skipped: ${availability.reason})` : ''}`,
  async () => {
    if (!availability.available) return;
    const backend = await createNativeBackend();
    for (const check of backendLayerChecks(backend))
      it.skipIf(check.skip !== undefined)(check.name, check.run);
  },
);
