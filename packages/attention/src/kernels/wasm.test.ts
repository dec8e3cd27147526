import { createWasmBackend } from '@seqmodel/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { attentionKernelChecks } from '../testing/index.js';
import { registerAttentionKernels } from './register.js';

registerAttentionKernels({ backends: ['wasm'] });
// tfjs's IS_TEST leak check misfires on wasm for every custom gradient that saves a tensor (see DEVELOPERS.md).
tf.env().set('IS_TEST', false);
const backend = await createWasmBackend();

describe('the flash attention kernel on wasm (attention kernel kit)', () => {
  for (const check of attentionKernelChecks(backend))
    it.skipIf(check.skip !== undefined)(check.name, check.run);
});
