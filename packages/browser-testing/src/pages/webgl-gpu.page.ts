/** Parity, launches, memory and switching checks of the webgl backend (see `webgl.test.ts`). */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { countWebglPrograms, createWebglBackend } from '@seqmodel/backend-webgl';
import { exposeChecks } from '../in-page.js';
import { attentionChecks } from './attention-checks.js';
import { gpuChecks, switchingChecks } from './gpu-checks.js';

exposeChecks(
  (async () => {
    const backend = await createWebglBackend({ allowSoftwareRenderer: true });
    const wasm = await createWasmBackend({ wasmPaths: '/tfjs-wasm/' });
    const cpu = createCpuBackend();
    backend.activate();
    return [
      ...gpuChecks({ backend, countPrograms: countWebglPrograms }, cpu),
      switchingChecks(backend, wasm, cpu),
      attentionChecks(backend, cpu),
    ];
  })(),
);
