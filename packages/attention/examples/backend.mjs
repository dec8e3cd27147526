// The backend the examples run on: `--backend wasm` (tfjs' WebAssembly backend, the fastest in Node here; the
// default) or `--backend cpu` (tfjs' pure-JavaScript CPU backend). The same as `packages/layers/examples/backend.mjs`.
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend } from '@seqmodel/backend-wasm';

/** The backend named by `--backend` in `argv`, else `fallback`. */
export async function backendFromArgs(fallback = 'wasm', argv = process.argv.slice(2)) {
  const i = argv.indexOf('--backend');
  const name = i === -1 ? fallback : argv[i + 1];
  if (name === 'cpu') return createCpuBackend();
  if (name === 'wasm') return createWasmBackend();
  throw new Error(`--backend: expected cpu or wasm, received ${name}`);
}
