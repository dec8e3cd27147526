/**
 * `createNativeBackend()`: seqmodel on the native addon, through the shared tfjs binding (`createTfjsBackend`), so
 * that tfjs's autodiff, every seqmodel op and layer, and the kits run on it. The fused recurrent kernels run whole
 * sequences in C++.
 */
import {
  createTfjsBackend,
  type FactoryKernelOptions,
  factoryKernelOptions,
  initTfjsBackend,
  type TfjsBackend,
} from '@seqmodel/backend-tfjs';
import { checkPositiveInteger, invalidArgument, SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { isAvailable, nativeAddon } from './addon.js';
import { nativeFusedKernels } from './fused-kernels.js';
import { nativeTfjsBackendName } from './native-kernel-backend.js';
import { registerNativeBackend } from './register-kernels.js';

export interface NativeBackendOptions extends FactoryKernelOptions {
  /**
   * Threads of the addon's pool (matrix products, elementwise kernels over large tensors, gate arithmetic); default:
   * the machine's logical processors. One pool per process: the last value set wins.
   */
  readonly threads?: number;
  /** Check sequence arguments for NaN and ±Infinity before every `runSequence` (default false). */
  readonly checkNumerics?: boolean;
}

/** What the addon runs on. */
export interface NativeInfo {
  readonly threads: number;
  readonly hardwareThreads: number;
  readonly avx2Fma: boolean;
  readonly avx512f: boolean;
  /** The GEMM micro kernel in use: `avx2-fma` or `portable`. */
  readonly gemmKernel: string;
}

/** The addon's thread count and instruction sets; throws when the addon is unavailable. */
export function nativeInfo(): NativeInfo {
  const [threads, hardwareThreads, avx2Fma, avx512f, gemmKernel] = nativeAddon().info();
  return { threads, hardwareThreads, avx2Fma, avx512f, gemmKernel };
}

/**
 * A seqmodel backend on the native addon (Node only). Asynchronous like the other tfjs-based factories; throws a
 * `SeqmodelError` with the reason when the addon is unavailable (check `isAvailable()` first to choose another).
 *
 * @example
 * import { createNativeBackend, isAvailable } from '@seqmodel/backend-native';
 * const backend = isAvailable().available ? await createNativeBackend({ threads: 2 }) : createCpuBackend();
 */
export async function createNativeBackend(options: NativeBackendOptions = {}): Promise<TfjsBackend> {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createNativeBackend(options)', options, 'an options object');
  }
  const availability = isAvailable();
  if (!availability.available) throw new SeqmodelError(`createNativeBackend: ${availability.reason}`);
  if (options.threads !== undefined) {
    checkPositiveInteger('createNativeBackend(options.threads)', options.threads);
    nativeAddon().setThreads(options.threads);
  }
  registerNativeBackend();
  await initTfjsBackend(nativeTfjsBackendName);
  if (!tf.engine().findBackend(nativeTfjsBackendName)) {
    throw new SeqmodelError(
      `createNativeBackend: tfjs backend ${nativeTfjsBackendName} failed to initialize`,
    );
  }
  return createTfjsBackend({
    name: 'native',
    tfjsBackendName: nativeTfjsBackendName,
    ...factoryKernelOptions(nativeFusedKernels, options, 'createNativeBackend'),
    ...(options.checkNumerics === undefined ? {} : { checkNumerics: options.checkNumerics }),
  });
}
