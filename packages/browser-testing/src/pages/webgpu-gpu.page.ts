/** Parity, launches, memory and switching checks of the webgpu backend (see `webgpu.test.ts`). */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { countWebgpuPrograms, createWebgpuBackend, webgpuFusedKernels } from '@seqmodel/backend-webgpu';
import { exposeChecks } from '../in-page.js';
import { attentionChecks } from './attention-checks.js';
import { builtInCases, gpuChecks, switchingChecks } from './gpu-checks.js';
import { compiledOnly } from './kits.js';
import { tfjsMatMulChoiceChecks, useTiledMatMul } from './webgpu-matmul.js';

exposeChecks(
  (async () => {
    const backend = await createWebgpuBackend();
    const wasm = await createWasmBackend({ wasmPaths: '/tfjs-wasm/' });
    const cpu = createCpuBackend();
    // The built-in cells on the compiled GPU kernel (what plugin cells run), for comparison with their hand-written
    // kernels.
    const compiled = await createWebgpuBackend({ kernels: compiledOnly(webgpuFusedKernels['*']!) });
    backend.activate();
    // Every product on tfjs's tiled program, but for the group that runs small ones on tfjs's own choice (see
    // webgpu-matmul.ts).
    useTiledMatMul();
    return [
      tfjsMatMulChoiceChecks(backend, cpu),
      ...gpuChecks({ backend, countPrograms: countWebgpuPrograms }, cpu),
      ...gpuChecks({ backend: compiled, countPrograms: countWebgpuPrograms }, cpu, {
        cases: builtInCases,
        title: `${backend.tfjsBackendName}, built-in cells compiled`,
        memory: false,
      }),
      switchingChecks(backend, wasm, cpu),
      attentionChecks(backend, cpu),
    ];
  })(),
);
