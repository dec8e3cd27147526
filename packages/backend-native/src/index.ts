/**
 * `@seqmodel/backend-native`: seqmodel for Node on a native C++ addon (`@seqmodel/native-kernels`: a blocked
 * AVX2/FMA GEMM, a thread pool, fused whole-sequence recurrent kernels), registered as the tfjs backend
 * `seqmodel-native` and bound through `@seqmodel/backend-tfjs`, so tfjs's autodiff and every seqmodel layer run on
 * it. The addon is compiled at install when a C++ compiler is present; `isAvailable()` says why not otherwise.
 */
export {
  type AddonLoad,
  type Availability,
  addonLoader,
  isAvailable,
  type NativeAddon,
  type NativeBuffer,
  type NativePacked,
} from './addon.js';
export {
  type NativeCellBinding,
  nativeCellBindings,
  nativeCompiledKernel,
  nativeFusedKernels,
  nativeSequenceKernel,
} from './fused-kernels.js';
export {
  createNativeBackend,
  type NativeBackendOptions,
  type NativeInfo,
  nativeInfo,
} from './native-backend.js';
export { hasHostGemm, NativeGemm } from './native-gemm.js';
export { NativeKernelBackend, nativeTfjsBackendName } from './native-kernel-backend.js';
export { nativeKernelNames, registerAddonBackend } from './register-kernels.js';
