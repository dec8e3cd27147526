import { pageCheckSuite } from './page-tests.js';
import { wasmFiles } from './wasm-files.js';

// The conformance plan on webgpu is in webgpu-conformance.test.ts.
// Parity with backend-cpu, program launches per step against tfjs-layers, memory over 1,000 steps, switching.
await pageCheckSuite('webgpu backend in headless Chromium', ['webgpu'], 'webgpu-gpu.page.ts', wasmFiles());
// The WGSL flash attention kernel of @seqmodel/attention/kernels, registered for webgpu in its own page (the page
// above checks that webgpu has no attention kernel unless one is registered).
await pageCheckSuite(
  'webgpu backend in headless Chromium: flash attention (WGSL)',
  ['webgpu'],
  'webgpu-flash.page.ts',
);
