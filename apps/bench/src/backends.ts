/**
 * The backends the bench knows, as providers: each says whether it can run here (or why not) and creates the
 * seqmodel backend together with the factory of tfjs-layers' model on the same tfjs backend. cpu, wasm and native
 * (the C++ addon, where it was built) and cuda (the CUDA addon, where it was built and a GPU is present) run in this
 * process; webgl and webgpu run in headless Chromium (`browser.ts`: the same cases, in a page). Adding a backend: write
 * a provider and add it to `backendProviders`.
 */
import { cpuCompiledKernelWith, createCpuBackend } from '@seqmodel/backend-cpu';
import { createCudaBackend, isAvailable as cudaAvailability, cudaInfo } from '@seqmodel/backend-cuda';
import {
  createNativeBackend,
  isAvailable as nativeAvailability,
  nativeCompiledKernel,
  nativeInfo,
} from '@seqmodel/backend-native';
import {
  anyCell,
  type GemmProvider,
  type TfjsBackend,
  type TfjsFusedKernelEntry,
  type TfjsKernelDefinition,
} from '@seqmodel/backend-tfjs';
import { createWasmBackend, wasmCompiledKernelWith, wasmInfo } from '@seqmodel/backend-wasm';
import { builtInCells } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchBackend, BenchPath } from './bench-backend.js';
import { browserBenchUnavailable, openBrowserBench, openBrowserPaths } from './browser.js';
import { layersModel } from './models.js';
import type { RemoteBench, RemotePaths } from './remote.js';

export { type BenchBackend, type BenchPath, benchPaths } from './bench-backend.js';

export interface CreateOptions {
  /** `fused`: the backend's fused kernels; `compiled`: its compiled kernel for every cell; `generic`: none. */
  readonly path: BenchPath;
  /** Threads for backends that take a thread count (native). */
  readonly threads?: number;
  /**
   * With `path: 'compiled'` on cpu and wasm: wraps the compiled kernel's matrix products (`bench paths` times them
   * through a `ProductTimer`). Other providers ignore it, and `timesProducts` says which honour it.
   */
  readonly wrapGemm?: (gemm: GemmProvider) => GemmProvider;
}

/**
 * The backend factories' option for a path: `kernels: false` leaves every fused kernel out; for `compiled`, the
 * backend's compiled kernel is tried first for every built-in cell too (native and cuda have kernels of their own for
 * those) and filed under `*` for the others, as the backends' defaults file it.
 */
function kernelOptions(
  path: BenchPath,
  compiled: TfjsFusedKernelEntry,
): { kernels?: TfjsKernelDefinition[] | false } {
  if (path === 'generic') return { kernels: false };
  if (path === 'fused') return {};
  const names = [...builtInCells.map((cell) => cell.name), anyCell];
  return { kernels: names.map((name) => ({ kind: 'sequence', name, kernel: compiled })) };
}

export interface BackendProvider {
  readonly name: string;
  /** What the backend is, for listings. */
  readonly description: string;
  /** `true` when the backend can run here, otherwise the reason it cannot. Never throws. */
  isAvailable(): Promise<true | string>;
  /** Creates the backend; only called after `isAvailable()` answered `true`, for providers without `openRemote`. */
  create(options: CreateOptions): Promise<BenchBackend>;
  /** For a backend that runs elsewhere (a browser page): opens it; the runner then runs its cases there. */
  openRemote?(options: CreateOptions): Promise<RemoteBench>;
  /** For a backend that runs elsewhere: a page with the backend on every path, for `bench paths`. */
  openRemotePaths?(): Promise<RemotePaths>;
  /** True where `create` honours `wrapGemm` (the compiled kernel's products run in this process, on a provider). */
  readonly timesProducts?: boolean;
}

function tfjsBench(name: string, backend: TfjsBackend, details: string): BenchBackend {
  return {
    name,
    backend,
    details,
    layersModel: (cell, size, data) => layersModel(backend, cell, size, data),
  };
}

export const cpuProvider: BackendProvider = {
  name: 'cpu',
  description: 'tfjs-backend-cpu: plain JavaScript, runs everywhere',
  isAvailable: async () => true,
  timesProducts: true,
  async create({ path, wrapGemm }) {
    const backend = createCpuBackend(kernelOptions(path, cpuCompiledKernelWith({ wrapGemm })));
    return tfjsBench('cpu', backend, `tfjs-backend-cpu (JavaScript); seqmodel ${path} path`);
  },
};

