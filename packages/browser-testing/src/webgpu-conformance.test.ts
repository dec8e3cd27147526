import { pageCheckSuite } from './page-tests.js';

// The whole conformance plan of @seqmodel/backend-tfjs/testing on the webgpu backend, fused kernels included, 25
// checks per browser. In one page, SwiftShader's WebGPU starts refusing every new mapped buffer after about 200
// checks ("createBuffer failed, size (360) is too large for the implementation when mappedAtCreation == true"), and
// after about 45 of the fused-kernel checks: the GPU process's memory mappings climb from ~750 to ~31,000 over the
// plan, and handing tfjs-webgpu's buffer pool back after each check does not change it (see the webgpu README).
// A file of its own (the other webgpu pages are in webgpu.test.ts), so that two vitest workers run them side by side.
await pageCheckSuite(
  'webgpu backend in headless Chromium: the conformance plan',
  ['webgpu'],
  'webgpu-kits.page.ts',
  undefined,
  25,
);
