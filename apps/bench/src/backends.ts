/**
 * The backends the bench knows, as providers: each says whether it can run here (or why not) and creates the
 * seqmodel backend together with the factory of tfjs-layers' model on the same tfjs backend. cpu and wasm run in
 * this process; webgl and webgpu run in headless Chromium (`browser.ts`: the same cases, in a page); cuda
 * (tfjs-node-gpu) is listed and skipped with its reason until its seqmodel backend exists. Adding a backend: write a
 * provider and add it to `backendProviders`.
 */
import { createRequire } from 'node:module';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { createWasmBackend, wasmInfo } from '@seqmodel/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { browserBenchUnavailable, openBrowserBench } from './browser.js';
import type { BenchCell } from './cells.js';
import { type BenchModel, layersModel } from './models.js';
import type { RemoteBench } from './remote.js';
import type { RnnSize } from './sizes.js';
import type { BenchData } from './weights.js';

/** Which seqmodel path the bench times (`--path`). */
export const benchPaths = ['fused', 'generic'] as const;
export type BenchPath = (typeof benchPaths)[number];

export interface BenchBackend {
  readonly name: string;
  /** The seqmodel backend: with its fused kernels, or without them for `--path generic`. */
  readonly backend: TfjsBackend;
  /** One line about the backend's setup (SIMD, threads, ...). */
  readonly details: string;
  /** tfjs-layers' model for `cell` on the same tfjs backend (only called for cells that tfjs-layers has). */
  layersModel(cell: BenchCell, size: RnnSize, data: BenchData): BenchModel;
  /** Memory figures that only this platform reports, in bytes (e.g. the wasm heap), by name. */
  platformMemory?(): Readonly<Record<string, number>>;
}

export interface CreateOptions {
  /** `fused`: the backend's fused kernels where it has them; `generic`: none, core's `scanCell` loop for every cell. */
  readonly path: BenchPath;
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

/** Runs `fn` with tfjs' warnings off (its "install the node backend" notice on the first CPU tensor). */
function quietly(fn: () => void): void {
  const env = tf.env();
  const before = env.getBool('IS_TEST');
  env.set('IS_TEST', true);
  try {
    fn();
  } finally {
    env.set('IS_TEST', before);
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
    quietly(() => backend.dispose(backend.tensor([0])));
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
  webglProvider,
  webgpuProvider,
  cudaProvider,
];

export const backendNames: readonly string[] = backendProviders.map((p) => p.name);
