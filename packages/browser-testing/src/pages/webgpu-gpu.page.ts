/** Parity, launches, memory and switching checks of the webgpu backend (see `webgpu.test.ts`). */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { countWebgpuPrograms, createWebgpuBackend } from '@seqmodel/backend-webgpu';
import { exposeChecks } from '../in-page.js';
import { gpuChecks, switchingChecks } from './gpu-checks.js';

exposeChecks(
  (async () => {
    const backend = await createWebgpuBackend();
    const wasm = await createWasmBackend({ wasmPaths: '/tfjs-wasm/' });
    const cpu = createCpuBackend();
    backend.activate();
    return [
      ...gpuChecks({ backend, countPrograms: countWebgpuPrograms }, cpu),
      switchingChecks(backend, wasm, cpu),
    ];
  })(),
);
