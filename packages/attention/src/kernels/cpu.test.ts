import { unregisterKernel } from '@seqmodel/core';
import { afterAll, describe, it } from 'vitest';
import { SCALED_DOT_PRODUCT_KERNEL } from '../functional/kernel.js';
import { cpuBackend } from '../test-helpers.js';
import { attentionKernelChecks } from '../testing/index.js';
import { registerAttentionKernels } from './register.js';

registerAttentionKernels({ backends: ['cpu'] });
afterAll(() => {
  unregisterKernel({ backend: 'cpu', ...SCALED_DOT_PRODUCT_KERNEL });
});
const backend = cpuBackend();

describe('the flash attention kernel on cpu (attention kernel kit)', () => {
  for (const check of attentionKernelChecks(backend))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
});
