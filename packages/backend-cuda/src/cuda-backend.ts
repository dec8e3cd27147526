/**
 * `createCudaBackend()`: seqmodel on the GPU through the CUDA addon, registered as the tfjs backend `seqmodel-cuda`
 * with backend-native's kernel table (the same kernels over device buffers) and bound through the shared tfjs
 * binding, so tfjs's autodiff, every seqmodel op and layer, and the kits run on it. The fused recurrent kernels
 * (backend-native's, calling the addon) run whole sequences on the device; plugin cells run the compiled GPU kernel
 * with step programs compiled by NVRTC (`cuda-launcher.ts`).
 */
import { nativeFusedKernels, nativeKernelNames, registerAddonBackend } from '@seqmodel/backend-native';
import {
  anyCell,
  createTfjsBackend,
  type FactoryKernelOptions,
  factoryKernelOptions,
  initTfjsBackend,
  type TfjsBackend,
  type TfjsFusedKernelEntry,
} from '@seqmodel/backend-tfjs';
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { cudaAddon, cudaDevice, isAvailable, loadCudaAddon } from './addon.js';
import { cudaCompiledKernel } from './cuda-launcher.js';

/** The tfjs name of the CUDA backend. */
export const cudaTfjsBackendName = 'seqmodel-cuda';

export interface CudaBackendOptions extends FactoryKernelOptions {
  /** Check sequence arguments for NaN and ±Infinity before every `runSequence` (default false). */
  readonly checkNumerics?: boolean;
  /** Run matrix products on the own tiled kernel even where cuBLAS loaded (default false). */
  readonly ownKernelsOnly?: boolean;
}

/** What the CUDA addon found and which paths run. */
export interface CudaInfo {
  readonly devices: number;
  readonly deviceName: string;
  /** Compute capability, e.g. "9.0" for Hopper. */
  readonly computeCapability: string;
  /** The cuBLAS library loaded ("" when none: the tiled kernel runs the products). */
  readonly cublas: string;
  /** The cuDNN library found ("" when none). The recurrent sequences run the own fused kernels either way. */
  readonly cudnn: string;
  /** The GEMM that ran the last product: "cublas" or "tiled". */
  readonly gemmKernel: string;
  /**
   * The NVRTC library loaded and its version ("libnvrtc.so.13 13.0"), or "" when none loaded: then plugin cells run
   * their compiled JavaScript on the host (`notes` says why).
   */
  readonly nvrtc: string;
  /** The paths in one line. */
  readonly notes: string;
}

/** The device and the paths in use; throws the reason when no device is usable. */
export function cudaInfo(): CudaInfo {
  const addon = cudaAddon();
  const d = cudaDevice(addon);
  return {
    devices: d.devices,
    deviceName: d.name,
    computeCapability: `${d.computeMajor}.${d.computeMinor}`,
    cublas: d.cublas,
    cudnn: d.cudnn,
    gemmKernel: addon.info()[4],
    nvrtc: d.nvrtc,
    notes: d.notes,
  };
}

/**
 * The fused kernels `createCudaBackend()` uses by default: backend-native's kernels by cell name (the same C++ on the
 * device), and under `*` the compiled GPU kernel with NVRTC-compiled step programs for every other cell
 * (`cudaCompiledKernel`).
 */
export const cudaFusedKernels: Readonly<Record<string, TfjsFusedKernelEntry>> = {
  ...nativeFusedKernels,
  [anyCell]: (backend: TfjsBackend) => cudaCompiledKernel(backend, cudaAddon()),
};

/** Registers `seqmodel-cuda` with tfjs (needs the addon, not a device); idempotent. */
export function registerCudaBackend(): void {
  const { addon, reason } = loadCudaAddon();
  if (!addon) throw new SeqmodelError(`@seqmodel/backend-cuda: ${reason}`);
  registerAddonBackend(cudaTfjsBackendName, addon, 'cuda backend');
}

/** The tfjs kernels the CUDA backend implements (registers it first; needs the addon, not a device). */
export function cudaKernelNames(): string[] {
  registerCudaBackend();
  return nativeKernelNames(cudaTfjsBackendName);
}

/**
 * A seqmodel backend on the GPU (Node only). Throws a `SeqmodelError` with the reason when no device is usable
 * (check `isAvailable()` first to choose another backend).
 *
 * @example
 * import { createCudaBackend, isAvailable } from '@seqmodel/backend-cuda';
 * const backend = isAvailable().available ? await createCudaBackend() : await createNativeBackend();
 */
export async function createCudaBackend(options: CudaBackendOptions = {}): Promise<TfjsBackend> {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createCudaBackend(options)', options, 'an options object');
  }
  const availability = isAvailable();
  if (!availability.available) throw new SeqmodelError(`createCudaBackend: ${availability.reason}`);
  if (options.ownKernelsOnly !== undefined && typeof options.ownKernelsOnly !== 'boolean') {
    invalidArgument('createCudaBackend(options.ownKernelsOnly)', options.ownKernelsOnly, 'a boolean');
  }
  cudaAddon().setOwnKernelsOnly(options.ownKernelsOnly ?? false);
  registerCudaBackend();
  await initTfjsBackend(cudaTfjsBackendName);
  if (!tf.engine().findBackend(cudaTfjsBackendName)) {
    throw new SeqmodelError(`createCudaBackend: tfjs backend ${cudaTfjsBackendName} failed to initialize`);
  }
  const { ownKernelsOnly: _own, checkNumerics, ...kernelOptions } = options;
  return createTfjsBackend({
    name: 'cuda',
    tfjsBackendName: cudaTfjsBackendName,
    ...factoryKernelOptions(cudaFusedKernels, kernelOptions, 'createCudaBackend'),
    ...(checkNumerics === undefined ? {} : { checkNumerics }),
  });
}
