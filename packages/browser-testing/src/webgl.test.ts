import { pageCheckSuite } from './page-tests.js';
import { wasmFiles } from './wasm-files.js';

// The whole conformance plan of @seqmodel/backend-tfjs/testing on the webgl backend, fused kernels included.
await pageCheckSuite(
  'webgl backend in headless Chromium: the conformance plan',
  ['webgl'],
  'webgl-kits.page.ts',
);
// Parity with backend-cpu, program launches per step against tfjs-layers, memory over 1,000 steps, switching.
await pageCheckSuite('webgl backend in headless Chromium', ['webgl'], 'webgl-gpu.page.ts', wasmFiles());
// 16-bit float textures (tf.webgl.forceHalfFloat()): which precision runs, forward passes, training refused or opt-in.
await pageCheckSuite(
  'webgl backend in headless Chromium, half floats',
  ['webgl'],
  'webgl-half-float.page.ts',
);
