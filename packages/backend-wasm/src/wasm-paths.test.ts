import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { expect, it } from 'vitest';
import { createWasmBackend, wasmInfo } from './wasm-backend.js';
import { installedWasmDirectory, wasmFileNames } from './wasm-files.js';

// What a browser user does: serve the .wasm files from a folder of their own and pass its prefix.
it('loads the binaries from the folder given as wasmPaths', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'seqmodel-wasm-')) + sep;
  for (const file of wasmFileNames) copyFileSync(installedWasmDirectory() + file, folder + file);
  const backend = await createWasmBackend({ wasmPaths: folder, simd: false });
  expect(backend.toArray(backend.mul(backend.tensor([3]), 2))).toEqual([6]);
  expect(await wasmInfo()).toMatchObject({ simd: false, wasmPaths: folder });
});

it('checks wasmPaths', async () => {
  await expect(
    createWasmBackend({ wasmPaths: { 'tfjs-backend-wasm.wasm': '/x.wasm' } as never }),
  ).rejects.toThrow(
    'createWasmBackend(options.wasmPaths): expected a URL for each of tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm',
  );
  await expect(createWasmBackend({ numThreads: 0 })).rejects.toThrow(
    'createWasmBackend(options.numThreads): expected a positive integer, received 0',
  );
});
