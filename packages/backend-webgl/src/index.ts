/**
 * `@seqmodel/backend-webgl`: seqmodel on TensorFlow.js's WebGL backend, the browser's GPU. The backend itself is
 * `@seqmodel/backend-tfjs`'s binding; this package starts tfjs's WebGL backend (refusing silent fallbacks), says
 * what it runs on and in which precision, counts its program launches, and adds fused recurrent programs.
 */

export { webglFusedKernels } from './fused-kernels.js';
export { countWebglPrograms } from './program-counter.js';
export { createWebglBackend, type WebglBackendOptions, webglInfo } from './webgl-backend.js';
export type { WebglInfo } from './webgl-info.js';
