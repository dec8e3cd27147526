/** The webgl backend's conformance plan in the page (see `webgl.test.ts`). */
import { createWebglBackend, webglFusedKernels } from '@seqmodel/backend-webgl';
import { exposeChecks } from '../in-page.js';
import { compiledOnly, kitGroups } from './kits.js';

exposeChecks(
  (async () => {
    const compiled = await createWebglBackend({
      allowSoftwareRenderer: true,
      kernels: compiledOnly(webglFusedKernels['*']!),
    });
    const backend = await createWebglBackend({ allowSoftwareRenderer: true });
    return kitGroups(backend, compiled);
  })(),
);
