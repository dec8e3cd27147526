/** The WGSL flash attention kernel on the webgpu backend (see `webgpu-flash-checks.ts` and `webgpu.test.ts`). */
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { countWebgpuPrograms, createWebgpuBackend } from '@seqmodel/backend-webgpu';
import { expose, exposeChecks } from '../in-page.js';
import { flashMeasurements, webgpuFlashChecks } from './webgpu-flash-checks.js';
import { useTiledMatMul } from './webgpu-matmul.js';

expose('flashMeasurements', () => flashMeasurements);
exposeChecks(
  (async () => {
    const backend = await createWebgpuBackend();
    const cpu = createCpuBackend();
    backend.activate();
    // Every product on tfjs's tiled program (see webgpu-matmul.ts).
    useTiledMatMul();
    return webgpuFlashChecks(backend, cpu, countWebgpuPrograms);
  })(),
);
