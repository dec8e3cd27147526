/** Parity, launches, memory and switching checks of the webgpu backend (see `webgpu.test.ts`). */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';
import { countWebgpuPrograms, createWebgpuBackend } from '@seqmodel/backend-webgpu';
import { exposeChecks } from '../in-page.js';
import { attentionChecks } from './attention-checks.js';
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
      // No training check of attention on webgpu: on SwiftShader's Vulkan adapter a step of the generic path took
      // about 2 s, and tfjs-webgpu's numBytesInGPU rose from 2,672 to 5,312 between steps 10 and 20 with numTensors
      // flat (measured 2026-12-02); open in the closing note of issue 14.
      attentionChecks(backend, cpu, 0),
    ];
  })(),
);
