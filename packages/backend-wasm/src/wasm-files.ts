/**
 * Where the wasm backend's `.wasm` binaries are. In Node they are read from the installed
 * `@tensorflow/tfjs-backend-wasm/dist/` folder, found through Node's module resolution, so nothing is fetched from
 * the network. In browsers the page must serve them; the caller passes their location (`wasmPaths`).
 */

/** The binaries tfjs-backend-wasm 4.22 chooses from (plain, SIMD, SIMD with threads). */
export const wasmFileNames = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

export type WasmFileName = (typeof wasmFileNames)[number];

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return typeof p?.versions?.node === 'string' ? p : undefined;
}

export function isNode(): boolean {
  return nodeProcess() !== undefined;
}

/**
 * The installed package's `dist/` folder, with a trailing separator, when running in Node; undefined elsewhere.
 * Uses `process.getBuiltinModule` (Node >= 20.16) so that browser bundles see no import of a Node module.
 */
export function installedWasmDirectory(): string | undefined {
  const p = nodeProcess();
  const getBuiltin = p?.getBuiltinModule;
  if (!getBuiltin) return undefined;
  const { createRequire } = getBuiltin('node:module') as {
    createRequire: (from: string) => { resolve: (id: string) => string };
  };
  const { dirname, join, sep } = getBuiltin('node:path') as {
    dirname: (p: string) => string;
    join: (...p: string[]) => string;
    sep: string;
  };
  const manifest = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(manifest), 'dist') + sep;
}
