/**
 * `@seqmodel/backend-wasm`: seqmodel on TensorFlow.js's WebAssembly backend (XNNPACK, SIMD; threads in
 * cross-origin isolated pages). The backend itself is `@seqmodel/backend-tfjs`'s binding; this package loads the
 * wasm module (from the installed package in Node, from `wasmPaths` in browsers) and lists its fused kernels.
 */
export { wasmSimdGenerator } from './compiled/wasm-generator.js';
export { wasmCompiledKernel, wasmCompiledKernelWith, wasmFusedKernels } from './fused-kernels.js';
export { createWasmBackend, type WasmBackendOptions, type WasmInfo, wasmInfo } from './wasm-backend.js';
export { installedWasmDirectory, type WasmFileName, wasmFileNames } from './wasm-files.js';
export { XnnpackGemm } from './xnnpack-gemm.js';
