/** The webgl backend's conformance plan in the page (see `webgl.test.ts`). */
import { createWebglBackend } from '@seqmodel/backend-webgl';
import { exposeChecks } from '../in-page.js';
import { kitGroups } from './kits.js';

exposeChecks(createWebglBackend({ allowSoftwareRenderer: true }).then(kitGroups));
