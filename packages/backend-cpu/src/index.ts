/**
 * `@seqmodel/backend-cpu`: seqmodel on TensorFlow.js's pure-JavaScript CPU backend, the default that runs
 * everywhere. The backend itself is `@seqmodel/backend-tfjs`'s binding; this package registers tfjs's CPU backend
 * and lists its fused kernels.
 */
export { type CpuBackendOptions, createCpuBackend } from './cpu-backend.js';
export { cpuCompiledKernel, cpuCompiledKernelWith, cpuFusedKernels } from './fused-kernels.js';
