/** The webgpu backend's conformance plan in the page (see `webgpu-conformance.test.ts`). */
import { createWebgpuBackend, webgpuFusedKernels } from '@seqmodel/backend-webgpu';
import { exposeChecks } from '../in-page.js';
import { compiledOnly, kitGroups } from './kits.js';
import { useTiledMatMul } from './webgpu-matmul.js';

exposeChecks(
  (async () => {
    const compiled = await createWebgpuBackend({ kernels: compiledOnly(webgpuFusedKernels['*']!) });
    const backend = await createWebgpuBackend();
    // Every product on tfjs's tiled program (see webgpu-matmul.ts; webgpu.test.ts covers tfjs's own choice).
    useTiledMatMul();
    return kitGroups(backend, compiled);
  })(),
);
