/**
 * `@seqmodel/backend-cuda`: seqmodel on NVIDIA GPUs. `createCudaBackend()` runs `@seqmodel/native-kernels` compiled
 * with nvcc (the library's functors on a grid, a tiled GEMM or cuBLAS, fused whole-sequence recurrent kernels)
 * as the tfjs backend `seqmodel-cuda`, bound through `@seqmodel/backend-tfjs`; `createTfjsNodeGpuBackend()` the
 * classic `@tensorflow/tfjs-node-gpu` when it is installed. Plugin cells run the compiled GPU kernel with step
 * programs compiled to CUDA by NVRTC at run time (`cudaCompiledKernel`). `isAvailable()` says what is missing.
 */
export { type CudaAddon, type CudaProgram, isAvailable } from './addon.js';
export {
  type CudaBackendOptions,
  type CudaInfo,
  createCudaBackend,
  cudaFusedKernels,
  cudaInfo,
  cudaKernelNames,
  cudaTfjsBackendName,
  registerCudaBackend,
} from './cuda-backend.js';
export { cudaLang, cudaProgramSource } from './cuda-lang.js';
export {
  CudaLauncher,
  type CudaProgramsRequest,
  cudaCompiledKernel,
  explainCudaPrograms,
} from './cuda-launcher.js';
export { createTfjsNodeGpuBackend, tfjsNodeGpuAvailability } from './tfjs-node-gpu.js';
