import { expect, it } from 'vitest';
import { createWasmBackend } from './wasm-backend.js';

it('says where it looked when the .wasm files are not there', async () => {
  await expect(createWasmBackend({ wasmPaths: '/no/such/folder/' })).rejects.toThrow(
    'createWasmBackend: the wasm module failed to load from "/no/such/folder/"; pass options.wasmPaths with the URL',
  );
});
