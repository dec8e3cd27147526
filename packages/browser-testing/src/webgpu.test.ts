import { pageCheckSuite } from './page-tests.js';
import { wasmFiles } from './wasm-files.js';

// The whole conformance plan of @seqmodel/backend-tfjs/testing on the webgpu backend, fused kernels included, 25
// checks per browser. In one page, SwiftShader's WebGPU starts refusing every new mapped buffer after about 200
// checks ("createBuffer failed, size (360) is too large for the implementation when mappedAtCreation == true"), and
// after about 45 of the fused-kernel checks: the GPU process's memory mappings climb from ~750 to ~31,000 over the
// plan, and handing tfjs-webgpu's buffer pool back after each check does not change it (see the webgpu README).
await pageCheckSuite(
  'webgpu backend in headless Chromium: the conformance plan',
  ['webgpu'],
  'webgpu-kits.page.ts',
  undefined,
  25,
);
// Parity with backend-cpu, program launches per step against tfjs-layers, memory over 1,000 steps, switching.
await pageCheckSuite('webgpu backend in headless Chromium', ['webgpu'], 'webgpu-gpu.page.ts', wasmFiles());
// The WGSL flash attention kernel of @seqmodel/attention/kernels, registered for webgpu in its own page (the page
// above checks that webgpu has no attention kernel unless one is registered).
await pageCheckSuite(
  'webgpu backend in headless Chromium: flash attention (WGSL)',
  ['webgpu'],
  'webgpu-flash.page.ts',
);
