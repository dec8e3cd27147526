import { createWasmBackend } from '@seqmodel/backend-wasm';
import { unregisterKernel } from '@seqmodel/core';
import { afterAll, describe, it } from 'vitest';
import { SCALED_DOT_PRODUCT_KERNEL } from '../functional/kernel.js';
import { attentionKernelChecks } from '../testing/index.js';
import { registerAttentionKernels } from './register.js';

registerAttentionKernels({ backends: ['wasm'] });
afterAll(() => {
  unregisterKernel({ backend: 'wasm', ...SCALED_DOT_PRODUCT_KERNEL });
});
const backend = await createWasmBackend();

describe('the flash attention kernel on wasm (attention kernel kit)', () => {
  for (const check of attentionKernelChecks(backend))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
});
