/** tfjs-backend-wasm's binaries, served to pages under `/tfjs-wasm/` (`createWasmBackend({ wasmPaths: '/tfjs-wasm/' })`). */
import { join } from 'node:path';
import { installedWasmDirectory, wasmFileNames } from '@seqmodel/backend-wasm';

export function wasmFiles(): Record<string, string> {
  const dir = installedWasmDirectory();
  if (dir === undefined) throw new Error('wasmFiles: @tensorflow/tfjs-backend-wasm is not installed');
  return Object.fromEntries(wasmFileNames.map((name) => [`/tfjs-wasm/${name}`, join(dir, name)]));
}
