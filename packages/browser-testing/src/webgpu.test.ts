import { pageCheckSuite } from './page-tests.js';
import { wasmFiles } from './wasm-files.js';

// The whole conformance plan of @seqmodel/backend-tfjs/testing on the webgpu backend, fused kernels included.
await pageCheckSuite(
  'webgpu backend in headless Chromium: the conformance plan',
  ['webgpu'],
  'webgpu-kits.page.ts',
);
// Parity with backend-cpu, program launches per step against tfjs-layers, memory over 1,000 steps, switching.
await pageCheckSuite('webgpu backend in headless Chromium', ['webgpu'], 'webgpu-gpu.page.ts', wasmFiles());