/** The wasm module's memory, when tfjs-backend-wasm is initialized. */
function wasmHeapBytes(): number | undefined {
  const instance = tf.engine().registry.wasm as { wasm?: { HEAPU8?: Uint8Array } } | undefined;
  return instance?.wasm?.HEAPU8?.buffer.byteLength;
}

export const wasmProvider: BackendProvider = {
  name: 'wasm',
  description: 'tfjs-backend-wasm: XNNPACK, SIMD; one thread under Node',
  async isAvailable() {
    try {
      await createWasmBackend({ kernels: false });
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  },
  timesProducts: true,
  async create({ path, wrapGemm }) {
    const backend = await createWasmBackend(kernelOptions(path, wasmCompiledKernelWith({ wrapGemm })));
    const info = await wasmInfo();
    const details =
      `tfjs-backend-wasm, SIMD ${info?.simd ? 'on' : 'off'}, ${info?.numThreads ?? 1} thread(s); ` +
      `seqmodel ${path} path`;
    return {
      ...tfjsBench('wasm', backend, details),
      platformMemory(): Record<string, number> {
        const heap = wasmHeapBytes();
        return heap === undefined ? {} : { wasmHeapBytes: heap };
      },
    };
  },
};

export const nativeProvider: BackendProvider = {
  name: 'native',
  description: 'seqmodel native addon (C++: AVX2/FMA GEMM, thread pool, fused recurrent kernels); Node only',
  async isAvailable() {
    const availability = nativeAvailability();
    return availability.available ? true : (availability.reason ?? 'unavailable');
  },
  async create({ path, threads }) {
    // The native backend has no code generator: its compiled kernel runs the cpu backend's JavaScript (JsGemm) on
    // native tensors, which it reads into host arrays like any tfjs backend's.
    const backend = await createNativeBackend({
      ...kernelOptions(path, nativeCompiledKernel),
      threads: threads ?? 1,
    });
    const info = nativeInfo();
    const details =
      `native addon, ${info.threads} thread(s), GEMM ${info.gemmKernel}` +
      `${info.avx512f ? ' (AVX-512 present, not used)' : ''}; seqmodel ${path} path`;
    return tfjsBench('native', backend, details);
  },
};

/** A seqmodel GPU backend in headless Chromium, beside tfjs-layers on the same tfjs backend in the same page. */
function browserProvider(name: 'webgl' | 'webgpu', description: string): BackendProvider {
  return {
    name,
    description,
    async isAvailable() {
      return browserBenchUnavailable() ?? true;
    },
    create: () => Promise.reject(new Error(`${name}: runs in a browser page (openRemote)`)),
    openRemote: ({ path }) => openBrowserBench(name, path),
    openRemotePaths: () => openBrowserPaths(name),
  };
}

export const webglProvider = browserProvider(
  'webgl',
  'tfjs-backend-webgl in headless Chromium (SwiftShader without a GPU: ratios, not GPU figures)',
);

export const webgpuProvider = browserProvider(
  'webgpu',
  "tfjs-backend-webgpu in headless Chromium (SwiftShader's Vulkan adapter without a GPU)",
);

export const cudaProvider: BackendProvider = {
  name: 'cuda',
  description: 'seqmodel CUDA addon (nvcc: tiled GEMM or cuBLAS, fused recurrent kernels on the device)',
  async isAvailable() {
    const availability = cudaAvailability();
    return availability.available ? true : (availability.reason ?? 'unavailable');
  },
  async create({ path }) {
    // As on native (whose default kernels it takes): the compiled kernel is JavaScript on device tensors (no CUDA
    // generator yet).
    const backend = await createCudaBackend(kernelOptions(path, nativeCompiledKernel));
    const info = cudaInfo();
    const details = `${info.deviceName} (compute ${info.computeCapability}); ${info.notes}; seqmodel ${path} path`;
    return tfjsBench('cuda', backend, details);
  },
};

/** Every backend the bench knows, in the order they run. */
export const backendProviders: readonly BackendProvider[] = [
  cpuProvider,
  wasmProvider,
  nativeProvider,
  webglProvider,
  webgpuProvider,
  cudaProvider,
];

export const backendNames: readonly string[] = backendProviders.map((p) => p.name);
