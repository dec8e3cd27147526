import { defaultClientConditions, defineConfig } from 'vite';
import { webglPlugin } from './webgl-build.js';

// The packages are read from their TypeScript sources (the `@seqmodel/source` export condition), as the tests do,
// so `pnpm playground` needs no build first. `base: './'` makes the built site work from any folder it is served
// from; everything (tfjs, the wasm binaries, Moby-Dick) is bundled, nothing comes from a CDN. WebGL is built in
// where the workspace has `@seqmodel/backend-webgl` (webgl-build.ts).
export default defineConfig({
  base: './',
  plugins: [webglPlugin()],
  resolve: { conditions: ['@seqmodel/source', ...defaultClientConditions] },
  // Worker bundles take their own plugins: the WebGL entry is imported by the training worker.
  worker: { format: 'es', plugins: () => [webglPlugin()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 3000, reportCompressedSize: false },
  preview: { port: 4173 },
  server: { port: 5173 },
});
