/**
 * `@seqmodel/backend-cuda`: seqmodel on NVIDIA GPUs. `createCudaBackend()` runs `@seqmodel/native-kernels` compiled
 * with nvcc (the library's functors on a grid, a tiled GEMM or cuBLAS, fused whole-sequence recurrent kernels)
 * as the tfjs backend `seqmodel-cuda`, bound through `@seqmodel/backend-tfjs`; `createTfjsNodeGpuBackend()` the
 * classic `@tensorflow/tfjs-node-gpu` when it is installed. `isAvailable()` says what is missing.
 */
export { type CudaAddon, isAvailable } from './addon.js';
export {
  type CudaBackendOptions,
  type CudaInfo,
  createCudaBackend,
  cudaInfo,
  cudaKernelNames,
  cudaTfjsBackendName,
  registerCudaBackend,
} from './cuda-backend.js';
export { createTfjsNodeGpuBackend, tfjsNodeGpuAvailability } from './tfjs-node-gpu.js';
