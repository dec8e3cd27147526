/**
 * Loading the CUDA addon (`build/Release/seqmodel_cuda.node`, built with nvcc at install) and asking it for a
 * device. `isAvailable()` says, in one line, what is missing: nvcc at install (the build's status), a loadable addon,
 * or at run time the NVIDIA driver (libcuda.so.1, looked for with dlopen) or a device (cudaGetDeviceCount).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AddonLoad,
  type Availability,
  addonLoader,
  type NativeAddon,
  type NativeBuffer,
} from '@seqmodel/backend-native';

/** A program compiled by NVRTC and loaded on the device (an opaque handle; unloaded when collected). */
export type CudaProgram = { readonly __cudaProgram: unique symbol };

/** The CUDA addon: the native addon's functions over device buffers, and what it found. */
export interface CudaAddon extends NativeAddon {
  device(): [
    usable: boolean,
    reason: string,
    devices: number,
    name: string,
    computeMajor: number,
    computeMinor: number,
    cublas: string,
    cudnn: string,
    notes: string,
    /** The NVRTC library loaded and its version, or "" (then `nvrtcReason` says why). */
    nvrtc: string,
    nvrtcReason: string,
  ];
  setOwnKernelsOnly(own: boolean): void;
  synchronize(): void;
  /**
   * Compiles CUDA C++ with the entry point `seqmodel_program(const float* in..., float* out, int count, int
   * uniform...)` for device 0 (NVRTC); throws NVRTC's log. The counts are what each input must hold and what it writes.
   */
  programCompile(
    source: string,
    inputElements: readonly number[],
    outputElements: number,
    uniforms: number,
  ): CudaProgram;
  /** Launches `program` on the buffers (checked against its counts), queued on the device. */
  programRun(
    program: CudaProgram,
    inputs: readonly NativeBuffer[],
    output: NativeBuffer,
    uniforms: readonly number[],
  ): void;
}

const load: () => AddonLoad<CudaAddon> = addonLoader<CudaAddon>({
  packageRoot: join(dirname(fileURLToPath(import.meta.url)), '..'),
  addonName: 'seqmodel_cuda',
  packageName: '@seqmodel/backend-cuda',
  what: 'CUDA addon',
  from: import.meta.url,
});

/** The addon if it loads (whether or not a device is present), else why not. */
export function loadCudaAddon(): AddonLoad<CudaAddon> {
  return load();
}

/** Whether the CUDA backend can run here (addon built and loaded, driver and device present), and if not, why. */
export function isAvailable(): Availability {
  const { addon, reason } = load();
  if (!addon) return { available: false, reason: reason ?? 'unknown' };
  const [usable, why] = addon.device();
  return usable ? { available: true } : { available: false, reason: why };
}

/** The addon, with a usable device; throws the reason otherwise. */
export function cudaAddon(): CudaAddon {
  const { addon } = load();
  const availability = isAvailable();
  if (!addon || !availability.available) throw new Error(`@seqmodel/backend-cuda: ${availability.reason}`);
  return addon;
}
