/**
 * `@seqmodel/backend-webgpu`: seqmodel on TensorFlow.js's WebGPU backend, the browser's GPU through compute
 * shaders. The backend itself is `@seqmodel/backend-tfjs`'s binding; this package starts tfjs's WebGPU backend
 * (refusing silent fallbacks), says what adapter it runs on, counts its dispatches, and adds fused recurrent
 * compute shaders.
 */
export { webgpuFusedKernels } from './fused-kernels.js';
export { countWebgpuPrograms } from './program-counter.js';
export { createWebgpuBackend, type WebgpuBackendOptions, webgpuInfo } from './webgpu-backend.js';
export type { WebgpuInfo } from './webgpu-info.js';
