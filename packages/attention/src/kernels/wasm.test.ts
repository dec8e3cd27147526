import { createWasmBackend } from '@seqmodel/backend-wasm';
import { describe, it } from 'vitest';
import { attentionKernelChecks } from '../testing/index.js';
import { registerAttentionKernels } from './register.js';

registerAttentionKernels({ backends: ['wasm'] });
const backend = await createWasmBackend();

describe('the flash attention kernel on wasm (attention kernel kit)', () => {
  for (const check of attentionKernelChecks(backend))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
});
