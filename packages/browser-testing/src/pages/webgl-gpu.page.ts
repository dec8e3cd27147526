/** Parity, launches, memory and switching checks of the webgl backend (see `webgl.test.ts`). */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { countWebglPrograms, createWebglBackend, webglFusedKernels } from '@seqmodel/backend-webgl';
import { exposeChecks } from '../in-page.js';
import { attentionChecks } from './attention-checks.js';
import { builtInCases, gpuChecks, switchingChecks } from './gpu-checks.js';
import { compiledOnly } from './kits.js';

exposeChecks(
  (async () => {
    const backend = await createWebglBackend({ allowSoftwareRenderer: true });
    const wasm = await createWasmBackend({ wasmPaths: '/tfjs-wasm/' });
    const cpu = createCpuBackend();
    // The built-in cells on the compiled GPU kernel (what plugin cells run), for comparison with their hand-written
    // kernels.
    const compiled = await createWebglBackend({
      allowSoftwareRenderer: true,
      kernels: compiledOnly(webglFusedKernels['*']!),
    });
    backend.activate();
    return [
      ...gpuChecks({ backend, countPrograms: countWebglPrograms }, cpu),
      ...gpuChecks({ backend: compiled, countPrograms: countWebglPrograms }, cpu, {
        cases: builtInCases,
        title: `${backend.tfjsBackendName}, built-in cells compiled`,
        memory: false,
      }),
      switchingChecks(backend, wasm, cpu),
      attentionChecks(backend, cpu),
    ];
  })(),
);
