/** The webgpu backend's conformance plan in the page (see `webgpu-conformance.test.ts`). */
import { createWebgpuBackend } from '@seqmodel/backend-webgpu';
import { exposeChecks } from '../in-page.js';
import { kitGroups } from './kits.js';
import { useTiledMatMul } from './webgpu-matmul.js';

exposeChecks(
  createWebgpuBackend().then((backend) => {
    // Every product on tfjs's tiled program (see webgpu-matmul.ts; webgpu.test.ts covers tfjs's own choice).
    useTiledMatMul();
    return kitGroups(backend);
  }),
);
