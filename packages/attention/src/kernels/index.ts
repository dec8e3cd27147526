/**
 * `@seqmodel/attention/kernels`: fused scaled dot-product attention for seqmodel's cpu, wasm and webgpu backends, by the
 * FlashAttention recurrence (online softmax over blocks of keys, a backward pass that recomputes the weights from
 * one log-sum-exp per query row), so that attention holds O(T·d) memory per head instead of the T x T weights.
 * `registerAttentionKernels()` registers it; `scaledDotProductAttention` and the layers on it then use it wherever
 * it supports the arguments. The driver and its engines work on plain `Float32Array`s and can serve other tensor
 * libraries too.
 */
export {
  defaultFlashBlocks,
  type FlashBackwardArrays,
  type FlashBlocks,
  type FlashForwardArrays,
  type FlashProblem,
  flashBackward,
  flashForward,
  type HostMask,
} from './flash-attention.js';
export type { Block, FlashEngine } from './flash-engine.js';
export { type FlashKernelConfig, flashAttentionKernel } from './flash-kernel.js';
export { JsFlashEngine } from './js-engine.js';
export {
  createFlashKernel,
  defaultFlashEngine,
  defaultFlashKernelBackends,
  type FlashKernelBackend,
  flashKernelBackends,
  type RegisterAttentionKernelsOptions,
  registerAttentionKernels,
} from './register.js';
export { cpuTensorMemory, type TensorMemory, wasmTensorMemory } from './tensor-memory.js';
export { WasmFlashEngine } from './wasm-engine.js';
export { webgpuFlashKernel } from './webgpu-kernel.js';
export {
  forwardProgram as wgslFlashForwardProgram,
  keyValueGradientProgram as wgslFlashKeyValueGradientProgram,
  queryGradientProgram as wgslFlashQueryGradientProgram,
  statsProgram as wgslFlashStatsProgram,
  type WgslFlashProblem,
  type WgslProgram,
  wgslFlashUnsupported,
} from './webgpu-programs.js';
