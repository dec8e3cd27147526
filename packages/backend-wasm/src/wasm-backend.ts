/**
 * The seqmodel backend on tfjs's WebAssembly backend: XNNPACK kernels, SIMD where the engine supports it (all
 * current browsers and Node), several threads where the page is cross-origin isolated. tfjs 4.22 turns threads off
 * under Node, so there it runs on one thread.
 */
import {
  createTfjsBackend,
  factoryKernelOptions,
  initTfjsBackend,
  type TfjsBackend,
  type TfjsFusedKernelEntry,
  type TfjsKernelDefinition,
} from '@seqmodel/backend-tfjs';
import {
  checkBoolean,
  checkOptions,
  checkPositiveInteger,
  describeValue,
  invalidArgument,
  optionKeys,
  SeqmodelError,
} from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { wasmFusedKernels } from './fused-kernels.js';
import { removeEmscriptenRethrows } from './process-listeners.js';
import { getThreadsCount, setThreadsCount, setWasmPaths } from './register-tfjs-wasm.js';
import { installedWasmDirectory, isNode, type WasmFileName, wasmFileNames } from './wasm-files.js';

export interface WasmBackendOptions {
  /**
   * Where the `.wasm` files are served: a URL or path prefix ending in `/` (e.g. `'/assets/tfjs-wasm/'`, or a CDN
   * folder such as `'https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-backend-wasm@4.22.0/dist/'`), or a map from each
   * file name to its URL. Default in Node: the installed `@tensorflow/tfjs-backend-wasm/dist/` folder. Default in
   * browsers: tfjs's own guess (beside the script), which bundlers usually break, so pass it. Copy the three files
   * from `node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm` to the folder you serve.
   */
  readonly wasmPaths?: string | Readonly<Record<WasmFileName, string>>;
  /** Load the binaries with `fetch` (tfjs's `usePlatformFetch`), e.g. in environments without XHR. */
  readonly usePlatformFetch?: boolean;
  /** Threads for XNNPACK where threads are available (cross-origin isolated pages); default: logical cores. */
  readonly numThreads?: number;
  /** `false` loads the binary without SIMD (to compare); default: SIMD where supported. */
  readonly simd?: boolean;
  /**
   * More fused kernels of any kind, tried before the built-in ones and those registered for the backend's name
   * (core's `registerKernel`); `false` leaves out every fused kernel, built-in and registered, so that the generic
   * path runs everywhere.
   */
  readonly kernels?: readonly TfjsKernelDefinition[] | false;
  /**
   * Fused kernels by cell name, added to (and replacing) the built-in ones; `false` leaves out every fused kernel,
   * as `kernels: false` does.
   *
   * @deprecated Pass them as `kernels` (`{ kind: 'sequence', name: cellName, kernel }`), or `kernels: false`.
   */
  readonly fusedKernels?: Readonly<Record<string, TfjsFusedKernelEntry>> | false;
  /** Check sequence arguments for NaN and ±Infinity before every `runSequence` (default false). */
  readonly checkNumerics?: boolean;
}

const wasmOptionKeys = optionKeys<WasmBackendOptions>({
  wasmPaths: true,
  usePlatformFetch: true,
  numThreads: true,
  simd: true,
  kernels: true,
  fusedKernels: true,
  checkNumerics: true,
});

/** How the wasm module was initialized (one module per process, shared by every wasm seqmodel backend). */
export interface WasmInfo {
  readonly simd: boolean;
  readonly threads: boolean;
  /** Threads XNNPACK uses (1 without thread support). */
  readonly numThreads: number;
  /** Where the binaries were loaded from (undefined: tfjs's default location). */
  readonly wasmPaths: string | Readonly<Record<string, string>> | undefined;
}

interface InitSettings {
  readonly wasmPaths: WasmBackendOptions['wasmPaths'];
  readonly usePlatformFetch: boolean;
  readonly numThreads: number | undefined;
  readonly simd: boolean | undefined;
}

let initialization: { settings: InitSettings; done: Promise<WasmInfo> } | undefined;

