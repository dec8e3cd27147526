/** The webgpu backend's conformance plan in the page (see `webgpu-conformance.test.ts`). */
import { createWebgpuBackend } from '@seqmodel/backend-webgpu';
import { exposeChecks } from '../in-page.js';
import { kitGroups } from './kits.js';

exposeChecks(createWebgpuBackend().then(kitGroups));
