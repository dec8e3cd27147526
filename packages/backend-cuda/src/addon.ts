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
  /** What the addon found, as a tuple (an N-API array); read it by name with {@link cudaDevice}. */
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

/** What the CUDA addon found: the device, the libraries loaded, and why a part is unusable. */
export interface CudaDevice {
  /** Whether a device can run the backend; if not, `reason` says why. */
  readonly usable: boolean;
  readonly reason: string;
  /** Devices counted (0 without a driver). */
  readonly devices: number;
  readonly name: string;
  readonly computeMajor: number;
  readonly computeMinor: number;
  /** The cuBLAS and cuDNN libraries found ("" when none). */
  readonly cublas: string;
  readonly cudnn: string;
  /** The paths in use, in one line. */
  readonly notes: string;
  /** The NVRTC library loaded and its version, or "" (then `nvrtcReason` says why). */
  readonly nvrtc: string;
  readonly nvrtcReason: string;
}

/** `addon.device()` by name. */
export function cudaDevice(addon: CudaAddon): CudaDevice {
  const d = addon.device();
  return {
    usable: d[0],
    reason: d[1],
    devices: d[2],
    name: d[3],
    computeMajor: d[4],
    computeMinor: d[5],
    cublas: d[6],
    cudnn: d[7],
    notes: d[8],
    nvrtc: d[9],
    nvrtcReason: d[10],
  };
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
  const { usable, reason: why } = cudaDevice(addon);
  return usable ? { available: true } : { available: false, reason: why };
}

/** The addon, with a usable device; throws the reason otherwise. */
export function cudaAddon(): CudaAddon {
  const { addon } = load();
  const availability = isAvailable();
  if (!addon || !availability.available) throw new Error(`@seqmodel/backend-cuda: ${availability.reason}`);
  return addon;
}