function sameSettings(a: InitSettings, b: InitSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolveSettings(options: WasmBackendOptions): InitSettings {
  const { wasmPaths, numThreads, simd } = options;
  if (typeof wasmPaths === 'object' && wasmPaths !== null) {
    const missing = wasmFileNames.filter((f) => typeof wasmPaths[f] !== 'string');
    if (missing.length > 0) {
      invalidArgument(
        'createWasmBackend(options.wasmPaths)',
        wasmPaths,
        `a URL for each of ${wasmFileNames.join(', ')}`,
      );
    }
  } else if (wasmPaths !== undefined && (typeof wasmPaths !== 'string' || wasmPaths === '')) {
    invalidArgument('createWasmBackend(options.wasmPaths)', wasmPaths, 'a URL prefix or a map of file URLs');
  }
  if (numThreads !== undefined) checkPositiveInteger('createWasmBackend(options.numThreads)', numThreads);
  if (simd !== undefined) checkBoolean('createWasmBackend(options.simd)', simd);
  return {
    wasmPaths: wasmPaths ?? (isNode() ? installedWasmDirectory() : undefined),
    usePlatformFetch: options.usePlatformFetch ?? false,
    numThreads,
    simd,
  };
}

async function initialize(settings: InitSettings): Promise<WasmInfo> {
  if (settings.wasmPaths !== undefined) setWasmPaths(settings.wasmPaths as string, settings.usePlatformFetch);
  if (settings.numThreads !== undefined) setThreadsCount(settings.numThreads);
  if (settings.simd === false) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  try {
    await initTfjsBackend('wasm');
  } catch (error) {
    throw new SeqmodelError(
      `createWasmBackend: the wasm module failed to load from ${describeValue(settings.wasmPaths ?? "tfjs's default location")}; ` +
        `pass options.wasmPaths with the URL of the folder serving ${wasmFileNames.join(', ')} ` +
        `(${(error as Error).message})`,
    );
  } finally {
    // Crashes are reported where seqmodel (or the application) raised them, not at Emscripten's rethrow.
    removeEmscriptenRethrows();
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
  return { simd, threads, numThreads: threads ? getThreadsCount() : 1, wasmPaths: settings.wasmPaths };
}

/**
 * A seqmodel backend on `@tensorflow/tfjs-backend-wasm`. Asynchronous because the wasm module is compiled and
 * instantiated on first use; await it before running other tfjs work (tfjs refuses ops while a backend
 * initializes). The module is initialized once per process: later calls reuse it and must pass the same
 * initialization options (or none). If loading fails, the error names the location tried; tfjs 4.22 cannot retry
 * in the same process.
 *
 * @example
 * const backend = await createWasmBackend(); // Node: finds the installed .wasm files
 * const web = await createWasmBackend({ wasmPaths: '/assets/tfjs-wasm/' }); // browser
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<TfjsBackend> {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createWasmBackend(options)', options, 'an options object');
  }
  checkOptions('createWasmBackend(options)', options, wasmOptionKeys);
  if (options.checkNumerics !== undefined) {
    checkBoolean('createWasmBackend(options.checkNumerics)', options.checkNumerics);
  }
  if (options.usePlatformFetch !== undefined) {
    checkBoolean('createWasmBackend(options.usePlatformFetch)', options.usePlatformFetch);
  }
  const requested = resolveSettings(options);
  const reuse =
    initialization !== undefined &&
    Object.keys(options).every((k) => k === 'kernels' || k === 'fusedKernels' || k === 'checkNumerics');
  if (initialization === undefined) {
    // A failure stays recorded: tfjs 4.22 cannot retry a wasm initialization that aborted.
    initialization = { settings: requested, done: initialize(requested) };
  } else if (!reuse && !sameSettings(initialization.settings, requested)) {
    throw new SeqmodelError(
      `createWasmBackend(options): the wasm module is already initialized with ${JSON.stringify(initialization.settings)}; ` +
        `received ${JSON.stringify(requested)} (it is initialized once per process: pass the same options or none)`,
    );
  }
  await initialization.done;
  return createTfjsBackend({
    name: 'wasm',
    tfjsBackendName: 'wasm',
    ...factoryKernelOptions(wasmFusedKernels, options, 'createWasmBackend'),
    // Tensors live in CPU memory: seqmodel's layout kernels beat tfjs's for the recurrent loop.
    hostKernels: true,
    // XNNPACK's products with a transpose flag are 5-10 times slower than a transpose and a plain product.
    explicitTransposes: true,
    ...(options.checkNumerics === undefined ? {} : { checkNumerics: options.checkNumerics }),
  });
}

/** How the wasm module was initialized; undefined before `createWasmBackend` has finished once. */
export async function wasmInfo(): Promise<WasmInfo | undefined> {
  if (initialization === undefined) return undefined;
  try {
    return await initialization.done;
  } catch {
    return undefined;
  }
}
