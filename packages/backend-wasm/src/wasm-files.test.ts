import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createWasmBackend, wasmInfo } from './wasm-backend.js';
import { installedWasmDirectory, wasmFileNames } from './wasm-files.js';

it('finds the installed .wasm files and loads them without any network access', async () => {
  const directory = installedWasmDirectory()!;
  expect(directory).toMatch(/@tensorflow[/\\]tfjs-backend-wasm[/\\]dist[/\\]$/);
  for (const file of wasmFileNames) expect(existsSync(directory + file)).toBe(true);

  const noNetwork = () => {
    throw new Error('network access attempted');
  };
  const saved = { fetch: globalThis.fetch, xhr: (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest };
  globalThis.fetch = noNetwork as typeof fetch;
  (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = noNetwork;
  try {
    const backend = await createWasmBackend();
    expect(backend.toArray(backend.add(backend.tensor([1]), 1))).toEqual([2]);
  } finally {
    globalThis.fetch = saved.fetch;
    (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = saved.xhr;
  }
  const info = await wasmInfo();
  // tfjs 4.22 turns wasm threads off under Node; SIMD works in every current Node.
  expect(info).toEqual({ simd: true, threads: false, numThreads: 1, wasmPaths: directory });
  expect(tf.getBackend()).toBe('wasm');
});
