/**
 * The backends the bench knows, as providers: each says whether it can run here (or why not) and creates the
 * seqmodel backend together with the factory of tfjs-layers' model on the same tfjs backend. cpu, wasm and native
 * (the C++ addon, where it was built) run in this process; webgl and webgpu run in headless Chromium (`browser.ts`:
 * the same cases, in a page); cuda (tfjs-node-gpu) is listed and skipped with its reason until its seqmodel backend
 * exists. Adding a backend: write a provider and add it to `backendProviders`.
 */
import { createRequire } from 'node:module';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createNativeBackend, isAvailable as nativeAvailability, nativeInfo } from '@seqmodel/backend-native';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { createWasmBackend, wasmInfo } from '@seqmodel/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchBackend, BenchPath } from './bench-backend.js';
import { browserBenchUnavailable, openBrowserBench } from './browser.js';
import { layersModel } from './models.js';
import type { RemoteBench } from './remote.js';

export { type BenchBackend, type BenchPath, benchPaths } from './bench-backend.js';

export interface CreateOptions {
  /** `fused`: the backend's fused kernels where it has them; `generic`: none, core's `scanCell` loop for every cell. */
  readonly path: BenchPath;
  /** Threads for backends that take a thread count (native). */
  readonly threads?: number;
}

/** The backend factories' option for a path: `kernels: false` leaves every fused kernel out. */
function kernelOptions(path: BenchPath): { kernels?: false } {
  return path === 'fused' ? {} : { kernels: false };
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
}

const require = createRequire(import.meta.url);

/** Whether `specifier` resolves from the bench (an installed package). */
function resolvable(specifier: string): boolean {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
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
  async create({ path }) {
    const backend = createCpuBackend(kernelOptions(path));
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
  async create({ path }) {
    const backend = await createWasmBackend(kernelOptions(path));
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
    const backend = await createNativeBackend({ ...kernelOptions(path), threads: threads ?? 1 });
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
  description: 'tfjs-node-gpu (CUDA)',
  async isAvailable() {
    const missing = [
      resolvable('@seqmodel/backend-cuda')
        ? undefined
        : 'the seqmodel CUDA backend (@seqmodel/backend-cuda) does not exist yet',
      resolvable('@tensorflow/tfjs-node-gpu')
        ? undefined
        : '@tensorflow/tfjs-node-gpu is not installed (it needs libtensorflow with CUDA and an NVIDIA GPU)',
    ].filter((m) => m !== undefined);
    return missing.length > 0 ? `${missing.join('; ')}` : 'the bench has no CUDA runner yet';
  },
  create: () => Promise.reject(new Error('cuda: not available (see isAvailable)')),
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
