import { describe, it } from 'vitest';
import { cpuBackend } from '../test-helpers.js';
import { attentionKernelChecks } from '../testing/index.js';
import { registerAttentionKernels } from './register.js';

registerAttentionKernels({ backends: ['cpu'] });
const backend = cpuBackend();

describe('the flash attention kernel on cpu (attention kernel kit)', () => {
  for (const check of attentionKernelChecks(backend))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
});
